/// A read position in a command line's bytes, for the hand-written SMTP parsers (no allocation, never traps).
struct SMTPByteCursor {
    private(set) var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { self.bytes.isEmpty }

    /// The next byte without consuming it.
    var peek: UInt8? { self.bytes.first }

    /// Everything not yet consumed.
    var remaining: ArraySlice<UInt8> { self.bytes }

    /// The next byte, consumed.
    mutating func next() -> UInt8? {
        self.bytes.popFirst()
    }

    /// Consumes `byte` if it comes next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard self.bytes.first == byte else { return false }
        self.bytes.removeFirst()
        return true
    }

    /// Consumes `prefix` if it comes next, comparing ASCII letters case-insensitively.
    mutating func consumeCaseInsensitive(_ prefix: String) -> Bool {
        let expected = Array(prefix.utf8)
        guard self.bytes.count >= expected.count else { return false }
        for (offset, byte) in expected.enumerated()
        where SMTPByteCursor.lowercased(self.bytes[self.bytes.startIndex + offset]) != SMTPByteCursor.lowercased(byte) {
            return false
        }
        self.bytes.removeFirst(expected.count)
        return true
    }

    /// Consumes bytes while `predicate` holds and returns them.
    mutating func consume(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let end = self.bytes.firstIndex(where: { !predicate($0) }) ?? self.bytes.endIndex
        let taken = self.bytes[..<end]
        self.bytes = self.bytes[end...]
        return taken
    }

    /// Consumes every space (SP) that comes next; returns how many.
    @discardableResult
    mutating func skipSpaces() -> Int {
        self.consume(while: { $0 == UInt8(ascii: " ") }).count
    }

    /// ASCII lower case of `byte`; other bytes unchanged.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// `bytes` as ASCII upper case text, or `nil` if a byte is not printable ASCII.
    static func asciiUppercased(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return String(decoding: bytes.map { (0x61...0x7A).contains($0) ? $0 & ~0x20 : $0 }, as: UTF8.self)
    }
}
