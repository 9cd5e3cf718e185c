import MyceliumCore
import MyceliumCrypto

/// An immutable snapshot of what the data plane needs from the router: for every known subnet the cipher shared with
/// its owner (spec §4.3: the raw X25519 secret, cached per subnet) and, if a route is selected, the link to forward
/// over. The router driver publishes a new one whenever its table changes; packet threads read the current one.
final class ForwardingTable: Sendable {
    struct Entry: Sendable {
        let subnet: Subnet
        /// The key that owns the subnet (a message's sender is reported with it).
        let publicKey: X25519.PublicKey
        let cipher: AES256GCM
        /// The selected route's next hop, or `nil` when the subnet only has fallback routes.
        let link: (any PeerLink)?
        /// When traffic over the selected route should ask for it again (its expiry − 15 s, spec §3.4).
        let refreshAt: MonotonicInstant?
    }

    static let empty = ForwardingTable(generation: 0, entries: [:])

    /// The router table generation this snapshot was built from.
    let generation: UInt64
    private let entries: [Subnet: Entry]
    private let lengthsLongestFirst: [UInt8]

    init(generation: UInt64, entries: [Subnet: Entry]) {
        self.generation = generation
        self.entries = entries
        self.lengthsLongestFirst = Set(entries.keys.map(\.prefixLength)).sorted(by: >)
    }

    /// The entry of the most specific subnet containing `address`.
    func match(_ address: IPv6Address) -> Entry? {
        for length in self.lengthsLongestFirst {
            guard let subnet = Subnet(address: address, prefixLength: Int(length)) else { continue }
            if let entry = self.entries[subnet] { return entry }
        }
        return nil
    }
}
