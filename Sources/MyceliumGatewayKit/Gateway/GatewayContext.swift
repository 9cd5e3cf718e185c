import Logging
import MyceliumCore
import MyceliumCrypto

/// What the process running a gateway gives it.
public struct GatewayContext: Sendable {
    /// The node's message bus: in-process, or another node's HTTP API.
    public var bus: any MessageBus
    /// The node this gateway speaks for: its overlay address and public key name it to remote nodes.
    public var node: GatewayNode
    /// The node's state directory (`state_dir`); each gateway keeps its store in `gateways/<name>` under it.
    public var stateDirectory: String
    /// The local accounts clients log in with (shared by every gateway).
    public var accounts: AccountStore
    public var logger: Logger

    public init(
        bus: any MessageBus, node: GatewayNode, stateDirectory: String, accounts: AccountStore, logger: Logger
    ) {
        self.bus = bus
        self.node = node
        self.stateDirectory = stateDirectory
        self.accounts = accounts
        self.logger = logger
    }

    /// `state_dir/gateways/<name>`: the store directory of the gateway called `name`.
    public func storeDirectory(for name: String) -> String {
        self.stateDirectory + "/gateways/" + name
    }
}

/// The node a gateway speaks for.
public struct GatewayNode: Hashable, Sendable {
    public var address: IPv6Address
    public var publicKey: X25519.PublicKey

    public init(address: IPv6Address, publicKey: X25519.PublicKey) {
        self.address = address
        self.publicKey = publicKey
    }

    public init(publicKey: X25519.PublicKey) {
        self.init(address: publicKey.overlayAddress, publicKey: publicKey)
    }
}
