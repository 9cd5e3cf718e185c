import ArgumentParser
import MyceliumCore
import MyceliumNode

/// Upstream's node flags (spec §6.1). Values left at their defaults let the configuration file decide.
public struct NodeOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Peers to connect to, e.g. tcp://192.0.2.1:9651.")
    var peers: [PeerEndpoint] = []

    @Option(name: [.customShort("t"), .long], help: "TCP port to listen on for peers.")
    var tcpListenPort: UInt16 = NodeConfiguration.defaultTCPListenPort

    @Flag(name: .long, help: "Do not use QUIC for peering.")
    var disableQuic = false

    @Option(name: [.customShort("q"), .long], help: "UDP port to listen on for QUIC peers.")
    var quicListenPort: UInt16 = NodeConfiguration.defaultQUICListenPort

    @Option(name: .long, help: "UDP port for link-local peer discovery.")
    var peerDiscoveryPort: UInt16 = NodeConfiguration.defaultPeerDiscoveryPort

    @Flag(name: .long, help: "Do not discover peers on the local link.")
    var disablePeerDiscovery = false

    @Option(name: .customLong("peer-discovery-interface"), help: "Only discover peers on this interface (repeatable).")
    var peerDiscoveryInterfaces: [String] = []

    @Option(name: .long, help: "Address of the HTTP API.")
    var apiAddr: SocketAddress = NodeConfiguration.defaultAPIAddress

    @Option(name: .long, help: "Address of the JSON-RPC API.")
    var jsonrpcAddr: SocketAddress = NodeConfiguration.defaultJSONRPCAddress

    @Flag(name: .long, help: "Run without a TUN interface (routing and messages only).")
    var noTun = false

    @Option(name: .long, help: "Name of the TUN interface.")
    var tunName: String = NodeConfiguration.defaultTUNName

    @Option(name: .long, help: "Serve Prometheus metrics at this address.")
    var metricsApiAddress: SocketAddress?

    @Option(name: .long, help: "SO_MARK for all sockets.")
    var firewallMark: UInt32?

    @Option(name: .long, help: "Route update worker count.")
    var updateWorkers: Int = NodeConfiguration.defaultUpdateWorkers

    @Option(name: .long, help: "TOML file with topic access rules.")
    var topicConfig: String?

    @Option(name: .long, help: "Directory for the content cache.")
    var cdnCache: String?

    @Flag(name: .long, help: "Run the DNS forwarder.")
    var enableDns = false

    @Option(name: .long, help: "vsock port to listen on for peers.")
    var vsockListenPort: UInt32?

    @Option(name: .long, help: "Directory for the node's state (stores, queues).")
    var stateDir: String?

    @Option(
        name: .long,
        help: "Milliseconds between Hellos to each peer (50...20000); a peer silent for 3.6 intervals is dropped."
    )
    var helloInterval: Int = Int(NodeConfiguration.defaultHelloInterval.millisecondsClamped)

    @Option(name: .long, help: "Largest message payload the bus sends or accepts, in bytes (1 to 1073741824).")
    var maxMessageSize: Int = NodeConfiguration.defaultMaximumMessageSize

    @Option(name: .long, help: "Seconds the bus keeps trying to deliver a message (at least 1).")
    var messageRetrySeconds: Int = Int(NodeConfiguration.defaultMessageRetryDuration.components.seconds)

    public init() {}

    public mutating func validate() throws {
        guard (50...20_000).contains(self.helloInterval) else {
            throw ValidationError("--hello-interval must be between 50 and 20000 milliseconds")
        }
        guard ConfigFile.maximumMessageSizeRange.contains(self.maxMessageSize) else {
            throw ValidationError(
                "--max-message-size must be between 1 and \(ConfigFile.maximumMessageSizeRange.upperBound) bytes"
            )
        }
        guard ConfigFile.messageRetrySecondsRange.contains(self.messageRetrySeconds) else {
            let most = ConfigFile.messageRetrySecondsRange.upperBound
            throw ValidationError("--message-retry-seconds must be between 1 and \(most) seconds")
        }
    }

    /// The flags as a configuration, ready to merge with a file.
    var configuration: NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.peers = self.peers
        configuration.tcpListenPort = self.tcpListenPort
        configuration.disableQUIC = self.disableQuic
        configuration.quicListenPort = self.quicListenPort
        configuration.noTUN = self.noTun
        configuration.tunName = self.tunName
        configuration.disablePeerDiscovery = self.disablePeerDiscovery
        configuration.peerDiscoveryPort = self.peerDiscoveryPort
        configuration.peerDiscoveryInterfaces = self.peerDiscoveryInterfaces
        configuration.apiAddress = self.apiAddr
        configuration.jsonRPCAddress = self.jsonrpcAddr
        configuration.metricsAPIAddress = self.metricsApiAddress
        configuration.firewallMark = self.firewallMark
        configuration.updateWorkers = self.updateWorkers
        configuration.topicConfig = self.topicConfig
        configuration.cdnCache = self.cdnCache
        configuration.enableDNS = self.enableDns
        configuration.vsockListenPort = self.vsockListenPort
        configuration.stateDirectory = self.stateDir
        configuration.helloInterval = .milliseconds(self.helloInterval)
        configuration.maximumMessageSize = self.maxMessageSize
        configuration.messageRetryDuration = .seconds(self.messageRetrySeconds)
        return configuration
    }
}

extension PeerEndpoint: ExpressibleByArgument {
    public init?(argument: String) {
        guard let endpoint = try? PeerEndpoint(parsing: argument) else { return nil }
        self = endpoint
    }
}

extension SocketAddress: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }

    public var defaultValueDescription: String { self.description }
}
