import MyceliumCore
import Testing

/// Links coming up, Hello/IHU, link cost and dead neighbours (spec §3.3, §3.4, §3.8 "own route … on connect").
@Suite("RouterStateMachine: neighbours")
struct RouterStateMachineNeighbourTests {
    private func makeRouter(_ configuration: RouterConfiguration) throws -> (RouterTestNode, RouterStateMachine) {
        let own = try RouterTestNode(0)
        let router = RouterStateMachine(
            routerID: own.routerID,
            subnet: own.subnet,
            configuration: configuration,
            now: .zero
        )
        return (own, router)
    }

    /// Calls `advanceTime` at every deadline up to `target`, as a driver does.
    private static func advance(_ router: inout RouterStateMachine, to target: MonotonicInstant) -> [RouterAction] {
        var actions: [RouterAction] = []
        while let next = router.nextDeadline, next <= target {
            actions += router.advanceTime(to: next)
        }
        return actions + router.advanceTime(to: target)
    }

    @Test func aLateTimerCallSendsOneHelloAndRestartsTheRhythmFromThere() throws {
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(1)))
        #expect(router.advanceTime(to: .at(.milliseconds(700))).hellos.count == 1, "no burst of missed Hellos")
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(800)))
        #expect(Self.advance(&router, to: .at(.milliseconds(949))).hellos.isEmpty)
        #expect(router.advanceTime(to: .at(.milliseconds(950))).hellos.count == 1)
    }

    // MARK: Connect

    @Test func connectAnnouncesOwnRouteAsksForTheTableAndSaysHelloAtOnceWithStandardConfiguration() throws {
        var (own, router) = try self.makeRouter(.standard)
        let actions = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        let ownUpdate = Update(
            prefix: .ipv6(own.subnet),
            seqno: SeqNo(0),
            metric: .zero,
            interval: 30_000,
            routerID: own.routerID
        )
        #expect(
            actions == [
                .send(.update(ownUpdate), to: .peerA),
                .send(.routeRequest(RouteRequest(prefix: nil, generation: 0)), to: .peerA),
                .send(.hello(Hello(seqno: SeqNo(0), interval: 2000)), to: .peerA),
            ]
        )
        #expect(router.neighbourIDs == [.peerA])
        #expect(router.counters.neighboursAdded == 1)
    }

    @Test func connectingTheSameNeighbourTwiceDoesNothing() throws {
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        #expect(router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .at(.milliseconds(5))).isEmpty)
        #expect(router.counters.neighboursAdded == 1)
    }

    @Test func connectSendsARouteRequestForEveryQueriedSubnet() throws {
        var (own, router) = try self.makeRouter(.standard)
        let x = try RouterTestNode(1)
        let y = try RouterTestNode(2)
        #expect(router.requestRoute(to: x.address, now: .zero).isEmpty)  // no neighbour to ask yet
        #expect(router.requestRoute(to: y.address, now: .zero).isEmpty)
        #expect(Set(router.queriedSubnets.map(\.subnet)) == [x.subnet, y.subnet])

        let actions = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .at(.seconds(1)))
        #expect(actions.first == .send(.update(own.announcement(seqno: 0, metric: 0)), to: .peerA))
        #expect(Set(actions.routeRequests) == [
            SentRouteRequest(request: x.routeRequest, to: .peerA),
            SentRouteRequest(request: y.routeRequest, to: .peerA),
            SentRouteRequest(request: RouteRequest(prefix: nil, generation: 0), to: .peerA),
        ])
        #expect(actions.routeRequests.count == 3)
        #expect(actions.last == .send(.hello(Hello(seqno: SeqNo(0), interval: 2000)), to: .peerA))
    }

    @Test func upstreamConfigurationWaitsTwentySecondsForTheFirstHello() throws {
        var (own, router) = try self.makeRouter(.upstream)
        let actions = router.neighbourConnected(.peerA, linkKind: .tcpIPv4, now: .zero)
        #expect(actions == [.send(.update(own.announcement(seqno: 0, metric: 0)), to: .peerA)])
        #expect(router.advanceTime(to: .at(.milliseconds(19_999))).isEmpty)
        let firstHello = RouterAction.send(.hello(Hello(seqno: SeqNo(0), interval: 2000)), to: .peerA)
        #expect(router.advanceTime(to: .at(.seconds(20))) == [firstHello])
        _ = router.receive(.ihu(IHU(rxCost: Metric(1), interval: 6000)), from: .peerA, now: .at(.seconds(21)))
        let secondHello = RouterAction.send(.hello(Hello(seqno: SeqNo(1), interval: 2000)), to: .peerA)
        #expect(router.advanceTime(to: .at(.seconds(40))) == [secondHello])
    }

    // MARK: Hello and IHU

    @Test func helloSeqnosIncrementPerNeighbour() throws {
        var (_, router) = try self.makeRouter(.standard)
        var actions = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        actions += router.neighbourConnected(.peerB, linkKind: .tcpIPv6, now: .at(.milliseconds(100)))
        actions += Self.advance(&router, to: .at(.milliseconds(600)))
        let toA = actions.hellos.filter { $0.to == .peerA }.map(\.hello)
        let toB = actions.hellos.filter { $0.to == .peerB }.map(\.hello)
        #expect(toA.map(\.seqno) == [SeqNo(0), SeqNo(1), SeqNo(2)])  // at 0, 250, 500 ms
        #expect(toB.map(\.seqno) == [SeqNo(0), SeqNo(1), SeqNo(2)])  // at 100, 350, 600 ms
        #expect(toA.allSatisfy { $0.interval == 2000 && $0.flags == Hello.unicastFlag })
    }

    @Test func helloIsAnsweredWithAnIHUCarryingTheLinkCost() throws {
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        let hello = Hello(seqno: SeqNo(7), interval: 2000)
        let actions = router.receive(.hello(hello), from: .peerA, now: .at(.milliseconds(3)))
        #expect(actions == [.send(.ihu(IHU(rxCost: Metric(1010), interval: 6000)), to: .peerA)])
    }

    @Test func upstreamSmoothingIsNineToOneFromAThousand() throws {
        var (_, router) = try self.makeRouter(.upstream)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv4, now: .zero)
        #expect(router.linkCost(of: .peerA) == Metric(1000 + 15))
        _ = router.advanceTime(to: .at(.seconds(20)))
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(20_050)))
        #expect(router.linkCost(of: .peerA) == Metric((9 * 1000 + 50) / 10 + 15))  // 905 + 15
        _ = router.advanceTime(to: .at(.seconds(40)))
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(40_100)))
        #expect(router.linkCost(of: .peerA) == Metric((9 * 905 + 100) / 10 + 15))  // 824 + 15
    }

    @Test func ourSmoothingTakesTheFirstSampleAsItIs() throws {
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(40)))
        #expect(router.linkCost(of: .peerA) == Metric(40 + 10))
        _ = router.advanceTime(to: .at(.milliseconds(250)))
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(270)))
        #expect(router.linkCost(of: .peerA) == Metric((3 * 40 + 20) / 4 + 10))
    }

    @Test func anIHUAnswersTheOldestOutstandingHello() throws {
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        _ = router.advanceTime(to: .at(.milliseconds(250)))  // second Hello
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(300)))
        #expect(router.linkCost(of: .peerA) == Metric(300 + 10))  // answers the Hello of 0 ms
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(310)))
        #expect(router.linkCost(of: .peerA) == Metric((3 * 300 + 60) / 4 + 10))  // answers the Hello of 250 ms
        // An IHU with no Hello outstanding proves liveness but gives no sample.
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(320)))
        #expect(router.linkCost(of: .peerA) == Metric((3 * 300 + 60) / 4 + 10))
    }

    @Test(arguments: [
        (LinkKind.tcpIPv4, 15), (.tcpIPv6, 10), (.quicIPv4, 12), (.quicIPv6, 7), (.vsock, 5),
    ] as [(LinkKind, UInt16)])
    func staticCostPerLinkKind(kind: LinkKind, staticCost: UInt16) throws {
        #expect(kind.staticCost == Metric(staticCost))
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: kind, now: .zero)
        #expect(router.linkCost(of: .peerA) == Metric(1000 + staticCost))
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(12)))
        #expect(router.linkCost(of: .peerA) == Metric(12 + staticCost))
    }

    // MARK: Dead neighbours

    @Test func standardNeighbourWithoutIHUIsDroppedAfter900Milliseconds() throws {
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        let early = Self.advance(&router, to: .at(.milliseconds(899)))
        #expect(early.disconnects.isEmpty)
        #expect(early.hellos.count == 3)  // 250, 500, 750 ms
        #expect(router.advanceTime(to: .at(.milliseconds(900))) == [.disconnect(.peerA)])
        #expect(router.neighbourIDs.isEmpty)
        #expect(router.linkCost(of: .peerA) == nil)
        #expect(router.counters.neighboursDied == 1)
        #expect(router.counters.neighboursRemoved == 1)
        #expect(router.advanceTime(to: .at(.seconds(5))).isEmpty)
    }

    @Test func ihusKeepAStandardNeighbourAlive() throws {
        var (_, router) = try self.makeRouter(.standard)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.milliseconds(500)))
        #expect(Self.advance(&router, to: .at(.milliseconds(1399))).disconnects.isEmpty)
        #expect(Self.advance(&router, to: .at(.milliseconds(1400))).disconnects == [.peerA])
    }

    @Test func harnessNeighboursThatAnswerStayAliveForAnHour() throws {
        var harness = try RouterHarness()
        harness.connect(.peerA, roundTrip: .milliseconds(20))
        let actions = harness.advance(by: .seconds(3600))
        #expect(actions.disconnects.isEmpty)
        #expect(harness.linkCost(of: .peerA) == 30)
    }

    /// Spec §3.3: dead after 43 s without an IHU, noticed by a check every 10 s, so 43–53 s after the last IHU.
    @Test func upstreamNeighbourWithoutIHUIsDroppedAfter43Seconds() throws {
        var (_, router) = try self.makeRouter(.upstream)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        #expect(Self.advance(&router, to: .at(.milliseconds(42_999))).disconnects.isEmpty)
        #expect(Self.advance(&router, to: .at(.seconds(53))).disconnects == [.peerA])
        #expect(router.neighbourIDs.isEmpty)
    }

    @Test func upstreamIHUsKeepTheNeighbourAlive() throws {
        var (_, router) = try self.makeRouter(.upstream)
        _ = router.neighbourConnected(.peerA, linkKind: .tcpIPv6, now: .zero)
        _ = router.advanceTime(to: .at(.seconds(20)))
        _ = router.receive(.ihu(IHU(rxCost: Metric(0), interval: 6000)), from: .peerA, now: .at(.seconds(21)))
        #expect(Self.advance(&router, to: .at(.milliseconds(63_999))).disconnects.isEmpty)
        #expect(Self.advance(&router, to: .at(.seconds(74))).disconnects == [.peerA])
    }

    @Test func aDeadNeighboursRoutesGoAndTheLossIsAnnounced() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)

        harness.silence(.peerA)
        let actions = harness.advance(by: .seconds(1))
        #expect(actions.disconnects == [.peerA])
        #expect(actions.routing.contains(.routeLost(x.subnet)))
        #expect(actions.updates == [SentUpdate(update: harness.retraction(of: x.subnet), to: .peerB)])
        #expect(harness.routes(to: x).isEmpty)
        #expect(harness.router.publicKey(for: x.address) == nil)
    }

    @Test func disconnectSwitchesToTheFallbackAtOnce() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 105), from: .peerB)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)

        let actions = harness.disconnect(.peerA)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerB)
        #expect(harness.router.fallbackRoutes.isEmpty)
        // Same source, cost 135 against the 130 advertised: not worth an update (spec §3.11).
        #expect(actions.isEmpty)
        #expect(harness.router.counters.neighboursRemoved == 1)
    }
}
