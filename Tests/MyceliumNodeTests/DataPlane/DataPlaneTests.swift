import Logging
import MyceliumCore
import MyceliumCrypto
import NIOCore
import Testing

@testable import MyceliumNode

/// Spec §4.2–4.5 on data planes wired to recording links and interfaces: what leaves, in which bytes, and what the
/// host is told when something cannot be sent.
@Suite struct DataPlaneTests {
    let a = DataPlaneUnderTest()
    let b = DataPlaneUnderTest()
    let c = DataPlaneUnderTest()

    /// ICMPv6 type and code of a packet written to the host, after checking its checksum.
    private func icmp(_ packet: [UInt8]) -> (type: UInt8, code: UInt8, source: IPv6Address, destination: IPv6Address)? {
        guard packet.count >= 48, packet[6] == 58 else { return nil }
        let source = IPv6Address(bytes: packet[8..<24])!
        let destination = IPv6Address(bytes: packet[24..<40])!
        guard ICMPv6Checksum.compute(source: source, destination: destination, message: packet[40...]) == 0 else {
            return nil
        }
        return (packet[40], packet[41], source, destination)
    }

    @Test func outboundPacketIsSealedToTheDestinationAndHopLimitDecremented() throws {
        let link = RecordingLink()
        self.a.install([(self.c.identity, link)])
        let packet = TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address, hopLimit: 64)
        self.a.dataPlane.sendFromHost(packet)

        let sent = try #require(link.packets.first)
        #expect(link.packets.count == 1)
        #expect(sent.source == self.a.identity.address)
        #expect(sent.destination == self.c.identity.address)
        #expect(sent.hopLimit == 63)
        // ciphertext ‖ tag ‖ nonce over `01 00 00 00 ‖ packet` (spec §4.3).
        #expect(sent.payload.readableBytes == 4 + packet.count + 28)
        let plaintext = try TestPackets.cipher(self.c.identity, self.a.identity).open(Array(sent.payload.readableBytesView))
        #expect(plaintext == [1, 0, 0, 0] + packet)
        #expect(self.a.interface.packets.isEmpty)
    }

    @Test func everyPacketGetsAFreshNonce() throws {
        let link = RecordingLink()
        self.a.install([(self.c.identity, link)])
        let packet = TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address)
        for _ in 0..<400 { self.a.dataPlane.sendFromHost(packet) }
        let nonces = Set(link.packets.map { Array($0.payload.readableBytesView.suffix(12)) })
        #expect(nonces.count == 400)
    }

    @Test func localChecksAnswerTheHostWithICMPv6() throws {
        let link = RecordingLink()
        self.a.install([(self.c.identity, link)])
        let own = self.a.identity.address
        var neighbourInOwnSubnet = own
        neighbourInOwnSubnet.low ^= 1

        // Destination in the own /64: Destination Unreachable, address unreachable (1/3).
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: own, to: neighbourInOwnSubnet))
        // Source outside 400::/7: 1/5.
        let foreign = IPv6Address("2001:db8::1")!
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: foreign, to: self.c.identity.address))
        // Hop limit 1: Time Exceeded (3/0).
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: own, to: self.c.identity.address, hopLimit: 1))
        // Not IPv6, too short, outside the overlay: dropped without a word.
        var ipv4 = TestPackets.ipv6(from: own, to: self.c.identity.address)
        ipv4[0] = 0x45
        self.a.dataPlane.sendFromHost(ipv4)
        self.a.dataPlane.sendFromHost(Array(repeating: 0x60, count: 39))
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: own, to: IPv6Address("ff02::2")!))

        let replies = self.a.interface.packets.map(self.icmp)
        #expect(replies.count == 3)
        #expect(replies[0]?.type == 1 && replies[0]?.code == 3 && replies[0]?.destination == own)
        #expect(replies[0]?.source == own)
        #expect(replies[1]?.type == 1 && replies[1]?.code == 5 && replies[1]?.destination == foreign)
        #expect(replies[2]?.type == 3 && replies[2]?.code == 0)
        // The error quotes the offending packet.
        let quoted = self.a.interface.packets[2].suffix(from: 48)
        #expect(Array(quoted) == TestPackets.ipv6(from: own, to: self.c.identity.address, hopLimit: 1))
        #expect(link.packets.isEmpty)
    }

    @Test func packetsWaitForARouteAndLeaveInOrderWhenItArrives() throws {
        let first = TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address, payload: [1])
        let second = TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address, payload: [2])
        self.a.dataPlane.sendFromHost(first)
        self.a.dataPlane.sendFromHost(second)
        // One route request for the /64, not one per packet.
        #expect(self.a.requests.all == [self.c.identity.address])

        let link = RecordingLink()
        self.a.install([(self.c.identity, link)])
        let cipher = try TestPackets.cipher(self.a.identity, self.c.identity)
        let delivered = try link.packets.map { try cipher.open(Array($0.payload.readableBytesView)) }
        #expect(delivered == [[1, 0, 0, 0] + first, [1, 0, 0, 0] + second])
    }

    @Test func anExpiredQueryAnswersEveryWaitingPacketWithNoRoute() throws {
        for byte in UInt8(0)..<3 {
            self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address, payload: [byte]))
        }
        self.a.dataPlane.queryExpired(self.c.identity.subnet)
        let replies = self.a.interface.packets.compactMap(self.icmp)
        #expect(replies.count == 3)
        #expect(replies.allSatisfy { $0.type == 1 && $0.code == 0 && $0.destination == self.a.identity.address })
        #expect(self.a.interface.flushes >= 1)
        #expect(self.a.dataPlane.counters.droppedNoRoute.load(ordering: .relaxed) == 3)
    }

    @Test func queuesAreBoundedPerSubnet() throws {
        var limits = DataPlane.Limits()
        limits.outbound.perSubnet = 2
        let node = DataPlaneUnderTest(limits: limits)
        for _ in 0..<3 {
            node.dataPlane.sendFromHost(TestPackets.ipv6(from: node.identity.address, to: self.c.identity.address))
        }
        // The third is refused at once with "no route".
        #expect(node.interface.packets.compactMap(self.icmp).map(\.type) == [1])
        #expect(node.dataPlane.counters.droppedQueueFull.load(ordering: .relaxed) == 1)
    }

    @Test func destinationDecryptsWithTheSourcesKeyAndCopiesTheOuterHopLimit() throws {
        let toB = RecordingLink()
        self.a.install([(self.c.identity, toB)])
        let packet = TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address, hopLimit: 64)
        self.a.dataPlane.sendFromHost(packet)
        var onWire = try #require(toB.packets.first)
        onWire.hopLimit = 40

        // C knows A's subnet only through a fallback route (no selected route): decryption uses any route.
        self.c.install([(self.a.identity, nil)])
        self.c.dataPlane.route(onWire)
        var expected = packet
        expected[7] = 39
        #expect(self.c.interface.packets == [expected])
    }

    @Test func packetsFromAnUnknownSenderWaitForItsKey() throws {
        let toB = RecordingLink()
        self.a.install([(self.c.identity, toB)])
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address))
        let onWire = try #require(toB.packets.first)

        self.c.dataPlane.route(onWire)
        #expect(self.c.interface.packets.isEmpty)
        #expect(self.c.requests.all == [self.a.identity.address])
        self.c.install([(self.a.identity, RecordingLink())])
        #expect(self.c.interface.packets.count == 1)
    }

    @Test func tamperedBlobsAreDropped() throws {
        let toB = RecordingLink()
        self.a.install([(self.c.identity, toB)])
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address))
        var onWire = try #require(toB.packets.first)
        var bytes = Array(onWire.payload.readableBytesView)
        bytes[10] ^= 0x80
        onWire.payload = ByteBuffer(bytes: bytes)
        self.c.install([(self.a.identity, nil)])
        self.c.dataPlane.route(onWire)
        // A blob shorter than tag and nonce, too.
        onWire.payload = ByteBuffer(bytes: [1, 2, 3])
        self.c.dataPlane.route(onWire)
        #expect(self.c.interface.packets.isEmpty)
        #expect(self.c.dataPlane.counters.droppedDecryption.load(ordering: .relaxed) == 2)
    }

    @Test func intermediateRoutersForwardWithoutDecrypting() throws {
        let aToB = RecordingLink()
        let bToC = RecordingLink()
        self.a.install([(self.c.identity, aToB)])
        self.b.install([(self.c.identity, bToC), (self.a.identity, RecordingLink())])
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address))
        let fromA = try #require(aToB.packets.first)
        self.b.dataPlane.route(fromA)

        let forwarded = try #require(bToC.packets.first)
        #expect(forwarded.hopLimit == fromA.hopLimit - 1)
        #expect(forwarded.payload == fromA.payload)
        #expect(self.b.interface.packets.isEmpty)
    }

    @Test func anIntermediateRouterReportsASpentHopLimitAndTheSourceShowsIt() throws {
        let aToB = RecordingLink()
        let bToA = RecordingLink()
        self.a.install([(self.c.identity, aToB), (self.b.identity, aToB)])
        self.b.install([(self.c.identity, RecordingLink()), (self.a.identity, bToA)])
        // traceroute's second probe: hop limit 2 leaves A with 1, which B cannot forward (spec §4.5).
        let probe = TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address, hopLimit: 2)
        self.a.dataPlane.sendFromHost(probe)
        let fromA = try #require(aToB.packets.first)
        #expect(fromA.hopLimit == 1)
        self.b.dataPlane.route(fromA)

        // B's report: from its /64 network address to A, encrypted for A.
        let report = try #require(bToA.packets.first)
        #expect(report.source == self.b.identity.subnet.address)
        #expect(report.destination == self.a.identity.address)
        let opened = try TestPackets.cipher(self.a.identity, self.b.identity).open(Array(report.payload.readableBytesView))
        #expect(Array(opened.prefix(4)) == [1, 2, 0, 0])

        // A turns it into Time Exceeded from B's subnet address, quoting the probe.
        self.a.dataPlane.route(report)
        let shown = try #require(self.a.interface.packets.first)
        let header = try #require(self.icmp(shown))
        #expect(header.type == 3 && header.code == 0)
        #expect(header.source == self.b.identity.subnet.address)
        #expect(header.destination == self.a.identity.address)
        #expect(Array(shown.suffix(from: 48)) == probe)
    }

    @Test func aRouterWithoutASelectedRouteReportsNoRoute() throws {
        let bToA = RecordingLink()
        // B knows C's subnet only through a fallback route.
        self.b.install([(self.c.identity, nil), (self.a.identity, bToA)])
        let aToB = RecordingLink()
        self.a.install([(self.c.identity, aToB), (self.b.identity, aToB)])
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: self.a.identity.address, to: self.c.identity.address))
        self.b.dataPlane.route(try #require(aToB.packets.first))
        self.a.dataPlane.route(try #require(bToA.packets.first))
        let header = try #require(self.a.interface.packets.first.flatMap(self.icmp))
        #expect(header.type == 1 && header.code == 0)
        #expect(header.source == self.b.identity.subnet.address)
    }

    @Test func packetsForANodeWithoutTUNAreCountedAndDropped() throws {
        let identity = NodeIdentity(secretKey: .generate())
        let routingOnly = DataPlane(
            identity: identity, interface: nil, logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { _ in }
        let toB = RecordingLink()
        self.a.install([(identity, toB)])
        self.a.dataPlane.sendFromHost(TestPackets.ipv6(from: self.a.identity.address, to: identity.address))
        routingOnly.routesChanged(
            generation: 1,
            subnets: [
                DataPlane.KnownSubnet(
                    subnet: self.a.identity.subnet, publicKey: self.a.identity.publicKey, link: nil, expiresAt: nil
                )
            ]
        )
        routingOnly.route(try #require(toB.packets.first))
        #expect(routingOnly.counters.droppedNoInterface.load(ordering: .relaxed) == 1)
    }
}
