import MyceliumCore
import Testing

/// Route hold times and expiry (spec §3.4, §3.8 "Expiry").
@Suite("RouterStateMachine: expiry")
struct RouterStateMachineExpiryTests {
    @Test func holdTimeIsThreeAndAHalfIntervals() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        let y = try RouterTestNode(2)
        harness.connect(.peerA)
        harness.receive(x.update(seqno: 0, metric: 0), from: .peerA)
        harness.receive(y.update(seqno: 0, metric: 0, interval: 1000), from: .peerA)
        #expect(harness.selectedRoute(to: x)?.expiresAt == harness.now + .seconds(1050))
        #expect(harness.selectedRoute(to: y)?.expiresAt == harness.now + .seconds(35))
    }

    @Test func anExpiredSelectedRouteBecomesARetractionThenDisappears() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        let expiry = try #require(harness.selectedRoute(to: x)?.expiresAt)

        let before = harness.advance(to: expiry - .milliseconds(1))
        #expect(!before.contains(.routeLost(x.subnet)))
        #expect(harness.selectedRoute(to: x) != nil)
        // Only our own route went out meanwhile (every 300 s): learned routes are not re-advertised.
        #expect(Set(before.updates.map(\.update)) == [harness.ownAnnouncement()])

        let atExpiry = harness.advance(to: expiry).routing
        let retraction = harness.retraction(of: x.subnet)
        #expect(
            atExpiry == [
                .send(.seqnoRequest(x.seqnoRequest(seqno: 6)), to: .peerA),
                .send(.update(retraction), to: .peerA),
                .send(.update(retraction), to: .peerB),
                .routeLost(x.subnet),
            ]
        )
        #expect(harness.selectedRoute(to: x) == nil)
        let held = try #require(harness.routes(to: x).first)
        #expect(held.metric == .infinite)
        #expect(held.expiresAt == expiry + .seconds(6))
        #expect(harness.router.publicKey(for: x.address) == x.publicKey)
        #expect(harness.router.counters.expiredSelectedRoutes == 1)

        #expect(harness.advance(to: expiry + .milliseconds(5999)).routing.isEmpty)
        #expect(harness.routes(to: x).count == 1)
        #expect(harness.advance(to: expiry + .seconds(6)).routing.isEmpty)
        #expect(harness.routes(to: x).isEmpty)
        #expect(harness.router.publicKey(for: x.address) == nil)
        #expect(harness.router.counters.expiredRoutes == 1)
    }

    @Test func anExpiredFallbackIsDeletedQuietly() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 110, interval: 100), from: .peerB)  // held 3.5 s
        #expect(harness.routes(to: x).count == 2)

        #expect(harness.advance(by: .milliseconds(3499)).routing.isEmpty)
        #expect(harness.routes(to: x).count == 2)
        #expect(harness.advance(by: .milliseconds(1)).routing.isEmpty)
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA])
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)
    }

    @Test func whenTheSelectedRouteExpiresTheFallbackTakesOver() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.connect(.peerC)
        harness.receive(x.update(seqno: 5, metric: 100, interval: 100), from: .peerA)  // held 3.5 s
        harness.receive(x.update(seqno: 5, metric: 125), from: .peerB)  // 155 against 130
        let actions = harness.advance(by: .milliseconds(3500)).routing
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerB)
        #expect(!actions.contains(.routeLost(x.subnet)))
        // 155 against the 130 advertised: a triggered update to all but the new next hop.
        let expected = x.announcement(seqno: 5, metric: 155)
        #expect(actions == [.send(.update(expected), to: .peerA), .send(.update(expected), to: .peerC)])
    }

    @Test func whenTheSelectedRouteExpiresTheNewSelectionIsAnnouncedEvenIfItsMetricIsClose() throws {
        // Spec §3.8: the expiry of a selected route re-runs selection and sends a triggered update (upstream:
        // `process_expired_route_keys` always calls `trigger_update`).
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.connect(.peerC)
        harness.receive(x.update(seqno: 5, metric: 100, interval: 100), from: .peerA)  // 130, held 3.5 s
        harness.receive(x.update(seqno: 5, metric: 105), from: .peerB)  // 135
        let actions = harness.advance(by: .milliseconds(3500)).routing
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerB)
        let expected = x.announcement(seqno: 5, metric: 135)
        #expect(actions == [.send(.update(expected), to: .peerA), .send(.update(expected), to: .peerC)])
    }

    @Test func retractionsAreHeldSixSeconds() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 110), from: .peerB)
        harness.receive(x.retraction(seqno: 5), from: .peerB)
        #expect(harness.routes(to: x).first { $0.neighbour == .peerB }?.expiresAt == harness.now + .seconds(6))
        harness.advance(by: .seconds(6))
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA])
    }

    @Test func anUpdateWithIntervalZeroExpiresAtOnce() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        let acquired = harness.receive(x.update(seqno: 5, metric: 100, interval: 0), from: .peerA)
        #expect(acquired.contains(.routeAcquired(x.subnet)))
        #expect(harness.router.nextDeadline == harness.now)
        let actions = harness.advance(by: .zero)
        #expect(actions.contains(.routeLost(x.subnet)))
        #expect(harness.router.nextDeadline.map { $0 > harness.now } == true)
    }
}
