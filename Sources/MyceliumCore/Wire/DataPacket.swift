import NIOCore

/// A data packet (spec §2.3, `packet/data.rs`): carries one end-to-end encrypted blob between two overlay addresses.
///
/// ```
/// 0      1         3          4            20                36
/// | 00 | length L | hop limit | source (16) | destination (16) | payload (L bytes)
/// ```
/// Intermediate routers forward it without decrypting; only the destination holds the key.
public struct DataPacket: Hashable, Sendable {
    public static let headerByteCount = 36
    /// The length field is 16 bits wide.
    public static let maximumPayloadByteCount = Int(UInt16.max)

    public var source: IPv6Address
    public var destination: IPv6Address
    public var hopLimit: UInt8
    /// The encrypted blob (`ciphertext ‖ tag ‖ nonce`, spec §4.3).
    public var payload: ByteBuffer

    public init(source: IPv6Address, destination: IPv6Address, hopLimit: UInt8, payload: ByteBuffer) {
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.payload = payload
    }
}

extension ByteBuffer {
    /// Reads a data packet body (after the link header); `nil` until the whole payload is buffered.
    /// The payload is a slice of this buffer: no bytes are copied.
    public mutating func readDataPacket() throws(WireError) -> DataPacket? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> DataPacket? in
            // Byte 0 is reserved; upstream reads the first four bytes as `length << 8 | hop limit`.
            guard let (_, length, hopLimit) = buffer.readMultipleIntegers(as: (UInt8, UInt16, UInt8).self),
                let source = buffer.readIPv6Address(),
                let destination = buffer.readIPv6Address(),
                let payload = buffer.readSlice(length: Int(length))
            else { return nil }
            return DataPacket(source: source, destination: destination, hopLimit: hopLimit, payload: payload)
        }
    }

    /// Writes a data packet body. A payload longer than 65,535 bytes cannot be framed and is an error.
    @discardableResult
    public mutating func writeDataPacket(_ packet: DataPacket) throws(WireError) -> Int {
        let length = packet.payload.readableBytes
        guard length <= DataPacket.maximumPayloadByteCount else {
            throw .lengthExceedsLimit(field: .dataPayloadLength, length: length, limit: DataPacket.maximumPayloadByteCount)
        }
        var written = self.writeMultipleIntegers(UInt8(0), UInt16(length), packet.hopLimit)
        written += self.writeIPv6Address(packet.source)
        written += self.writeIPv6Address(packet.destination)
        written += self.writeImmutableBuffer(packet.payload)
        return written
    }
}
