import MyceliumCore

extension Subnet {
    /// Parses a topic source as upstream's `parse_subnet_str` does (`mycelium/src/message/topic.rs`): `address/prefix`
    /// or a bare address (a /128, or /32 for IPv4), IPv6 or IPv4. An IPv4 source (which upstream accepts but which can
    /// never match an overlay sender) becomes its IPv4-mapped IPv6 prefix, `::ffff:a.b.c.d/(96+n)`, which cannot match
    /// one either.
    public init?(topicSource text: String) {
        if let subnet = Subnet(text) {
            self = subnet
            return
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let host = String(parts[0])
        guard host.contains("."), !host.contains(":"), let mapped = IPv6Address("::ffff:" + host) else { return nil }
        guard parts.count == 2 else {
            self.init(address: mapped, prefixLength: 128)
            return
        }
        let lengthText = parts[1]
        guard (1...2).contains(lengthText.count), lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let length = Int(lengthText), length <= 32
        else { return nil }
        self.init(address: mapped, prefixLength: 96 + length)
    }
}
