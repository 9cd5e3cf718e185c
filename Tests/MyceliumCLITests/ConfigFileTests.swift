import Foundation
import MyceliumCLI
import MyceliumCore
import MyceliumNode
import Testing

@Suite("Configuration file and flag merging")
struct ConfigFileTests {
    @Test("every upstream key is read with its type")
    func allKeys() throws {
        let file = try ConfigFile(
            toml: """
                peers = ["tcp://188.40.132.242:9651", "quic://[2a01:4f8:212:fa6::2]:9651", "tcp://node.example:9651"]
                tcp_listen_port = 9000
                disable_quic = true
                quic_listen_port = 9001
                no_tun = true
                tun_name = "myc0"
                disable_peer_discovery = true
                peer_discovery_port = 9002
                peer_discovery_interfaces = ["eth0", "eth1"]
                api_addr = "127.0.0.1:8000"
                jsonrpc_addr = "[::1]:8001"
                metrics_api_address = "0.0.0.0:9999"
                firewall_mark = 30
                update_workers = 4
                topic_config = "/etc/mycelium/topics.toml"
                cdn_cache = "/var/cache/mycelium"
                enable_dns = false
                vsock_listen_port = 7000
                network_name = "private"
                network_key_file = "/etc/mycelium/network.key"
                state_dir = "/var/lib/mycelium"
                """,
            path: "test.toml"
        )
        #expect(file.peers?.map(\.description) == [
            "tcp://188.40.132.242:9651", "quic://[2a01:4f8:212:fa6::2]:9651", "tcp://node.example:9651",
        ])
        #expect(file.tcpListenPort == 9000 && file.quicListenPort == 9001 && file.peerDiscoveryPort == 9002)
        #expect(file.disableQUIC == true && file.noTUN == true && file.disablePeerDiscovery == true)
        #expect(file.enableDNS == false)
        #expect(file.tunName == "myc0")
        #expect(file.peerDiscoveryInterfaces == ["eth0", "eth1"])
        #expect(file.apiAddress == SocketAddress(host: "127.0.0.1", port: 8000))
        #expect(file.jsonRPCAddress == SocketAddress(host: "::1", port: 8001))
        #expect(file.metricsAPIAddress?.description == "0.0.0.0:9999")
        #expect(file.firewallMark == 30 && file.updateWorkers == 4 && file.vsockListenPort == 7000)
        #expect(file.topicConfig == "/etc/mycelium/topics.toml" && file.cdnCache == "/var/cache/mycelium")
        #expect(file.networkName == "private" && file.networkKeyFile == "/etc/mycelium/network.key")
        #expect(file.stateDirectory == "/var/lib/mycelium")
    }

    @Test("peers may be a single string, as upstream allows")
    func singlePeer() throws {
        let file = try ConfigFile(toml: #"peers = "tcp://[::1]:9651""#, path: "t.toml")
        #expect(file.peers?.map(\.description) == ["tcp://[::1]:9651"])
    }

    @Test(
        "bad files are refused with an error naming the key",
        arguments: [
            ("tcp_listen_port = \"x\"", "key 'tcp_listen_port' must be an integer"),
            ("tcp_listen_port = 70000", "key 'tcp_listen_port': 70000 is out of range"),
            ("no_tun = 1", "key 'no_tun' must be true or false"),
            ("peers = [\"udp://1.2.3.4:1\"]", "key 'peers': invalid endpoint 'udp://1.2.3.4:1'"),
            ("peers = 5", "key 'peers' must be an endpoint string or an array of them"),
            ("api_addr = \"localhost:8989\"", "key 'api_addr': 'localhost:8989' is not an IP socket address"),
            ("tun_name = \"a/b\"", "key 'tun_name': 'a/b' is not a valid interface name"),
            ("network_name = \"x\"", "key 'network_name': must be 2 to 64 bytes long"),
            ("tcp_listen_prot = 1", "unknown key 'tcp_listen_prot'"),
            ("peers = [", "t.toml:1"),
        ]
    )
    func badFiles(toml: String, message: String) {
        do {
            _ = try ConfigFile(toml: toml, path: "t.toml")
            Issue.record("accepted \(toml)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("a missing default file means no settings; a missing -c file is an error")
    func missing() throws {
        #expect(try ConfigFile.load(path: "/nonexistent/mycelium.toml", required: false) == ConfigFile())
        #expect(throws: ConfigError.notFound(path: "/nonexistent/mycelium.toml")) {
            try ConfigFile.load(path: "/nonexistent/mycelium.toml", required: true)
        }
    }

    @Test("default config path follows XDG_CONFIG_HOME, then ~/.config")
    func defaultPath() {
        #expect(ConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/mycelium/mycelium.toml")
        #expect(ConfigFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/mycelium/mycelium.toml")
    }

    @Test("flags override the file only when they differ from the default; booleans are OR-ed")
    func merge() throws {
        let file = try ConfigFile(
            toml: """
                peers = ["tcp://10.0.0.1:9651"]
                tcp_listen_port = 9000
                api_addr = "127.0.0.1:8000"
                no_tun = true
                disable_quic = false
                firewall_mark = 7
                """,
            path: "t.toml"
        )
        var flags = NodeConfiguration()
        flags.quicListenPort = 9100
        flags.disableQUIC = true
        var merged = NodeConfiguration(flags: flags, file: file)
        #expect(merged.peers.map(\.description) == ["tcp://10.0.0.1:9651"])
        #expect(merged.tcpListenPort == 9000)  // flag at default: the file wins
        #expect(merged.quicListenPort == 9100)  // flag differs from default: the flag wins
        #expect(merged.apiAddress.port == 8000)
        #expect(merged.noTUN && merged.disableQUIC)
        #expect(merged.firewallMark == 7)
        #expect(merged.jsonRPCAddress == NodeConfiguration.defaultJSONRPCAddress)

        flags.peers = [try PeerEndpoint(parsing: "tcp://10.0.0.2:9651")]
        flags.tcpListenPort = 9200
        merged = NodeConfiguration(flags: flags, file: file)
        #expect(merged.peers.map(\.description) == ["tcp://10.0.0.2:9651"])
        #expect(merged.tcpListenPort == 9200)
    }

    @Test("the documented example config parses")
    func exampleConfig() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/mycelium.toml").path
        let file = try ConfigFile.load(path: path, required: true)
        #expect(file.peers == [])
        #expect(file.disablePeerDiscovery == true)
    }

    @Test("the daemon refuses a bad config file with a one-line error naming the key")
    func daemonBadConfig() throws {
        let directory = try TemporaryDirectory()
        let config = directory.path + "/bad.toml"
        try "tcp_listen_port = \"nine\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try MyceliumProcess.run(["-c", config, "-k", directory.path + "/key.bin"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("tcp_listen_port"))
    }
}
