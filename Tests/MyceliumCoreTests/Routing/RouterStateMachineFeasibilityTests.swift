import MyceliumCore
import Testing

/// The source table and feasibility (spec §3.5), and the branches of steps 3–5 of Update processing (spec §3.6).
/// Every neighbour has link cost 30 (20 ms + 10 for TCP over IPv6).
@Suite("RouterStateMachine: feasibility and update processing")
struct RouterStateMachineFeasibilityTests {
    private func harness(_ neighbours: [NeighbourID] = [.peerA, .peerB, .peerC]) throws -> RouterHarness {
        var harness = try RouterHarness()
        for neighbour in neighbours { harness.connect(neighbour) }
        return harness
    }

    private func seqnoRequest(for node: RouterTestNode, seqno: UInt16, to id: NeighbourID) -> RouterAction {
        .send(.seqnoRequest(node.seqnoRequest(seqno: seqno)), to: id)
    }

    // MARK: Source table (§3.5)

    @Test func afterAnnouncingOnlyABetterMetricOrANewerSeqnoIsFeasible() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // we announce (5, 130)

        #expect(harness.receive(x.update(seqno: 5, metric: 130), from: .peerB).isEmpty)
        #expect(harness.receive(x.update(seqno: 5, metric: 4000), from: .peerB).isEmpty)
        #expect(harness.routes(to: x).count == 1, "same seqno, metric ≥ 130: infeasible, not kept")

        #expect(harness.receive(x.update(seqno: 5, metric: 129), from: .peerB).isEmpty)
        #expect(harness.routes(to: x).count == 2, "same seqno, metric < 130: feasible fallback")

        #expect(harness.receive(x.update(seqno: 6, metric: 4000), from: .peerC).isEmpty)
        #expect(harness.routes(to: x).count == 3, "newer seqno: feasible whatever the metric")
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)
    }

    @Test func seqnoComparisonWrapsAround() throws {
        var harness = try self.harness([.peerA, .peerB, .peerC, .peerD])
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 65_535, metric: 100), from: .peerA)  // we announce (65535, 130)

        harness.receive(x.update(seqno: 65_534, metric: 1), from: .peerB)
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA], "65534 is older than 65535")
        harness.receive(x.update(seqno: 32_767, metric: 1), from: .peerB)
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA], "32767 is exactly half the space away: unordered")

        harness.receive(x.update(seqno: 0, metric: 5000), from: .peerC)
        #expect(Set(harness.routes(to: x).map(\.neighbour)) == [.peerA, .peerC], "0 is newer than 65535")
        harness.receive(x.update(seqno: 65_535, metric: 129), from: .peerD)
        #expect(Set(harness.routes(to: x).map(\.neighbour)) == [.peerA, .peerC, .peerD])
    }

    @Test func retractionsAreAlwaysFeasible() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 110), from: .peerB)
        let actions = harness.receive(x.retraction(seqno: 1), from: .peerB)  // old seqno, still applied
        #expect(harness.routes(to: x).first { $0.neighbour == .peerB }?.metric == .infinite)
        // Ours (`answersRetractions`): B is told of our route, which does not go through it.
        #expect(actions == [.send(.update(x.announcement(seqno: 5, metric: 130)), to: .peerB)])
    }

    @Test func withoutAnAnnouncementEveryUpdateIsFeasible() throws {
        // A single neighbour: acquiring the route sends nothing (split horizon), so nothing enters the source table.
        var harness = try self.harness([.peerA])
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        #expect(harness.receive(x.update(seqno: 5, metric: 3000), from: .peerA).routing.isEmpty)
        #expect(harness.selectedRoute(to: x)?.metric == Metric(3000))
    }

    // MARK: Step 3: unknown subnet

    @Test func unknownSubnetInfeasibleAsksThatNeighbourForTheNextSeqno() throws {
        var harness = try self.harness([.peerA, .peerB])
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // we announce (5, 130) to B
        harness.disconnect(.peerA)  // the subnet is forgotten, the source entry stays
        #expect(harness.routes(to: x).isEmpty)

        let actions = harness.receive(x.update(seqno: 5, metric: 200), from: .peerB)
        #expect(actions == [self.seqnoRequest(for: x, seqno: 6, to: .peerB)])
        #expect(harness.routes(to: x).isEmpty)
        #expect(harness.router.publicKey(for: x.address) == nil)
    }

    @Test func unknownSubnetRetractionIsDropped() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        #expect(harness.receive(x.retraction(seqno: 0), from: .peerA).isEmpty)
        #expect(harness.routes(to: x).isEmpty)
        #expect(harness.router.publicKey(for: x.address) == nil)
    }

    @Test func unknownSubnetFeasibleCreatesTheEntryWithTheOwnersKey() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 0, metric: 0), from: .peerA)
        #expect(harness.router.publicKey(for: x.address) == x.publicKey)
        // The key stays the one of the first Update accepted (spec §13), whatever comes later.
        let xRestarted = try x.restarted()
        harness.receive(xRestarted.update(seqno: 0, metric: 0), from: .peerB)
        #expect(harness.router.publicKey(for: x.address) == x.publicKey)
    }

    // MARK: Step 4: existing entry from this neighbour

    @Test func infeasibleUpdateOfTheSelectedRouteAsksForASeqnoAndChangesNothing() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        let before = try #require(harness.selectedRoute(to: x))

        harness.advance(by: .seconds(10))
        let actions = harness.receive(x.update(seqno: 5, metric: 200), from: .peerA)
        #expect(actions.routing == [self.seqnoRequest(for: x, seqno: 6, to: .peerA)])
        #expect(harness.selectedRoute(to: x) == before, "metric, seqno and expiry unchanged")
    }

    @Test func infeasibleUpdateOfAFallbackIsStoredButNotSelected() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 120), from: .peerB)
        let fallback = try #require(harness.routes(to: x).first { $0.neighbour == .peerB })

        harness.advance(by: .seconds(10))
        #expect(harness.receive(x.update(seqno: 5, metric: 500), from: .peerB).routing.isEmpty)
        let updated = try #require(harness.routes(to: x).first { $0.neighbour == .peerB })
        #expect(updated.metric == Metric(500))
        #expect(updated.expiresAt == fallback.expiresAt, "an infeasible update does not refresh the hold time")
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)
    }

    @Test func feasibleUpdateRefreshesTheHoldTime() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.advance(by: .seconds(10))
        harness.receive(x.update(seqno: 6, metric: 100), from: .peerA)
        let route = try #require(harness.selectedRoute(to: x))
        #expect(route.seqno == SeqNo(6))
        #expect(route.expiresAt == harness.now + .seconds(1050))
    }

    @Test func infeasibleUpdateOfTheSelectedRouteFromAnotherSourceUnselectsIt() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        let xRestarted = try x.restarted()
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // we announce (x, 5, 130)
        harness.receive(xRestarted.update(seqno: 0, metric: 50), from: .peerC)  // 80: switch, we announce (x', 0, 80)
        harness.receive(xRestarted.update(seqno: 0, metric: 200), from: .peerA)  // infeasible, A unselected: stored
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerC)

        // C goes back to the old source with a metric the source table refuses: the route is unselected, nothing
        // else is feasible, so the subnet is lost and every announcer is asked for x' seqno 1.
        let actions = harness.receive(x.update(seqno: 5, metric: 500), from: .peerC)
        let request = SeqnoRequest(prefix: .ipv6(x.subnet), seqno: SeqNo(1), routerID: xRestarted.routerID)
        let retraction = harness.retraction(of: x.subnet)
        #expect(
            actions == [
                .send(.seqnoRequest(request), to: .peerA),
                .send(.seqnoRequest(request), to: .peerC),
                .send(.update(retraction), to: .peerA),
                .send(.update(retraction), to: .peerB),
                .send(.update(retraction), to: .peerC),
                .routeLost(x.subnet),
            ]
        )
        #expect(harness.selectedRoute(to: x) == nil)
        #expect(harness.routes(to: x).first { $0.neighbour == .peerC }?.routerID == x.routerID)
    }

    @Test func retractionOfARetractedRouteIsIgnored() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.retraction(seqno: 5), from: .peerA)
        let retracted = try #require(harness.routes(to: x).first)
        #expect(retracted.metric == .infinite)
        #expect(retracted.expiresAt == harness.now + .seconds(6))

        harness.advance(by: .seconds(3))
        #expect(harness.receive(x.retraction(seqno: 5), from: .peerA).isEmpty)
        #expect(harness.routes(to: x).first?.expiresAt == retracted.expiresAt, "hold time not extended")
        harness.advance(by: .seconds(3))
        #expect(harness.routes(to: x).isEmpty)
        #expect(harness.router.publicKey(for: x.address) == nil)
    }

    // MARK: Step 5: new entry from this neighbour

    @Test func newInfeasibleEntryWithoutASelectedRouteAsksForASeqno() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // we announce (5, 130)
        harness.receive(x.retraction(seqno: 5), from: .peerA)  // lost: the subnet stays with a retracted route
        #expect(harness.selectedRoute(to: x) == nil)

        let actions = harness.receive(x.update(seqno: 5, metric: 500), from: .peerB)
        #expect(actions == [self.seqnoRequest(for: x, seqno: 6, to: .peerB)])
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA], "the infeasible route is not stored")
    }

    @Test func newInfeasibleEntryWithASelectedRouteIsIgnoredSilently() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        #expect(harness.receive(x.update(seqno: 5, metric: 500), from: .peerB).isEmpty)
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA])
    }

    @Test func newRetractionEntryIsIgnored() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        let actions = harness.receive(x.retraction(seqno: 5), from: .peerB)
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA])
        // Ours (`answersRetractions`): the retracting neighbour hears of our route.
        #expect(actions == [.send(.update(x.announcement(seqno: 5, metric: 130)), to: .peerB)])
    }

    @Test func theOldNextHopThatRetractsHearsOfTheFallback() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // 130
        harness.receive(x.update(seqno: 5, metric: 110), from: .peerB)  // 140
        let actions = harness.receive(x.retraction(seqno: 5), from: .peerA)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerB)
        // 140 against the 130 advertised is no triggered update; only A, which retracted, is told (ours).
        #expect(actions == [.send(.update(x.announcement(seqno: 5, metric: 140)), to: .peerA)])
    }

    @Test func upstreamDoesNotAnswerRetractions() throws {
        var harness = try RouterHarness(configuration: .upstream)
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: nil)
        harness.connect(.peerB, roundTrip: nil)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        #expect(harness.receive(x.retraction(seqno: 5), from: .peerB).isEmpty)
        #expect(harness.routes(to: x).map(\.neighbour) == [.peerA])
    }

    @Test func newFeasibleEntryIsAnUnselectedFallbackWithTheHoldTime() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 110, interval: 1000), from: .peerB)
        let fallback = try #require(harness.router.fallbackRoutes.first)
        #expect(fallback.route.neighbour == .peerB)
        #expect(fallback.route.expiresAt == harness.now + .seconds(35))
        #expect(!fallback.isSelected)
        #expect(fallback.cost == Metric(140))
    }
}
