import MyceliumCrypto
import NIOCore

/// The 32-byte BLAKE3 hash of a message's data (topic not included) that DONE and DONE-ACK carry (spec §5.1).
///
/// Always exactly 32 bytes, so that a DONE body can never be written short (spec §13).
public struct MessageChecksum: Hashable, Sendable {
    public static let byteCount = 32

    /// The 32 hash bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// The checksum of `data`: `BLAKE3(data)`, 32 bytes.
    public init(hashing data: some Sequence<UInt8>) {
        // BLAKE3 returns exactly the requested number of bytes.
        self.bytes = BLAKE3.hash(data, byteCount: Self.byteCount)
    }

    /// 64 lowercase hex characters.
    public var hexString: String { Hex.encode(self.bytes) }
}

extension MessageChecksum: CustomStringConvertible {
    public var description: String { self.hexString }
}

extension ByteBuffer {
    /// Reads 32 bytes as a checksum; `nil` if fewer are buffered.
    public mutating func readMessageChecksum() -> MessageChecksum? {
        guard let bytes = self.readBytes(length: MessageChecksum.byteCount) else { return nil }
        return MessageChecksum(bytes: bytes)
    }

    @discardableResult
    public mutating func writeMessageChecksum(_ checksum: MessageChecksum) -> Int {
        self.writeBytes(checksum.bytes)
    }
}
