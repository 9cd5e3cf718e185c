import NIOCore

/// The 4-byte header in front of every packet on a peer link (spec §2.3):
/// `version (1) | type (0 data, 1 control) | 00 00`.
public enum LinkPacketType: UInt8, Hashable, Sendable {
    case data = 0
    case control = 1
}

/// Constants of the link framing.
public enum LinkHeader {
    public static let byteCount = 4
    /// The only link protocol version.
    public static let version: UInt8 = 1
}

extension ByteBuffer {
    /// Reads a link header; `nil` if fewer than 4 bytes are buffered. The two reserved bytes are ignored, as upstream
    /// ignores them.
    public mutating func readLinkHeader() throws(WireError) -> LinkPacketType? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> LinkPacketType? in
            guard let (version, type, _) = buffer.readMultipleIntegers(as: (UInt8, UInt8, UInt16).self) else {
                return nil
            }
            guard version == LinkHeader.version else { throw .unsupportedLinkVersion(version) }
            guard let packetType = LinkPacketType(rawValue: type) else { throw .unknownPacketType(type) }
            return packetType
        }
    }

    @discardableResult
    public mutating func writeLinkHeader(_ type: LinkPacketType) -> Int {
        self.writeMultipleIntegers(LinkHeader.version, type.rawValue, UInt16(0))
    }
}
