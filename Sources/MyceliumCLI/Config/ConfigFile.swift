import Foundation
import MyceliumCore
import MyceliumMailGateway
import TOMLKit

/// The settings a TOML configuration file may hold (spec §6.2, upstream's `MyceliumConfig`), each `nil` when the
/// file does not set it. Types and values are checked here, so a bad file is refused with the key named.
public struct ConfigFile: Hashable, Sendable {
    public var peers: [PeerEndpoint]?
    public var tcpListenPort: UInt16?
    public var disableQUIC: Bool?
    public var quicListenPort: UInt16?
    public var noTUN: Bool?
    public var tunName: String?
    public var disablePeerDiscovery: Bool?
    public var peerDiscoveryPort: UInt16?
    public var peerDiscoveryInterfaces: [String]?
    public var apiAddress: SocketAddress?
    public var jsonRPCAddress: SocketAddress?
    public var metricsAPIAddress: SocketAddress?
    public var firewallMark: UInt32?
    public var updateWorkers: Int?
    public var topicConfig: String?
    public var cdnCache: String?
    public var enableDNS: Bool?
    public var vsockListenPort: UInt32?
    /// Private networks (`myceliumd-private`): the network name (2–64 bytes) and the 32-byte key file.
    public var networkName: String?
    public var networkKeyFile: String?
    /// Beyond upstream: where the node keeps its state (message store, gateway stores).
    public var stateDirectory: String?
    /// Beyond upstream: milliseconds between Hellos to each peer.
    public var helloIntervalMilliseconds: Int?
    /// Beyond upstream: the largest message payload the bus sends or accepts, in bytes.
    public var maximumMessageSize: Int?
    /// Beyond upstream: how long the bus keeps trying to deliver a message, in seconds.
    public var messageRetrySeconds: Int?
    /// Beyond upstream: the `[gateways.mail]` section, if present.
    public var mailGateway: MailGatewayConfiguration?

    /// Accepted range of `max_message_size` / `--max-message-size`: 1 byte to 1 GiB.
    public static let maximumMessageSizeRange = 1...(1 << 30)
    /// Accepted range of `message_retry_seconds` / `--message-retry-seconds`: 1 second to 10 years.
    public static let messageRetrySecondsRange = 1...(10 * 365 * 86_400)

    public init() {}

    /// Every key the file may contain.
    public static let keys: Set<String> = [
        "peers", "tcp_listen_port", "disable_quic", "quic_listen_port", "no_tun", "tun_name",
        "disable_peer_discovery", "peer_discovery_port", "peer_discovery_interfaces", "api_addr", "jsonrpc_addr",
        "metrics_api_address", "firewall_mark", "update_workers", "topic_config", "cdn_cache", "enable_dns",
        "vsock_listen_port", "network_name", "network_key_file", "state_dir",
        "hello_interval_ms", "max_message_size", "message_retry_seconds", "gateways",
    ]

    /// Longest configuration file read, in bytes.
    public static let maximumByteCount = 1 << 20

    /// Upstream's default location on Linux: `$XDG_CONFIG_HOME/mycelium/mycelium.toml`, else
    /// `~/.config/mycelium/mycelium.toml`.
    public static func defaultPath(environment: [String: String]) -> String {
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? "\(environment["HOME"] ?? "/root")/.config"
        return "\(base)/mycelium/mycelium.toml"
    }

    /// Loads `path`. A missing file is an error only if `required` (an explicit `-c`); otherwise it means "no
    /// settings", as upstream treats a missing default file.
    public static func load(path: String, required: Bool) throws(ConfigError) -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw .notFound(path: path) }
            return ConfigFile()
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard data.count <= maximumByteCount else {
            throw .unreadable(path: path, reason: "larger than \(maximumByteCount) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        return try ConfigFile(toml: text, path: path)
    }

    /// Parses TOML text; `path` is only used in error messages.
    public init(toml text: String, path: String) throws(ConfigError) {
        let table = try TOMLTable.parsing(text, path: path)
        let reader = ConfigTableReader(table: table, path: path)
        for key in table.keys.sorted() where !Self.keys.contains(key) {
            throw .unknownKey(path: path, key: key)
        }
        self.peers = try reader.peers()
        self.tcpListenPort = try reader.port("tcp_listen_port")
        self.disableQUIC = try reader.bool("disable_quic")
        self.quicListenPort = try reader.port("quic_listen_port")
        self.noTUN = try reader.bool("no_tun")
        self.tunName = try reader.interfaceName("tun_name")
        self.disablePeerDiscovery = try reader.bool("disable_peer_discovery")
        self.peerDiscoveryPort = try reader.port("peer_discovery_port")
        self.peerDiscoveryInterfaces = try reader.stringArray("peer_discovery_interfaces")
        self.apiAddress = try reader.socketAddress("api_addr")
        self.jsonRPCAddress = try reader.socketAddress("jsonrpc_addr")
        self.metricsAPIAddress = try reader.socketAddress("metrics_api_address")
        self.firewallMark = try reader.integer("firewall_mark", in: 0...Int(UInt32.max)).map(UInt32.init)
        self.updateWorkers = try reader.integer("update_workers", in: 1...1024)
        self.topicConfig = try reader.path("topic_config")
        self.cdnCache = try reader.path("cdn_cache")
        self.enableDNS = try reader.bool("enable_dns")
        self.vsockListenPort = try reader.integer("vsock_listen_port", in: 1...Int(UInt32.max)).map(UInt32.init)
        self.networkName = try reader.string("network_name")
        if let name = self.networkName, !(2...64).contains(name.utf8.count) {
            throw .invalidValue(path: path, key: "network_name", reason: "must be 2 to 64 bytes long")
        }
        self.networkKeyFile = try reader.path("network_key_file")
        self.stateDirectory = try reader.path("state_dir")
        self.helloIntervalMilliseconds = try reader.integer("hello_interval_ms", in: 50...20_000)
        self.maximumMessageSize = try reader.integer("max_message_size", in: Self.maximumMessageSizeRange)
        self.messageRetrySeconds = try reader.integer("message_retry_seconds", in: Self.messageRetrySecondsRange)
        try self.readGateways(reader)
    }
}

/// Typed access to a TOML table that turns every mismatch into a `ConfigError` naming the key (prefixed with the
/// table's own name for nested tables such as `gateways.mail`).
struct ConfigTableReader {
    let table: TOMLTable
    let path: String
    var keyPrefix = ""

    /// `key` as an error message names it.
    func qualified(_ key: String) -> String { self.keyPrefix + key }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = self.table[key] else { return nil }
        guard let string = value.string else { throw .wrongType(path: self.path, key: self.qualified(key), expected: "a string") }
        return string
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = self.table[key] else { return nil }
        guard let bool = value.bool else { throw .wrongType(path: self.path, key: self.qualified(key), expected: "true or false") }
        return bool
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = self.table[key] else { return nil }
        guard let integer = value.int else { throw .wrongType(path: self.path, key: self.qualified(key), expected: "an integer") }
        guard range.contains(integer) else {
            throw .invalidValue(
                path: self.path, key: self.qualified(key),
                reason: "\(integer) is out of range \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return integer
    }

    func port(_ key: String) throws(ConfigError) -> UInt16? {
        try self.integer(key, in: 0...Int(UInt16.max)).map(UInt16.init)
    }

    func path(_ key: String) throws(ConfigError) -> String? {
        guard let path = try self.string(key) else { return nil }
        guard !path.isEmpty, !path.contains("\0") else {
            throw .invalidValue(path: self.path, key: self.qualified(key), reason: "must be a non-empty path")
        }
        return path
    }

    func interfaceName(_ key: String) throws(ConfigError) -> String? {
        guard let name = try self.string(key) else { return nil }
        guard (1...15).contains(name.utf8.count), !name.contains("/"), !name.contains(" ") else {
            throw .invalidValue(path: self.path, key: self.qualified(key), reason: "'\(name)' is not a valid interface name")
        }
        return name
    }

    func stringArray(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = self.table[key] else { return nil }
        guard let array = value.array else {
            throw .wrongType(path: self.path, key: self.qualified(key), expected: "an array of strings")
        }
        var strings: [String] = []
        for element in array {
            guard let string = element.string else {
                throw .wrongType(path: self.path, key: self.qualified(key), expected: "an array of strings")
            }
            strings.append(string)
        }
        return strings
    }

    func socketAddress(_ key: String) throws(ConfigError) -> SocketAddress? {
        guard let text = try self.string(key) else { return nil }
        guard let address = SocketAddress(text) else {
            throw .invalidValue(
                path: self.path, key: self.qualified(key), reason: "'\(text)' is not an IP socket address such as 127.0.0.1:8989"
            )
        }
        return address
    }

    /// `peers` is a single endpoint string or an array of them, as upstream accepts.
    func peers() throws(ConfigError) -> [PeerEndpoint]? {
        let key = "peers"
        guard let value = self.table[key] else { return nil }
        let texts: [String]
        if let single = value.string {
            texts = [single]
        } else if let list = try? self.stringArray(key) {
            texts = list
        } else {
            throw .wrongType(path: self.path, key: self.qualified(key), expected: "an endpoint string or an array of them")
        }
        var endpoints: [PeerEndpoint] = []
        for text in texts {
            do {
                endpoints.append(try PeerEndpoint(parsing: text))
            } catch {
                throw .invalidValue(path: self.path, key: self.qualified(key), reason: "invalid endpoint '\(text)': \(error)")
            }
        }
        return endpoints
    }
}
