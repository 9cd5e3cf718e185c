import MyceliumCore
import MyceliumNode

extension NodeConfiguration {
    /// Merges as upstream's `merge_config` does (spec §6.2): a flag wins only if it differs from its built-in
    /// default; booleans are OR-ed; a non-empty `--peers` replaces the file's list; optional values take the flag,
    /// else the file.
    public init(flags: NodeConfiguration, file: ConfigFile) {
        self.init()
        func pick<Value: Equatable>(_ flag: Value, _ file: Value?, default value: Value) -> Value {
            flag != value ? flag : (file ?? value)
        }
        self.peers = flags.peers.isEmpty ? (file.peers ?? []) : flags.peers
        self.tcpListenPort = pick(flags.tcpListenPort, file.tcpListenPort, default: Self.defaultTCPListenPort)
        self.disableQUIC = flags.disableQUIC || (file.disableQUIC ?? false)
        self.quicListenPort = pick(flags.quicListenPort, file.quicListenPort, default: Self.defaultQUICListenPort)
        self.noTUN = flags.noTUN || (file.noTUN ?? false)
        self.tunName = pick(flags.tunName, file.tunName, default: Self.defaultTUNName)
        self.disablePeerDiscovery = flags.disablePeerDiscovery || (file.disablePeerDiscovery ?? false)
        self.peerDiscoveryPort = pick(
            flags.peerDiscoveryPort, file.peerDiscoveryPort, default: Self.defaultPeerDiscoveryPort
        )
        self.peerDiscoveryInterfaces =
            flags.peerDiscoveryInterfaces.isEmpty
            ? (file.peerDiscoveryInterfaces ?? []) : flags.peerDiscoveryInterfaces
        self.apiAddress = pick(flags.apiAddress, file.apiAddress, default: Self.defaultAPIAddress)
        self.jsonRPCAddress = pick(flags.jsonRPCAddress, file.jsonRPCAddress, default: Self.defaultJSONRPCAddress)
        self.metricsAPIAddress = flags.metricsAPIAddress ?? file.metricsAPIAddress
        self.firewallMark = flags.firewallMark ?? file.firewallMark
        self.updateWorkers = pick(flags.updateWorkers, file.updateWorkers, default: Self.defaultUpdateWorkers)
        self.topicConfig = flags.topicConfig ?? file.topicConfig
        self.cdnCache = flags.cdnCache ?? file.cdnCache
        self.enableDNS = flags.enableDNS || (file.enableDNS ?? false)
        self.vsockListenPort = flags.vsockListenPort ?? file.vsockListenPort
        self.networkName = flags.networkName ?? file.networkName
        self.networkKeyFile = flags.networkKeyFile ?? file.networkKeyFile
        self.stateDirectory = flags.stateDirectory ?? file.stateDirectory
        self.helloInterval = pick(
            flags.helloInterval, file.helloIntervalMilliseconds.map { .milliseconds($0) },
            default: Self.defaultHelloInterval
        )
        self.maximumMessageSize = pick(
            flags.maximumMessageSize, file.maximumMessageSize, default: Self.defaultMaximumMessageSize
        )
        self.messageRetryDuration = pick(
            flags.messageRetryDuration, file.messageRetrySeconds.map { .seconds($0) },
            default: Self.defaultMessageRetryDuration
        )
    }
}
