/// The name of one blob in a `BlobStore`: `BlobID.length` lowercase hex digits, chosen at random by the store. It is
/// validated on every way in, so a blob id is never a path (no `/`, no `..`) whatever a database row says.
public struct BlobID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Hex digits in an id (128 random bits).
    public static let length = 32

    /// The id as stored (e.g. in a database column).
    public let rawValue: String

    /// Accepts exactly `length` lowercase hex digits; anything else is `nil`.
    public init?(_ rawValue: String) {
        let bytes = rawValue.utf8
        guard bytes.count == Self.length,
            bytes.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    /// A fresh random id.
    public static func random() -> BlobID {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(Self.length)
        for _ in 0..<(Self.length / 16) {
            var value = generator.next() as UInt64
            for _ in 0..<16 {
                text.append(digits[Int(value & 0xf)])
                value >>= 4
            }
        }
        return BlobID(uncheckedRawValue: String(decoding: text, as: UTF8.self))
    }

    private init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }

    /// The subdirectory holding the blob: its first two digits (256 directories).
    var directoryName: String { String(self.rawValue.prefix(2)) }

    public var description: String { self.rawValue }

    public static func < (lhs: BlobID, rhs: BlobID) -> Bool { lhs.rawValue < rhs.rawValue }
}
