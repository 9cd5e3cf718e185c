/// An IPv6 prefix: a network address and a prefix length (0–128). The host bits are always zero.
///
/// Text form `<address>/<length>`, e.g. `5a6:f0c6:f365:177d::/64`.
public struct Subnet: Hashable, Sendable {
    public let address: IPv6Address
    public let prefixLength: UInt8

    /// The prefix of `address` with `prefixLength` bits; `nil` if `prefixLength` > 128. Host bits are cleared.
    public init?(address: IPv6Address, prefixLength: Int) {
        guard (0...128).contains(prefixLength) else { return nil }
        self.address = address.masked(toPrefixLength: prefixLength)
        self.prefixLength = UInt8(prefixLength)
    }

    /// Whether `address` lies inside this prefix.
    public func contains(_ address: IPv6Address) -> Bool {
        address.masked(toPrefixLength: Int(self.prefixLength)) == self.address
    }

    /// Whether `other` lies entirely inside this prefix.
    public func contains(_ other: Subnet) -> Bool {
        other.prefixLength >= self.prefixLength && self.contains(other.address)
    }

    /// The whole Mycelium overlay range, `400::/7` (spec §1).
    public static let overlay = Subnet(uncheckedAddress: IPv6Address(high: 0x0400 << 48, low: 0), prefixLength: 7)

    /// The link-local range `fe80::/64` (address encoding 3, discovery beacons).
    public static let linkLocal = Subnet(uncheckedAddress: IPv6Address(high: 0xFE80 << 48, low: 0), prefixLength: 64)

    private init(uncheckedAddress: IPv6Address, prefixLength: UInt8) {
        self.address = uncheckedAddress
        self.prefixLength = prefixLength
    }
}

extension Subnet: CustomStringConvertible, LosslessStringConvertible {
    public var description: String { "\(self.address)/\(self.prefixLength)" }

    /// Parses `<address>/<length>`; a bare address is taken as a /128, as upstream's topic ACLs do.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPv6Address(String(parts[0])) else { return nil }
        if parts.count == 1 {
            self.init(address: address, prefixLength: 128)
            return
        }
        let lengthText = parts[1]
        guard (1...3).contains(lengthText.count), lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let length = Int(lengthText)
        else { return nil }
        self.init(address: address, prefixLength: length)
    }
}

extension Subnet: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let subnet = Subnet(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an IPv6 subnet: \(text)")
        }
        self = subnet
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}
