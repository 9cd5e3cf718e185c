import NIOCore

/// A message's identity (spec §5.1, `MessageId` in `message.rs`): 8 random bytes, the first 8 bytes of every message
/// packet. A reply reuses the id of the message it answers.
///
/// Its text form (HTTP and JSON-RPC APIs, CLI) is the 8 bytes as 16 lowercase hex characters.
public struct MessageID: Hashable, Sendable {
    public static let byteCount = 8

    /// The 8 bytes read as a big-endian integer: byte 0 is the most significant.
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// A fresh random id.
    public init(using generator: inout some RandomNumberGenerator) {
        self.init(rawValue: generator.next())
    }

    /// The id with these 8 bytes in wire order; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.init(rawValue: bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// The 8 bytes in wire order.
    public var bytes: [UInt8] {
        stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: self.rawValue >> UInt64($0)) }
    }

    /// Parses exactly 16 hex characters (either case).
    public init?(hexString: String) {
        guard hexString.utf8.count == 2 * Self.byteCount, let bytes = Hex.decode(hexString) else { return nil }
        self.init(bytes: bytes)
    }

    /// 16 lowercase hex characters.
    public var hexString: String { Hex.encode(self.bytes) }
}

extension MessageID: CustomStringConvertible {
    public var description: String { self.hexString }
}

extension MessageID: Codable {
    /// Decodes the 16-character hex text form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = MessageID(hexString: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "a message id is 16 hex characters, got \(text.utf8.count) characters: \(text)"
            )
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.hexString)
    }
}

extension ByteBuffer {
    /// Reads 8 bytes as a message id; `nil` if fewer are buffered.
    public mutating func readMessageID() -> MessageID? {
        self.readInteger(as: UInt64.self).map(MessageID.init(rawValue:))
    }

    @discardableResult
    public mutating func writeMessageID(_ id: MessageID) -> Int {
        self.writeInteger(id.rawValue)
    }
}
