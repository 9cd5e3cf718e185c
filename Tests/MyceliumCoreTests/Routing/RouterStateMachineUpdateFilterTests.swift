import MyceliumCore
import Testing

/// Spec §3.6 steps 1 and 2: which Updates are refused before anything else happens.
@Suite("RouterStateMachine: update filters")
struct RouterStateMachineUpdateFilterTests {
    private func harness() throws -> RouterHarness {
        var harness = try RouterHarness()
        harness.connect(.peerA)
        harness.connect(.peerB)
        return harness
    }

    private func expectDenied(_ packet: ControlPacket, _ comment: Comment) throws {
        var harness = try self.harness()
        let actions = harness.receive(packet, from: .peerA)
        #expect(actions.isEmpty, comment)
        #expect(harness.router.counters.deniedUpdates == 1, comment)
        #expect(harness.router.selectedRoutes.isEmpty && harness.router.fallbackRoutes.isEmpty, comment)
    }

    @Test func outsideTheOverlayRangeIsDenied() throws {
        let x = try RouterTestNode(1)
        let outside = try CoreWireFixtures.subnet("2001:db8:1:2::/64")
        // A retraction passes the ownership clause, so only the range can refuse it.
        try self.expectDenied(x.retraction(seqno: 1, subnet: outside), "retraction outside 400::/7")
        try self.expectDenied(x.update(seqno: 1, metric: 10, subnet: outside), "update outside 400::/7")
        let neighbourRange = try CoreWireFixtures.subnet("600::/64")  // just past 400::/7
        try self.expectDenied(x.retraction(seqno: 1, subnet: neighbourRange), "600::/64")
    }

    @Test(arguments: [63, 48, 7, 0])
    func prefixesShorterThan64AreDenied(prefixLength: Int) throws {
        let x = try RouterTestNode(1)
        let short = try #require(Subnet(address: x.address, prefixLength: prefixLength))
        try self.expectDenied(x.update(seqno: 1, metric: 10, subnet: short), "/\(prefixLength) announcement")
        try self.expectDenied(x.retraction(seqno: 1, subnet: short), "/\(prefixLength) retraction")
    }

    @Test func longerPrefixesOwnedByTheRouterIDAreAccepted() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        let slash72 = try #require(Subnet(address: x.address, prefixLength: 72))
        let actions = harness.receive(x.update(seqno: 1, metric: 10, subnet: slash72), from: .peerA)
        #expect(actions.routing.contains(.routeAcquired(slash72)))
        #expect(harness.router.counters.deniedUpdates == 0)
    }

    @Test func aRouterIDThatDoesNotOwnTheSubnetIsDenied() throws {
        let x = try RouterTestNode(1)
        let y = try RouterTestNode(2)
        try self.expectDenied(y.update(seqno: 1, metric: 10, subnet: x.subnet), "y announcing x's /64")
    }

    @Test func aRetractionFromANonOwnerIsAccepted() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        let y = try RouterTestNode(2)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        #expect(harness.selectedRoute(to: x) != nil)
        // A neighbour retracts with its own router id (spec §3.8), which never owns the subnet.
        let actions = harness.receive(y.retraction(seqno: 3, subnet: x.subnet), from: .peerA)
        #expect(harness.router.counters.deniedUpdates == 0)
        #expect(actions.contains(.routeLost(x.subnet)))
        #expect(harness.selectedRoute(to: x) == nil)
    }

    @Test func ipv4PrefixesAreDenied() throws {
        let x = try RouterTestNode(1)
        let prefix = try #require(IPv4Prefix(address: CoreWireFixtures.ipv4(10, 1, 0, 0), prefixLength: 16))
        let update = Update(
            prefix: .ipv4(prefix),
            seqno: SeqNo(1),
            metric: Metric(1),
            interval: 30_000,
            routerID: x.routerID
        )
        try self.expectDenied(.update(update), "IPv4 announcement")
        var retraction = update
        retraction.metric = .infinite
        try self.expectDenied(.update(retraction), "IPv4 retraction")
    }

    @Test func updatesForOurOwnSubnetAreIgnored() throws {
        var harness = try self.harness()
        let own = harness.own
        #expect(harness.receive(own.update(seqno: 9, metric: 40), from: .peerA).isEmpty)
        #expect(harness.receive(own.retraction(seqno: 9), from: .peerA).isEmpty)
        // Even one carrying another router id of our own key (our previous run).
        #expect(harness.receive(try own.restarted().update(seqno: 0, metric: 40), from: .peerA).isEmpty)
        #expect(harness.router.selectedRoutes.isEmpty && harness.router.fallbackRoutes.isEmpty)
        #expect(harness.router.counters.deniedUpdates == 0)
    }
}
