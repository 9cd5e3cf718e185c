import MyceliumCore
import Testing

/// Route selection (spec §3.7) and triggered updates (spec §3.6 steps 6–7, §3.8).
@Suite("RouterStateMachine: selection and triggered updates")
struct RouterStateMachineSelectionTests {
    // MARK: Selection

    @Test func lowestMetricPlusLinkCostWins() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: .milliseconds(20))  // cost 30
        harness.connect(.peerB, roundTrip: .milliseconds(50))  // cost 60
        harness.connect(.peerC, roundTrip: .milliseconds(10))  // cost 20
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // 130
        harness.receive(x.update(seqno: 5, metric: 80), from: .peerB)  // 140: lower metric, higher cost
        harness.receive(x.update(seqno: 5, metric: 105), from: .peerC)  // 125: within 10 of 130, kept as fallback
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)

        // Without the selected route there is no hysteresis: the lowest score wins.
        harness.disconnect(.peerA)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerC)
        #expect(harness.router.selectedRoutes.count == 1)
        #expect(harness.router.fallbackRoutes.map(\.route.neighbour) == [.peerB])
    }

    @Test func hysteresisKeepsTheSelectedRouteUnlessTheBestIsMoreThanTenBetter() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: .milliseconds(20))  // cost 30
        harness.connect(.peerB, roundTrip: .milliseconds(50))  // cost 60
        harness.connect(.peerC, roundTrip: .milliseconds(10))  // cost 20
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // 130, selected

        #expect(harness.receive(x.update(seqno: 6, metric: 60), from: .peerB).routing.isEmpty)  // 120 = 130 − 10
        #expect(harness.receive(x.update(seqno: 6, metric: 101), from: .peerC).routing.isEmpty)  // 121
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)

        let actions = harness.receive(x.update(seqno: 6, metric: 59), from: .peerB)  // 119 < 120: switch
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerB)
        #expect(harness.router.selectedRoutes.count == 1)
        #expect(Set(harness.router.fallbackRoutes.map(\.route.neighbour)) == [.peerA, .peerC])
        // 119 against the 130 we advertised: more than 10, so a triggered update, not to the new next hop.
        let expected = x.announcement(seqno: 6, metric: 119)
        #expect(actions.routing == [.send(.update(expected), to: .peerA), .send(.update(expected), to: .peerC)])
    }

    @Test func aNeighbourThatOriginatesTheRouteIsTakenEvenIfOnlySlightlyBetter() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: .milliseconds(20))  // cost 30
        harness.connect(.peerB, roundTrip: .milliseconds(115))  // cost 125
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // 130
        harness.receive(x.update(seqno: 5, metric: 0), from: .peerB)  // 125: best, advertised metric 0
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerB)
    }

    @Test func anOriginatorThatIsNotTheBestIsNotTaken() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: .milliseconds(20))  // cost 30
        harness.connect(.peerB, roundTrip: .milliseconds(140))  // cost 150
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // 130
        harness.receive(x.update(seqno: 5, metric: 0), from: .peerB)  // 150
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)
    }

    @Test func retractedAndInfeasibleRoutesAreNeverSelected() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // we announce (5, 130)
        harness.receive(x.update(seqno: 5, metric: 50), from: .peerB)  // 80 < 120: switch, we announce (5, 80)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerB)

        // A's (5, 100) is no longer feasible against (5, 80), and B's route is retracted: nothing is selectable.
        let actions = harness.receive(x.retraction(seqno: 5), from: .peerB)
        #expect(harness.selectedRoute(to: x) == nil)
        #expect(actions.contains(.routeLost(x.subnet)))
        #expect(Set(actions.seqnoRequests) == [
            SentSeqnoRequest(request: x.seqnoRequest(seqno: 6), to: .peerA),
            SentSeqnoRequest(request: x.seqnoRequest(seqno: 6), to: .peerB),
        ])
        #expect(Set(harness.router.fallbackRoutes.map(\.route.metric)) == [Metric(100), .infinite])

        // A newer seqno from A makes its route feasible again.
        let recovered = harness.receive(x.update(seqno: 6, metric: 100), from: .peerA)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)
        #expect(recovered.contains(.routeAcquired(x.subnet)))
    }

    @Test func metricsSaturateBelowInfinity() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        let actions = harness.receive(x.update(seqno: 5, metric: 0xFFF0), from: .peerA)
        #expect(harness.router.selectedRoutes.first?.cost == Metric.maximumFinite)
        #expect(actions.updates == [SentUpdate(update: x.announcement(seqno: 5, metric: 0xFFFE), to: .peerB)])
    }

    // MARK: Triggered updates

    @Test func acquisitionFloodsToAllButTheNextHopWithOurMetric() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: .milliseconds(20))
        harness.connect(.peerB)
        harness.connect(.peerC)
        harness.requestRoute(to: x.address)
        #expect(harness.router.queriedSubnets.map(\.subnet) == [x.subnet])

        let actions = harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        let expected = x.announcement(seqno: 5, metric: 130)
        #expect(
            actions == [
                .routeAcquired(x.subnet),
                .send(.update(expected), to: .peerB),
                .send(.update(expected), to: .peerC),
            ]
        )
        #expect(harness.router.queriedSubnets.isEmpty, "acquiring a route ends its query")
        #expect(harness.router.counters.triggeredUpdates == 1)
    }

    @Test func lossRetractsToAllAndAsksEveryAnnouncerForANewSeqno() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        let y = try RouterTestNode(2)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.connect(.peerC)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 110), from: .peerB)
        let answer = harness.receive(y.retraction(seqno: 2, subnet: x.subnet), from: .peerB)  // fallback gone
        #expect(answer == [.send(.update(x.announcement(seqno: 5, metric: 130)), to: .peerB)])  // answersRetractions

        let actions = harness.receive(x.retraction(seqno: 5), from: .peerA)
        let retraction = harness.retraction(of: x.subnet)
        let request = x.seqnoRequest(seqno: 6)
        #expect(
            actions == [
                .send(.seqnoRequest(request), to: .peerA),
                .send(.seqnoRequest(request), to: .peerB),
                .send(.update(retraction), to: .peerA),
                .send(.update(retraction), to: .peerB),
                .send(.update(retraction), to: .peerC),
                .routeLost(x.subnet),
            ]
        )
        #expect(harness.selectedRoute(to: x) == nil)
    }

    @Test func retractionsCarryOurCurrentRouterSeqno() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(harness.own.seqnoRequest(seqno: 1), from: .peerB)  // bumps us to 1
        #expect(harness.router.routerSeqno == SeqNo(1))
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        let actions = harness.receive(x.retraction(seqno: 5), from: .peerA)
        let retraction = harness.retraction(of: x.subnet, seqno: 1)
        #expect(actions.updates.map(\.update) == [retraction, retraction])
    }

    @Test func metricChangesOfMoreThanTenAreAnnounced() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // advertised 130

        #expect(harness.receive(x.update(seqno: 5, metric: 110), from: .peerA).routing.isEmpty)  // 140: 10
        #expect(harness.receive(x.update(seqno: 5, metric: 90), from: .peerA).routing.isEmpty)  // 120: 10
        let worse = harness.receive(x.update(seqno: 5, metric: 111), from: .peerA)  // 141: 11
        #expect(worse.routing == [.send(.update(x.announcement(seqno: 5, metric: 141)), to: .peerB)])
        let better = harness.receive(x.update(seqno: 5, metric: 99), from: .peerA)  // 129 against 141: 12
        #expect(better.routing == [.send(.update(x.announcement(seqno: 5, metric: 129)), to: .peerB)])
    }

    @Test func upstreamComparesAdvertisedMetricsWithTheirPredecessor() throws {
        var harness = try RouterHarness(configuration: .upstream)
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: nil)  // link cost stays 1010 (no Hello before 20 s)
        harness.connect(.peerB, roundTrip: nil)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        #expect(harness.receive(x.update(seqno: 5, metric: 110), from: .peerA).routing.isEmpty)  // 10
        #expect(harness.receive(x.update(seqno: 5, metric: 120), from: .peerA).routing.isEmpty)  // 10 again
        let actions = harness.receive(x.update(seqno: 5, metric: 131), from: .peerA)  // 11
        #expect(actions.routing == [.send(.update(x.announcement(seqno: 5, metric: 131 + 1010)), to: .peerB)])
    }

    @Test func aNewRouterIDOfTheSameNodeIsAnnounced() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        let xRestarted = try x.restarted()
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        let actions = harness.receive(xRestarted.update(seqno: 0, metric: 100), from: .peerA)
        #expect(actions == [.send(.update(xRestarted.announcement(seqno: 0, metric: 130)), to: .peerB)])
        #expect(harness.selectedRoute(to: x)?.routerID == xRestarted.routerID)
    }

    @Test func aSeqnoIncreaseAloneIsNotAnnounced() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        #expect(harness.receive(x.update(seqno: 6, metric: 100), from: .peerA).routing.isEmpty)
        #expect(harness.selectedRoute(to: x)?.seqno == SeqNo(6))
    }

    @Test func linkCostChangesReachTheRoutesThroughTheLink() throws {
        // Ours (not upstream): a link that gets slower re-runs selection and re-advertises.
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA, roundTrip: nil)  // A's IHUs are delivered by hand
        harness.advance(by: .milliseconds(20))
        harness.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA)
        #expect(harness.linkCost(of: .peerA) == 30)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)  // advertised 130

        // A's next Hello (250 ms) is answered after 400 ms: cost (3·20 + 400)/4 + 10 = 125.
        let hellos = harness.advance(to: .at(.milliseconds(650))).hellos.filter { $0.to == .peerA }
        #expect(hellos.count == 2)  // 250 and 500 ms
        let actions = harness.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA)
        #expect(harness.linkCost(of: .peerA) == 125)
        #expect(actions == [.send(.update(x.announcement(seqno: 5, metric: 225)), to: .peerB)])
    }
}
