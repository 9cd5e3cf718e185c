import MyceliumCore

extension PeerManager {
    /// What the peer manager needs from the node's settings.
    public struct Configuration: Sendable {
        /// Upstream's reconnect loop period (spec §2.5, `PEER_CONNECT_INTERVAL`).
        public static let defaultReconnectInterval = Duration.seconds(5)
        /// How long one dial may take before it counts as failed.
        public static let defaultConnectTimeout = Duration.seconds(5)

        /// Peers from the command line and configuration file. Only `tcp://` is supported; others are logged and
        /// skipped.
        public var staticPeers: [PeerEndpoint]
        /// The listener's address: `::` is dual stack (IPv4 peers appear as `::ffff:a.b.c.d`).
        public var listenHost: String
        /// The TCP listen port; 0 picks a free one (see `PeerManager.listeningPort()`).
        public var tcpListenPort: Int
        public var reconnectInterval: Duration
        public var connectTimeout: Duration
        /// Queue bounds of every link.
        public var linkLimits: PeerLinkLimits

        public init(
            staticPeers: [PeerEndpoint] = [],
            listenHost: String = "::",
            tcpListenPort: Int = Int(NodeConfiguration.defaultTCPListenPort),
            reconnectInterval: Duration = Self.defaultReconnectInterval,
            connectTimeout: Duration = Self.defaultConnectTimeout,
            linkLimits: PeerLinkLimits = PeerLinkLimits()
        ) {
            self.staticPeers = staticPeers
            self.listenHost = listenHost
            self.tcpListenPort = tcpListenPort
            self.reconnectInterval = reconnectInterval
            self.connectTimeout = connectTimeout
            self.linkLimits = linkLimits
        }

        /// The peer manager settings of a node: its peers and TCP listen port.
        public init(node: NodeConfiguration) {
            self.init(staticPeers: node.peers, tcpListenPort: Int(node.tcpListenPort))
        }
    }
}
