import MyceliumCore

/// The settings a node runs with: command-line flags merged over the configuration file over the defaults.
public struct NodeConfiguration: Hashable, Sendable {
    public static let defaultTCPListenPort: UInt16 = 9651
    public static let defaultQUICListenPort: UInt16 = 9651
    public static let defaultPeerDiscoveryPort: UInt16 = 9650
    public static let defaultAPIAddress = SocketAddress(host: "127.0.0.1", port: 8989)
    public static let defaultJSONRPCAddress = SocketAddress(host: "127.0.0.1", port: 8990)
    public static let defaultTUNName = "mycelium"
    public static let defaultUpdateWorkers = 1
    /// Our Hello rhythm (upstream: 20 s). A neighbour is given up after 3.6 intervals without an IHU.
    public static let defaultHelloInterval = Duration.milliseconds(250)
    /// Beyond upstream (which has no limit but its HTTP body limit): the largest message the bus sends or accepts.
    public static let defaultMaximumMessageSize = 64 << 20
    /// Beyond upstream (a fixed 5 minutes): how long the bus keeps trying to deliver a message.
    public static let defaultMessageRetryDuration = Duration.seconds(24 * 3600)

    public var peers: [PeerEndpoint] = []
    public var tcpListenPort = defaultTCPListenPort
    public var disableQUIC = false
    public var quicListenPort = defaultQUICListenPort
    public var noTUN = false
    public var tunName = defaultTUNName
    public var disablePeerDiscovery = false
    public var peerDiscoveryPort = defaultPeerDiscoveryPort
    public var peerDiscoveryInterfaces: [String] = []
    public var apiAddress = defaultAPIAddress
    public var jsonRPCAddress = defaultJSONRPCAddress
    public var metricsAPIAddress: SocketAddress?
    public var firewallMark: UInt32?
    public var updateWorkers = defaultUpdateWorkers
    public var topicConfig: String?
    /// The message bus's topic policy: the `--topic-config` file's content, or the default (accept everything).
    public var topicPolicy = TopicPolicy()
    public var maximumMessageSize = defaultMaximumMessageSize
    public var messageRetryDuration = defaultMessageRetryDuration
    public var cdnCache: String?
    public var enableDNS = false
    public var vsockListenPort: UInt32?
    public var networkName: String?
    public var networkKeyFile: String?
    /// Where the node keeps its state; `nil` means the default under the XDG data directory.
    public var stateDirectory: String?
    /// Beyond upstream: how often peers get a Hello, which bounds how long a silently dead link goes unnoticed.
    public var helloInterval = defaultHelloInterval

    public init() {}
}
