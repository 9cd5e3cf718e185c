import MyceliumCore
import MyceliumTesting
import Testing

@Suite("Base64")
struct Base64Tests {
    /// RFC 4648 §10.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test("RFC 4648 test vectors encode and decode", arguments: Self.vectors)
    func rfcVectors(_ plain: String, _ encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test("the whole alphabet, including + and /")
    func alphabet() throws {
        let bytes: [UInt8] = [
            0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8B, 0x30, 0xD3, 0x8F, 0x41, 0x14, 0x93, 0x51, 0x55, 0x97,
            0x61, 0x96, 0x9B, 0x71, 0xD7, 0x9F, 0x82, 0x18, 0xA3, 0x92, 0x59, 0xA7, 0xA2, 0x9A, 0xAB, 0xB2, 0xDB, 0xAF,
            0xC3, 0x1C, 0xB3, 0xD3, 0x5D, 0xB7, 0xE3, 0x9E, 0xBB, 0xF3, 0xDF, 0xBF,
        ]
        let text = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        #expect(Base64.encode(bytes) == text)
        #expect(try Base64.decode(text) == bytes)
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
    }

    @Test("random data round-trips, and the encoded length is predicted")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 0xBA5E_64)
        for count in 0..<300 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64.encode(bytes)
            #expect(text.utf8.count == Base64.encodedLength(ofByteCount: count))
            #expect(try Base64.decode(text) == bytes)
        }
        #expect(Base64.encodedLength(ofByteCount: Int.max) == nil)
        #expect(Base64.encodedLength(ofByteCount: -1) == nil)
    }

    @Test(
        "malformed text is refused with the base64 crate's reasons",
        arguments: [
            ("Zg", Base64.DecodingError.invalidPadding),  // padding required
            ("Zm8", .invalidPadding),
            ("Zg=", .invalidPadding),
            ("Zg===", .invalidPadding),
            ("Z", .invalidLength(1)),
            ("Zm9vY", .invalidLength(5)),
            ("Z===", .invalidByte(offset: 1, byte: UInt8(ascii: "="))),
            ("=", .invalidByte(offset: 0, byte: UInt8(ascii: "="))),
            ("====", .invalidByte(offset: 0, byte: UInt8(ascii: "="))),
            ("Zm9v=", .invalidByte(offset: 4, byte: UInt8(ascii: "="))),
            ("Zg==Zg==", .invalidByte(offset: 4, byte: UInt8(ascii: "Z"))),
            ("Zm 9v", .invalidByte(offset: 2, byte: UInt8(ascii: " "))),
            ("Zm9v\n", .invalidByte(offset: 4, byte: 0x0A)),
            ("Zm-v", .invalidByte(offset: 2, byte: UInt8(ascii: "-"))),  // URL-safe alphabet is not accepted
            ("Zm_v", .invalidByte(offset: 2, byte: UInt8(ascii: "_"))),
            ("Zh==", .invalidLastSymbol(offset: 1, byte: UInt8(ascii: "h"))),  // non-zero trailing bits
            ("Zm9=", .invalidLastSymbol(offset: 2, byte: UInt8(ascii: "9"))),
            ("é===", .invalidByte(offset: 0, byte: 0xC3)),
        ]
    )
    func rejects(_ text: String, _ expected: Base64.DecodingError) {
        #expect(throws: expected) { try Base64.decode(text) }
    }

    @Test("error descriptions read like the base64 crate's")
    func descriptions() {
        #expect(Base64.DecodingError.invalidByte(offset: 2, byte: 45).description == "Invalid symbol 45, offset 2.")
        #expect(Base64.DecodingError.invalidPadding.description == "Invalid padding")
        #expect(Base64.DecodingError.invalidLength(5).description == "Invalid input length: 5")
        let lastSymbol = Base64.DecodingError.invalidLastSymbol(offset: 1, byte: 104)
        #expect(lastSymbol.description == "Invalid last symbol 104, offset 1.")
    }

    @Test("random text never traps, and whatever decodes re-encodes to the same text")
    func fuzz() {
        var generator = SeededGenerator(seed: 0xF0_22)
        let symbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        for round in 0..<20_000 {
            let count = Int.random(in: 0...24, using: &generator)
            let bytes: [UInt8] = (0..<count).map { _ in
                round % 3 == 0
                    ? UInt8.random(in: 0...255, using: &generator)
                    : symbols[Int.random(in: 0..<symbols.count, using: &generator)]
            }
            if let decoded = try? Base64.decode(bytes: bytes) {
                #expect(Array(Base64.encode(decoded).utf8) == bytes)
            }
        }
    }
}
