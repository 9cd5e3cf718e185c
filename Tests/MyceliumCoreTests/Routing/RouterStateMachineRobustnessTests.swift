import MyceliumCore
import MyceliumTesting
import Testing

/// Timers, packets the router cannot use, and a randomized run that checks the router's invariants (house rule 4).
@Suite("RouterStateMachine: timers and robustness")
struct RouterStateMachineRobustnessTests {
    // MARK: Timers

    @Test func aNewRouterOnlyWaitsForItsOwnAnnouncement() throws {
        let own = try RouterTestNode(0)
        var router = RouterStateMachine(routerID: own.routerID, subnet: own.subnet, now: .at(.seconds(7)))
        #expect(router.nextDeadline == .at(.seconds(307)))
        #expect(router.advanceTime(to: .at(.seconds(100))).isEmpty)
        #expect(router.advanceTime(to: .at(.seconds(307))).isEmpty, "no neighbour to announce to")
        #expect(router.nextDeadline == .at(.seconds(607)))
    }

    @Test func ourRouteIsAnnouncedToEveryNeighbourEveryFiveMinutes() throws {
        var harness = try RouterHarness()
        harness.connect(.peerA)
        harness.connect(.peerB)
        let ownUpdate = harness.ownAnnouncement()
        #expect(harness.advance(to: .at(.milliseconds(299_999))).updates.isEmpty)
        #expect(harness.advance(to: .at(.seconds(300))).updates == [
            SentUpdate(update: ownUpdate, to: .peerA), SentUpdate(update: ownUpdate, to: .peerB),
        ])
        #expect(harness.advance(to: .at(.seconds(600))).updates.count == 2)
    }

    @Test func advanceTimeWithNothingDueReturnsNothing() throws {
        var harness = try RouterHarness()
        harness.connect(.peerA)
        let next = try #require(harness.router.nextDeadline)
        #expect(next > harness.now)
        #expect(harness.router.advanceTime(to: harness.now).isEmpty)
        #expect(harness.router.advanceTime(to: next - .nanoseconds(1)).isEmpty)
        #expect(harness.router.nextDeadline == next)
    }

    @Test func theNextDeadlineIsNeverInThePastAfterAdvancing() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB, roundTrip: nil)
        harness.receive(x.update(seqno: 1, metric: 1, interval: 7), from: .peerA)
        harness.requestRoute(to: try RouterTestNode(2).address)
        for step in 1...400 {
            harness.advance(by: .milliseconds(37 * step))
            let next = try #require(harness.router.nextDeadline)
            #expect(next > harness.now)
        }
    }

    // MARK: Input the router cannot use

    @Test func packetsFromUnknownNeighboursAreCountedAndIgnored() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        let packets: [ControlPacket] = [
            .hello(Hello(seqno: SeqNo(1), interval: 2000)),
            .ihu(IHU(rxCost: Metric(1), interval: 6000)),
            x.update(seqno: 1, metric: 1),
            .routeRequest(RouteRequest(prefix: nil)),
            .seqnoRequest(harness.own.seqnoRequest(seqno: 1)),
        ]
        let received = harness.router.counters.receivedTLVs  // A's first IHU
        for packet in packets {
            #expect(harness.receive(packet, from: .unknownPeer).isEmpty)
        }
        #expect(harness.router.counters.discardedTLVs == packets.count)
        #expect(harness.router.counters.receivedTLVs == received)
        #expect(harness.router.routerSeqno == SeqNo(0))
        #expect(harness.router.selectedRoutes.isEmpty)
        #expect(harness.router.neighbourIDs == [.peerA])
        // A neighbour that is gone is an unknown neighbour too.
        harness.disconnect(.peerA)
        #expect(harness.receive(x.update(seqno: 1, metric: 1), from: .peerA).isEmpty)
        #expect(harness.router.selectedRoutes.isEmpty)
    }

    @Test func unrecognizedPacketsAreCountedAndIgnored() throws {
        var harness = try RouterHarness()
        harness.connect(.peerA, roundTrip: nil)
        #expect(harness.receive(try unrecognizedControlPacket(), from: .peerA).isEmpty)
        #expect(harness.router.counters.discardedTLVs == 1)
        #expect(harness.router.counters.receivedTLVs == 1)
    }

    @Test func disconnectingAnUnknownNeighbourDoesNothing() throws {
        var harness = try RouterHarness()
        #expect(harness.disconnect(.unknownPeer).isEmpty)
        #expect(harness.router.counters.neighboursRemoved == 0)
    }

    // MARK: Randomized

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func randomInputKeepsTheInvariants(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let own = try RouterTestNode(0)
        let nodes = try (1...6).map { try RouterTestNode($0) } + [try RouterTestNode(1).restarted(), own]
        let neighbours = (1...5).map { NeighbourID($0) }
        let configuration: RouterConfiguration = seed.isMultiple(of: 2) ? .standard : .upstream
        var router = RouterStateMachine(
            routerID: own.routerID,
            subnet: own.subnet,
            configuration: configuration,
            now: .zero
        )
        var now = MonotonicInstant.zero
        var violations: [String] = []

        /// What must hold after every call: actions only for live neighbours (or ones being dropped in the same
        /// batch), retractions only with our router id, one finite selected route per subnet, no deadline passed.
        func check(_ actions: [RouterAction], after call: String) {
            let live = Set(router.neighbourIDs)
            for case .send(let packet, let target) in actions
            where !live.contains(target) && !actions.contains(.disconnect(target)) {
                violations.append("\(call): \(packet) sent to \(target), which is gone")
            }
            for case .send(.update(let update), _) in actions
            where update.isRetraction && update.routerID != own.routerID {
                violations.append("\(call): retraction with a foreign router id \(update)")
            }
            let selected = router.selectedRoutes
            if Set(selected.map(\.subnet)).count != selected.count {
                violations.append("\(call): two selected routes for one subnet")
            }
            for view in selected where view.route.metric.isInfinite || !live.contains(view.route.neighbour) {
                violations.append("\(call): bad selected route \(view)")
            }
            for view in router.fallbackRoutes where view.isSelected || !live.contains(view.route.neighbour) {
                violations.append("\(call): bad fallback route \(view)")
            }
            if selected.contains(where: { $0.subnet == own.subnet }) {
                violations.append("\(call): a route to our own subnet")
            }
            if let next = router.nextDeadline, next < now {
                violations.append("\(call): next deadline \(next) before now \(now)")
            }
        }

        // Most Hellos are answered a little later, so that neighbours live long enough to matter.
        var pendingIHUs: [(at: MonotonicInstant, from: NeighbourID)] = []
        func answerSomeHellos(in actions: [RouterAction]) {
            for case .send(.hello, let target) in actions where Int.random(in: 0..<10, using: &random) < 9 {
                pendingIHUs.append((now + .milliseconds(Int64.random(in: 0...300, using: &random)), target))
            }
        }
        let maximumStep: Int64 = configuration == .standard ? 150 : 8000

        for step in 0..<5000 {
            now = now + .milliseconds(Int64.random(in: 0...maximumStep, using: &random))
            // A driver runs the timers that are due before it hands the router anything that arrived.
            let fired = router.advanceTime(to: now)
            answerSomeHellos(in: fired)
            check(fired, after: "step \(step) advanceTime")
            for (at, id) in pendingIHUs where at <= now {
                let answered = router.receive(.ihu(IHU(rxCost: Metric(1), interval: 6000)), from: id, now: now)
                check(answered, after: "step \(step) IHU")
            }
            pendingIHUs.removeAll { $0.at <= now }
            let neighbour = neighbours.randomElement(using: &random) ?? .peerA
            let node = nodes.randomElement(using: &random) ?? own
            let other = nodes.randomElement(using: &random) ?? own
            let seqno = SeqNo(UInt16.random(in: 0...8, using: &random) &- 4)
            let actions: [RouterAction]
            let call: String
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<6:
                let kind = LinkKind.allCases.randomElement(using: &random) ?? .vsock
                actions = router.neighbourConnected(neighbour, linkKind: kind, now: now)
                call = "connect \(neighbour)"
            case 6..<9:
                actions = router.neighbourDisconnected(neighbour, now: now)
                call = "disconnect \(neighbour)"
                if actions.contains(where: { if case .send(_, neighbour) = $0 { true } else { false } }) {
                    violations.append("step \(step): sent to \(neighbour) while disconnecting it")
                }
            case 9..<60:
                let metric =
                    Bool.random(using: &random)
                    ? UInt16.random(in: 0...300, using: &random)
                    : [0, 0xFFFE, 0xFFFF].randomElement(using: &random) ?? 0
                let update = Update(
                    prefix: .ipv6(Bool.random(using: &random) ? node.subnet : other.subnet),
                    seqno: seqno,
                    metric: Metric(metric),
                    interval: [0, 1, 100, 1000, 30_000, 0xFFFF].randomElement(using: &random) ?? 0,
                    routerID: node.routerID
                )
                actions = router.receive(.update(update), from: neighbour, now: now)
                call = "update \(update) from \(neighbour)"
            case 60..<70:
                let hello = Hello(seqno: SeqNo(UInt16(truncatingIfNeeded: step)), interval: 2000)
                actions = router.receive(.hello(hello), from: neighbour, now: now)
                call = "hello from \(neighbour)"
            case 70..<82:
                actions = router.receive(.ihu(IHU(rxCost: Metric(1), interval: 6000)), from: neighbour, now: now)
                call = "ihu from \(neighbour)"
            case 82..<90:
                let prefix: BabelPrefix? = Int.random(in: 0..<5, using: &random) == 0 ? nil : .ipv6(node.subnet)
                let request = RouteRequest(prefix: prefix, generation: UInt8.random(in: 0...17, using: &random))
                actions = router.receive(.routeRequest(request), from: neighbour, now: now)
                call = "route request \(request) from \(neighbour)"
            case 90..<97:
                let request = SeqnoRequest(
                    prefix: .ipv6(node.subnet),
                    seqno: seqno,
                    routerID: other.routerID,
                    hopCount: UInt8.random(in: 0...3, using: &random)
                )
                actions = router.receive(.seqnoRequest(request), from: neighbour, now: now)
                call = "seqno request \(request) from \(neighbour)"
            default:
                actions = router.requestRoute(to: node.address, now: now)
                call = "request route to \(node.address)"
            }
            answerSomeHellos(in: actions)
            check(actions, after: "step \(step) \(call)")
            if violations.count > 10 { break }
        }
        #expect(violations.isEmpty, "\(violations.prefix(10).joined(separator: "\n"))")
        #expect(router.counters.receivedTLVs > 1000)
        #expect(router.counters.routeSelections > 10)
    }
}
