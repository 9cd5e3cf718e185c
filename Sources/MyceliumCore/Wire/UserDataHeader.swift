import NIOCore

/// What an end-to-end encrypted blob carries, byte 1 of its plaintext (spec §4.3, `data.rs`).
public enum UserDataType: UInt8, Hashable, Sendable {
    /// A complete IPv6 packet read from the TUN, IPv6 header included.
    case ipv6Packet = 0
    /// A message-subsystem packet (`MessagePacket`, spec §5.1).
    case message = 1
    /// An out-of-band ICMP report from a router that could not forward a packet (`OutOfBandICMP`, spec §4.5).
    case outOfBandICMP = 2
}

/// The 4-byte header at the start of every decrypted blob (spec §4.3, §12.5):
///
/// | byte | meaning |
/// |---|---|
/// | 0 | user-data version = `0x01` (receiver drops others) |
/// | 1 | type: `0x00` IPv6 packet from TUN; `0x01` message-subsystem packet; `0x02` out-of-band ICMP |
/// | 2–3 | `00 00` (ignored) |
public enum UserDataHeader {
    public static let byteCount = 4
    /// The only user-data version.
    public static let version: UInt8 = 1
}

extension ByteBuffer {
    /// Reads a user-data header; `nil` (reader index unchanged) if fewer than 4 bytes are buffered.
    /// A version other than 1 or an unknown type throws; the two reserved bytes are ignored, as upstream ignores them.
    public mutating func readUserDataHeader() throws(WireError) -> UserDataType? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> UserDataType? in
            guard let (version, type, _) = buffer.readMultipleIntegers(as: (UInt8, UInt8, UInt16).self) else {
                return nil
            }
            guard version == UserDataHeader.version else { throw .invalidField(.userDataVersion) }
            guard let dataType = UserDataType(rawValue: type) else { throw .invalidField(.userDataType) }
            return dataType
        }
    }

    /// Writes `01 | type | 00 00`.
    @discardableResult
    public mutating func writeUserDataHeader(_ type: UserDataType) -> Int {
        self.writeMultipleIntegers(UserDataHeader.version, type.rawValue, UInt16(0))
    }
}
