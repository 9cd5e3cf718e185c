import MyceliumCore

extension MailAddress {
    /// The domain suffix of overlay mail names: `<32 hex digits>.mycelium`.
    public static let overlayDomainSuffix = ".mycelium"

    /// The overlay node this address names, if its domain is an overlay form: the address literal
    /// `[IPv6:<addr>]` with `addr` in `400::/7`, or `<32 hex digits>.mycelium` (case-insensitive; the digits are the
    /// node address's 16 bytes, which must also lie in `400::/7`). `nil` for every other domain.
    public var overlayNode: IPv6Address? {
        let domain = Array(self.domain.utf8)
        let address: IPv6Address?
        if domain.first == UInt8(ascii: "["), domain.last == UInt8(ascii: "]"), domain.count >= 2 {
            var inner = SMTPByteCursor(domain.dropFirst().dropLast())
            guard inner.consumeCaseInsensitive("IPv6:") else { return nil }
            address = IPv6Address(String(decoding: inner.remaining, as: UTF8.self))
        } else {
            let suffix = Array(Self.overlayDomainSuffix.utf8)
            let hexCount = IPv6Address.byteCount * 2
            guard domain.count == hexCount + suffix.count else { return nil }
            var tail = SMTPByteCursor(domain[hexCount...])
            guard tail.consumeCaseInsensitive(Self.overlayDomainSuffix), tail.isAtEnd else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(IPv6Address.byteCount)
            var index = 0
            while index < hexCount {
                guard let high = Self.hexValue(domain[index]), let low = Self.hexValue(domain[index + 1]) else {
                    return nil
                }
                bytes.append(high << 4 | low)
                index += 2
            }
            address = IPv6Address(bytes: bytes)
        }
        guard let address, Subnet.overlay.contains(address) else { return nil }
        return address
    }

    /// Whether the domain is this host: `localhost`, `[127.0.0.1]` or `[IPv6:::1]` (any spelling of `::1`).
    public var isLocalhost: Bool {
        let domain = Array(self.domain.utf8)
        var cursor = SMTPByteCursor(domain[...])
        if cursor.consumeCaseInsensitive("localhost"), cursor.isAtEnd { return true }
        guard domain.count >= 2, domain.first == UInt8(ascii: "["), domain.last == UInt8(ascii: "]") else {
            return false
        }
        let literal = MailAddressParser.literalAddress(domain.dropFirst().dropLast())
        return literal == IPv6Address(high: 0, low: 1) || literal == IPv6Address(high: 0, low: 0xFFFF_7F00_0001)
    }

    /// `user@<32 hex digits>.mycelium`: the overlay mail address of `user` on the node with address `node`.
    public static func mycelium(user: String, node: IPv6Address) -> MailAddress {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(IPv6Address.byteCount * 2)
        for byte in node.bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return MailAddress(localPart: user, domain: String(decoding: hex, as: UTF8.self) + Self.overlayDomainSuffix)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
