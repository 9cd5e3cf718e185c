import MyceliumCore
import MyceliumCrypto

/// Everything the admin API (HTTP, JSON-RPC, metrics) and the CLI's `peers`/`routes` verbs can ask of a running
/// node (spec §5.5–5.6, §6.3).
public protocol NodeAdministration: Sendable {
    var info: NodeInfo { get }
    func peers() async -> [PeerStatus]
    func addPeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError)
    func removePeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError)
    func selectedRoutes() async -> [RouteStatus]
    func fallbackRoutes() async -> [RouteStatus]
    func queriedSubnets() async -> [QueriedSubnetStatus]
    /// The public key of the node owning `address`, known once a route to its subnet was accepted.
    func publicKey(for address: IPv6Address) async -> X25519.PublicKey?
    /// Counters and gauges for the Prometheus endpoint.
    func metrics() async -> [MetricSample]
}

/// `GET /api/v1/admin`.
public struct NodeInfo: Hashable, Sendable {
    public var subnet: Subnet
    public var address: IPv6Address
    public var publicKey: X25519.PublicKey
    /// Unix time, seconds, when the node started.
    public var startTime: UInt64

    public init(subnet: Subnet, address: IPv6Address, publicKey: X25519.PublicKey, startTime: UInt64) {
        self.subnet = subnet
        self.address = address
        self.publicKey = publicKey
        self.startTime = startTime
    }
}

/// One entry of `GET /api/v1/admin/peers`.
public struct PeerStatus: Hashable, Sendable {
    public enum Origin: String, Hashable, Sendable {
        case `static`
        case inbound
        case linkLocalDiscovery
    }

    public enum ConnectionState: String, Hashable, Sendable {
        case alive
        case connecting
        case dead
    }

    /// For inbound peers, `tcp://` plus the remote socket address.
    public var endpoint: PeerEndpoint
    public var origin: Origin
    public var connectionState: ConnectionState
    public var txBytes: UInt64
    public var rxBytes: UInt64
    /// Seconds since the peer was added.
    public var discovered: UInt64
    /// Seconds since the last connection was established, if ever.
    public var lastConnected: UInt64?

    public init(
        endpoint: PeerEndpoint,
        origin: Origin,
        connectionState: ConnectionState,
        txBytes: UInt64,
        rxBytes: UInt64,
        discovered: UInt64,
        lastConnected: UInt64?
    ) {
        self.endpoint = endpoint
        self.origin = origin
        self.connectionState = connectionState
        self.txBytes = txBytes
        self.rxBytes = rxBytes
        self.discovered = discovered
        self.lastConnected = lastConnected
    }
}

/// Why adding or removing a peer failed; mapped once to HTTP 400/404/409 and JSON-RPC −32009…−32012.
public enum PeerManagementError: Error, Hashable, Sendable {
    case invalidEndpoint(String)
    case alreadyExists(PeerEndpoint)
    case notFound(PeerEndpoint)
    case unsupportedTransport(PeerEndpoint, reason: String)
}

extension PeerManagementError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidEndpoint(let reason): "invalid endpoint: \(reason)"
        case .alreadyExists(let endpoint): "\(endpoint) is already a peer"
        case .notFound(let endpoint): "\(endpoint) is not a peer"
        case .unsupportedTransport(let endpoint, let reason): "\(endpoint): \(reason)"
        }
    }
}

/// One entry of `GET /api/v1/admin/routes/selected|fallback`.
public struct RouteStatus: Hashable, Sendable {
    public var subnet: Subnet
    /// The link the route goes through, as `PeerLink.connectionDescription`.
    public var nextHop: String
    /// The route's cost from this node (advertised metric + link cost); infinite for a retraction.
    public var metric: Metric
    public var seqno: SeqNo
    public var routerID: RouterID

    public init(subnet: Subnet, nextHop: String, metric: Metric, seqno: SeqNo, routerID: RouterID) {
        self.subnet = subnet
        self.nextHop = nextHop
        self.metric = metric
        self.seqno = seqno
        self.routerID = routerID
    }
}

/// One entry of `GET /api/v1/admin/routes/queried`.
public struct QueriedSubnetStatus: Hashable, Sendable {
    public var subnet: Subnet
    /// Seconds until the query expires.
    public var expiresIn: UInt64

    public init(subnet: Subnet, expiresIn: UInt64) {
        self.subnet = subnet
        self.expiresIn = expiresIn
    }
}

/// One Prometheus sample: `name{labels} value`, with its help text and type.
public struct MetricSample: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case counter
        case gauge
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var labels: [String: String]
    public var value: Double

    public init(name: String, help: String, kind: Kind, labels: [String: String] = [:], value: Double) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
        self.value = value
    }
}
