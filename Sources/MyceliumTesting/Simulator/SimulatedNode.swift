import MyceliumCore
import MyceliumCrypto

/// A node of the simulated network, by index.
public struct NodeHandle: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: Int

    public init(_ index: Int) {
        self.index = index
    }

    public static func < (lhs: NodeHandle, rhs: NodeHandle) -> Bool { lhs.index < rhs.index }

    public var description: String { "n\(self.index)" }
}

/// One simulated node: a key, the router state machine running for it, and what it has sent.
public struct SimulatedNode: Sendable {
    /// The node's own handle.
    public let handle: NodeHandle
    /// The node's identity key, drawn from the simulator's seed.
    public let secretKey: X25519.SecretKey
    public let publicKey: X25519.PublicKey
    /// The node's /64 (its only own route); the same across restarts, since the key stays.
    public let subnet: Subnet
    /// The node's overlay address.
    public let address: IPv6Address
    /// The configuration every incarnation of this node's router uses.
    public let configuration: RouterConfiguration
    /// The current incarnation's router. A restart replaces it (new router id, fresh state).
    public internal(set) var router: RouterStateMachine
    /// Whether the node runs; a stopped node neither receives nor sends.
    public internal(set) var isRunning = true
    /// Bumped at every (re)start; wake-ups scheduled for an earlier incarnation are ignored.
    public internal(set) var incarnation = 0
    /// Link bytes (link header included) of every control packet this node sent, over all incarnations.
    public internal(set) var controlBytesSent = 0
    public internal(set) var controlPacketsSent = 0
    /// The router ids of earlier incarnations, oldest first.
    public internal(set) var previousRouterIDs: [RouterID] = []
    /// The subnets this node currently has a selected route for, kept from `.routeAcquired` / `.routeLost`.
    public internal(set) var selectedSubnets: Set<Subnet> = []
    /// The earliest wake-up already scheduled, so that a node is not woken more often than its deadlines need.
    var scheduledWake: MonotonicInstant?

    public var routerID: RouterID { self.router.routerID }

    init(
        handle: NodeHandle,
        secretKey: X25519.SecretKey,
        configuration: RouterConfiguration,
        router: RouterStateMachine
    ) {
        self.handle = handle
        self.secretKey = secretKey
        self.publicKey = secretKey.publicKey
        self.subnet = self.publicKey.nodeSubnet
        self.address = self.publicKey.overlayAddress
        self.configuration = configuration
        self.router = router
    }
}
