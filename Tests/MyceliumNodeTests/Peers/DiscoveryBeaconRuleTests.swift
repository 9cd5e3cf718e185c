import Logging
import MyceliumCore
import NIOCore
import Synchronization
import Testing

@testable import MyceliumNode

/// The receive rules of link-local discovery and the interface filter, without sockets (spec §2.4).
@Suite("Link-local discovery rules")
struct DiscoveryBeaconRuleTests {
    let linkLocal = IPv6Address("fe80::2")

    func beacon(port: UInt16 = 9651, routerSeed: UInt8 = 2) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeDiscoveryBeacon(DiscoveryBeacon(tcpPort: port, routerID: try PeerFixtures.routerID(routerSeed)))
        return buffer
    }

    func evaluate(_ datagram: ByteBuffer, source: IPv6Address?, interface: String? = "eth0") throws
        -> DiscoveryBeaconRule.Verdict
    {
        DiscoveryBeaconRule.evaluate(
            datagram: datagram,
            source: source,
            interface: interface,
            ownRouterID: try PeerFixtures.routerID(1)
        )
    }

    @Test("a valid beacon from fe80::/64 yields tcp://[fe80::…%interface]:<port from the beacon>")
    func accepted() throws {
        let verdict = try self.evaluate(try self.beacon(port: 4242), source: self.linkLocal, interface: "veth7")
        #expect(verdict == .discovered(try PeerEndpoint(parsing: "tcp://[fe80::2%veth7]:4242")))
    }

    @Test(
        "sources outside fe80::/64 are ignored",
        arguments: ["fd00::2", "fe80:0:0:1::2", "2001:db8::1", "::ffff:192.168.1.2"])
    func notLinkLocal(source: String) throws {
        #expect(try self.evaluate(try self.beacon(), source: IPv6Address(source)) == .ignored(.notLinkLocal))
    }

    @Test("a non-IPv6 source, or a link-local one without its interface, is ignored")
    func missingPieces() throws {
        #expect(try self.evaluate(try self.beacon(), source: nil) == .ignored(.notLinkLocal))
        #expect(
            try self.evaluate(try self.beacon(), source: self.linkLocal, interface: nil) == .ignored(.missingInterface))
    }

    @Test("only exactly 50 bytes", arguments: [0, 10, 49, 51, 100])
    func length(count: Int) throws {
        var datagram = try self.beacon()
        if count < datagram.readableBytes {
            datagram = datagram.getSlice(at: 0, length: count) ?? ByteBuffer()
        } else {
            datagram.writeRepeatingByte(0, count: count - datagram.readableBytes)
        }
        #expect(try self.evaluate(datagram, source: self.linkLocal) == .ignored(.wrongLength))
    }

    @Test("wrong magic, our own router id, and port 0 are ignored")
    func otherRules() throws {
        var wrongMagic = try self.beacon()
        wrongMagic.setBytes(Array("myceliun".utf8), at: 0)
        #expect(try self.evaluate(wrongMagic, source: self.linkLocal) == .ignored(.wrongMagic))
        #expect(try self.evaluate(try self.beacon(routerSeed: 1), source: self.linkLocal) == .ignored(.ownBeacon))
        #expect(try self.evaluate(try self.beacon(port: 0), source: self.linkLocal) == .ignored(.malformed))
    }

    @Test("interface eligibility: up, multicast, not loopback or point-to-point, with fe80::/64, in the allow-list")
    func eligibility() {
        let good = DiscoveryInterface(
            name: "eth0",
            index: 2,
            isUp: true,
            isLoopback: false,
            isPointToPoint: false,
            supportsMulticast: true,
            hasLinkLocalAddress: true
        )
        #expect(good.isEligible(allowList: []))
        #expect(good.isEligible(allowList: ["eth0", "eth1"]))
        #expect(!good.isEligible(allowList: ["eth1"]))
        var down = good
        down.isUp = false
        var loopback = good
        loopback.isLoopback = true
        var pointToPoint = good
        pointToPoint.isPointToPoint = true
        var noMulticast = good
        noMulticast.supportsMulticast = false
        var noLinkLocal = good
        noLinkLocal.hasLinkLocalAddress = false
        for interface in [down, loopback, pointToPoint, noMulticast, noLinkLocal] {
            #expect(!interface.isEligible(allowList: []))
        }
    }

    @Test("the machine's loopback interface is found and is not eligible")
    func scanFindsLoopback() throws {
        let interfaces = try DiscoveryInterface.scan()
        let loopback = try #require(interfaces.first { $0.isLoopback })
        #expect(loopback.isUp)
        #expect(!loopback.isEligible(allowList: []))
    }

    @Test("configuration from the node: --disable-peer-discovery, port and interface list")
    func configuration() {
        var node = NodeConfiguration()
        #expect(LinkLocalDiscovery.Configuration(node: node).isEnabled)
        #expect(LinkLocalDiscovery.Configuration(node: node).port == 9650)
        node.disablePeerDiscovery = true
        node.peerDiscoveryPort = 19650
        node.peerDiscoveryInterfaces = ["eth1"]
        let configuration = LinkLocalDiscovery.Configuration(node: node)
        #expect(!configuration.isEnabled)
        #expect(configuration.port == 19650)
        #expect(configuration.interfaces == ["eth1"])
    }

    @Test("when disabled, the service binds nothing and returns at graceful shutdown")
    func disabled() async throws {
        let logs = LogRecorder()
        let sink = RecordingSink(port: 9651)
        let discovery = LinkLocalDiscovery(
            configuration: .init(isEnabled: false, port: 0),
            routerID: try PeerFixtures.routerID(1),
            peers: sink,
            logger: logs.logger()
        )
        try await withServices([discovery], logger: logs.logger()) { _ in
            try await eventually("disabled message") { logs.contains(.info, "discovery disabled") }
        }
        #expect(!logs.contains(.info, "discovery listening"))
    }
}

/// A `DiscoveredPeerSink` that records what discovery found.
final class RecordingSink: DiscoveredPeerSink {
    let port: Int
    let found = Mutex<[PeerEndpoint]>([])

    init(port: Int) {
        self.port = port
    }

    func listeningPort() async throws -> Int { self.port }

    func addDiscoveredPeer(_ endpoint: PeerEndpoint) -> Bool {
        self.found.withLock { found in
            guard !found.contains(endpoint) else { return false }
            found.append(endpoint)
            return true
        }
    }
}
