import MyceliumCrypto

/// A node's static identity: its X25519 key pair and everything derived from it (spec §1).
public struct NodeIdentity: Sendable {
    public let secretKey: X25519.SecretKey
    public let publicKey: X25519.PublicKey
    /// The node's overlay address inside `400::/7`.
    public let address: IPv6Address
    /// The node's /64, its only own route.
    public let subnet: Subnet

    public init(secretKey: X25519.SecretKey) {
        self.secretKey = secretKey
        self.publicKey = secretKey.publicKey
        self.address = self.publicKey.overlayAddress
        self.subnet = self.publicKey.nodeSubnet
    }

    /// A router id for this run of the node (a fresh random tail each time).
    public func makeRouterID(using generator: inout some RandomNumberGenerator) -> RouterID {
        RouterID(publicKey: self.publicKey, using: &generator)
    }
}
