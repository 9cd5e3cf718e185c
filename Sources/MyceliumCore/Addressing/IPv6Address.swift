/// A 128-bit IPv6 address, stored in network byte order.
///
/// Parsing accepts RFC 4291 §2.2 text (including `::` and a trailing dotted IPv4 part); formatting follows
/// RFC 5952 (lowercase, leading zeros dropped, the longest run of two or more zero groups shortened to `::`).
public struct IPv6Address: Hashable, Sendable {
    /// The address's upper and lower 64 bits, most significant bit first.
    public var high: UInt64
    public var low: UInt64

    public static let byteCount = 16

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The address with these 16 bytes in network order; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.init(high: high, low: low)
    }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        (0..<16).map { self.byte($0) }
    }

    /// Byte `index` (0–15) in network order.
    public func byte(_ index: Int) -> UInt8 {
        index < 8 ? UInt8(truncatingIfNeeded: self.high >> (56 - 8 * index))
            : UInt8(truncatingIfNeeded: self.low >> (56 - 8 * (index - 8)))
    }

    /// The eight 16-bit groups.
    public var groups: [UInt16] {
        (0..<8).map { index in
            let half = index < 4 ? self.high : self.low
            return UInt16(truncatingIfNeeded: half >> (48 - 16 * (index % 4)))
        }
    }

    /// The address built from eight 16-bit groups.
    public init(groups: [UInt16]) {
        precondition(groups.count == 8, "IPv6Address(groups:) needs 8 groups")
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        self.init(high: high, low: low)
    }

    /// The first `prefixLength` bits kept, the rest zero.
    public func masked(toPrefixLength prefixLength: Int) -> IPv6Address {
        let length = min(max(prefixLength, 0), 128)
        let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : .max << (64 - length))
        let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : .max << (128 - length))
        return IPv6Address(high: self.high & highMask, low: self.low & lowMask)
    }

    /// `::`
    public static let unspecified = IPv6Address(high: 0, low: 0)
}

// MARK: - Text

extension IPv6Address: CustomStringConvertible, LosslessStringConvertible {
    public var description: String {
        let groups = self.groups
        // RFC 5952 §4.2: shorten the longest run (first one on a tie) of at least two zero groups.
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > bestLength && index - start >= 2 {
                bestStart = start
                bestLength = index - start
            }
        }
        func hex(_ slice: ArraySlice<UInt16>) -> String {
            slice.map { String($0, radix: 16) }.joined(separator: ":")
        }
        // RFC 5952 §5 (and Rust's `Ipv6Addr`): an IPv4-mapped address keeps its IPv4 part dotted.
        if self.high == 0, self.low >> 32 == 0xFFFF {
            let octets = (12..<16).map { String(self.byte($0)) }
            return "::ffff:" + octets.joined(separator: ".")
        }
        guard bestStart >= 0 else { return hex(groups[...]) }
        return hex(groups[..<bestStart]) + "::" + hex(groups[(bestStart + bestLength)...])
    }

    /// Parses RFC 4291 text; `nil` for anything else (no zone index, no brackets).
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        // "::" at the very start.
        if utf8.starts(with: [0x3A, 0x3A]) {
            sawDoubleColon = true
            index = 2
        } else if utf8[0] == 0x3A {
            return nil
        }
        while index < utf8.count {
            // A dotted IPv4 tail takes the last two groups; it must be the final group.
            let groupEnd = utf8[index...].firstIndex(of: 0x3A) ?? utf8.count
            if utf8[index..<groupEnd].contains(0x2E) {
                guard groupEnd == utf8.count, let v4 = Self.parseIPv4(utf8[index...]) else { return nil }
                if sawDoubleColon { tail += v4 } else { head += v4 }
                index = utf8.count
                break
            }
            var value: UInt32 = 0
            var digits = 0
            while index < utf8.count, let digit = Self.hexValue(utf8[index]) {
                value = value << 4 | UInt32(digit)
                digits += 1
                index += 1
                guard digits <= 4 else { return nil }
            }
            guard digits > 0 else { return nil }
            if sawDoubleColon { tail.append(UInt16(value)) } else { head.append(UInt16(value)) }
            guard index < utf8.count else { break }
            guard utf8[index] == 0x3A else { return nil }
            index += 1
            if index < utf8.count, utf8[index] == 0x3A {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index += 1
            } else if index == utf8.count {
                return nil  // a single trailing ':'
            }
        }
        let count = head.count + tail.count
        if sawDoubleColon {
            guard count <= 7 else { return nil }
            self.init(groups: head + Array(repeating: 0, count: 8 - count) + tail)
        } else {
            guard count == 8 else { return nil }
            self.init(groups: head)
        }
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Four decimal octets without leading zeros, as two 16-bit groups.
    private static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt16]? {
        let parts = text.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt16] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ (0x30...0x39).contains($0) }),
                part.count == 1 || part.first != 0x30
            else { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard value <= 255 else { return nil }
            octets.append(UInt16(value))
        }
        return [octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
    }
}

extension IPv6Address: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPv6Address(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an IPv6 address: \(text)")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}
