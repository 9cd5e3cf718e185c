/// Standard base64 (RFC 4648 §4, alphabet `A–Z a–z 0–9 + /`) **with** padding: the encoding of every binary field
/// of the message API (spec §5.5: payloads, topics in bodies, paths and queries).
///
/// Decoding is as strict as upstream's engine (`mycelium-api/src/message.rs` builds
/// `GeneralPurpose::new(&alphabet::STANDARD, GeneralPurposeConfig::new())`, i.e. the `base64` crate's `STANDARD`
/// engine): padding is required and must be canonical, no whitespace or other characters are skipped, and the unused
/// low bits of the last symbol must be zero (so every byte string has exactly one accepted text form). Malformed text
/// throws ``Base64/DecodingError``; nothing traps, and work is linear in the input.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let padding = UInt8(ascii: "=")
    private static let invalid: UInt8 = 0xFF

    /// Symbol → 6-bit value, `invalid` for every byte outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }()

    /// Why text is not canonical padded base64; the descriptions follow the `base64` crate's `DecodeError`.
    public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A byte outside the alphabet, or `=` where no padding may be.
        case invalidByte(offset: Int, byte: UInt8)
        /// A length that no padded encoding has (one symbol left over).
        case invalidLength(Int)
        /// The last symbol has non-zero bits that encode nothing (a non-canonical encoding).
        case invalidLastSymbol(offset: Int, byte: UInt8)
        /// Padding missing, or more than the encoding needs.
        case invalidPadding

        public var description: String {
            switch self {
            case .invalidByte(let offset, let byte): "Invalid symbol \(byte), offset \(offset)."
            case .invalidLength(let length): "Invalid input length: \(length)"
            case .invalidLastSymbol(let offset, let byte): "Invalid last symbol \(byte), offset \(offset)."
            case .invalidPadding: "Invalid padding"
            }
        }
    }

    /// The length of the padded encoding of `byteCount` bytes; `nil` if it does not fit an `Int`.
    public static func encodedLength(ofByteCount byteCount: Int) -> Int? {
        guard byteCount >= 0 else { return nil }
        let groups = byteCount / 3 + (byteCount % 3 == 0 ? 0 : 1)
        let (length, overflow) = groups.multipliedReportingOverflow(by: 4)
        return overflow ? nil : length
    }

    /// The padded standard encoding of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(Self.encodedLength(ofByteCount: input.count) ?? 0)
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(Self.symbol(group >> 18))
            output.append(Self.symbol(group >> 12))
            output.append(Self.symbol(group >> 6))
            output.append(Self.symbol(group))
            index += 3
        }
        switch input.count - index {
        case 1:
            let group = UInt32(input[index]) << 16
            output.append(Self.symbol(group >> 18))
            output.append(Self.symbol(group >> 12))
            output.append(contentsOf: [Self.padding, Self.padding])
        case 2:
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(Self.symbol(group >> 18))
            output.append(Self.symbol(group >> 12))
            output.append(Self.symbol(group >> 6))
            output.append(Self.padding)
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` encodes.
    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        try Self.decode(bytes: Array(text.utf8))
    }

    /// The bytes the base64 text `input` (as UTF-8/ASCII bytes) encodes.
    public static func decode(bytes input: [UInt8]) throws(DecodingError) -> [UInt8] {
        // Find the first byte that is not a symbol: everything from there on must be the final padding.
        var symbolCount = 0
        for byte in input {
            guard Self.values[Int(byte)] != Self.invalid else { break }
            symbolCount += 1
        }
        let paddingCount = input.count - symbolCount
        for offset in symbolCount..<input.count where input[offset] != Self.padding {
            throw .invalidByte(offset: offset, byte: input[offset])
        }
        if symbolCount % 4 == 1 {
            // One symbol left over: 6 bits are no byte. A lone `=` after it is a misplaced padding byte.
            throw paddingCount > 0 ? .invalidByte(offset: symbolCount, byte: Self.padding) : .invalidLength(input.count)
        }
        let expectedPadding = symbolCount % 4 == 0 ? 0 : 4 - symbolCount % 4
        guard paddingCount == expectedPadding else {
            if paddingCount > expectedPadding, expectedPadding == 0 {
                // `=` where a whole group should start, e.g. `AAAA=` or `====`.
                throw .invalidByte(offset: symbolCount, byte: Self.padding)
            }
            throw .invalidPadding
        }

        var output: [UInt8] = []
        output.reserveCapacity(symbolCount / 4 * 3 + 2)
        var index = 0
        while index + 4 <= symbolCount {
            let group =
                UInt32(Self.values[Int(input[index])]) << 18 | UInt32(Self.values[Int(input[index + 1])]) << 12
                | UInt32(Self.values[Int(input[index + 2])]) << 6 | UInt32(Self.values[Int(input[index + 3])])
            output.append(UInt8(truncatingIfNeeded: group >> 16))
            output.append(UInt8(truncatingIfNeeded: group >> 8))
            output.append(UInt8(truncatingIfNeeded: group))
            index += 4
        }
        switch symbolCount - index {
        case 2:
            let first = Self.values[Int(input[index])]
            let last = Self.values[Int(input[index + 1])]
            guard last & 0x0F == 0 else { throw .invalidLastSymbol(offset: index + 1, byte: input[index + 1]) }
            output.append(first << 2 | last >> 4)
        case 3:
            let first = Self.values[Int(input[index])]
            let second = Self.values[Int(input[index + 1])]
            let last = Self.values[Int(input[index + 2])]
            guard last & 0x03 == 0 else { throw .invalidLastSymbol(offset: index + 2, byte: input[index + 2]) }
            output.append(first << 2 | second >> 4)
            output.append(second << 4 | last >> 2)
        default:
            break
        }
        return output
    }

    private static func symbol(_ value: UInt32) -> UInt8 {
        Self.alphabet[Int(value & 0x3F)]
    }
}
