import MyceliumCore
import Testing

/// On-demand discovery with Route Requests (spec §3.9).
@Suite("RouterStateMachine: route requests")
struct RouterStateMachineRouteRequestTests {
    private func harness() throws -> RouterHarness {
        var harness = try RouterHarness()
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.connect(.peerC)
        return harness
    }

    private static func toEveryone(_ packet: ControlPacket) -> [RouterAction] {
        [NeighbourID.peerA, .peerB, .peerC].map { RouterAction.send(packet, to: $0) }
    }

    // MARK: Answers

    @Test func aRequestForOurSubnetIsAnsweredWithOurRoute() throws {
        var harness = try self.harness()
        let ownUpdate = harness.ownAnnouncement()
        #expect(harness.receive(harness.own.routeRequest, from: .peerA) == [.send(.update(ownUpdate), to: .peerA)])
        // Any prefix inside our /64 too.
        let inside = try #require(Subnet(address: harness.own.address, prefixLength: 96))
        let request = RouteRequest(prefix: .ipv6(inside), generation: 3)
        #expect(harness.receive(request, from: .peerB) == [.send(.update(ownUpdate), to: .peerB)])
    }

    @Test func aSelectedRouteIsSentToARequesterThatIsNotItsNextHop() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        let expected = x.announcement(seqno: 5, metric: 130)
        #expect(harness.receive(x.routeRequest, from: .peerB) == [.send(.update(expected), to: .peerB)])
        #expect(harness.receive(x.routeRequest(generation: 9), from: .peerC) == [.send(.update(expected), to: .peerC)])
        #expect(harness.receive(x.routeRequest, from: .peerA).isEmpty, "never back to the next hop")
    }

    @Test func knownSubnetWithoutSelectedRouteIsNotAnsweredNorForwarded() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.retraction(seqno: 5), from: .peerA)
        #expect(harness.receive(x.routeRequest, from: .peerB).isEmpty)
        #expect(harness.router.queriedSubnets.isEmpty)
    }

    // MARK: Forwarding

    @Test func anUnknownSubnetIsQueriedAndTheRequestForwardedToTheOthers() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        let start = harness.now
        let actions = harness.receive(x.routeRequest(generation: 0), from: .peerA)
        let forwarded = x.routeRequest(generation: 1)
        #expect(actions == [.send(.routeRequest(forwarded), to: .peerB), .send(.routeRequest(forwarded), to: .peerC)])
        #expect(harness.router.queriedSubnets.map(\.subnet) == [x.subnet])
        #expect(harness.router.queriedSubnets.map(\.expiresAt) == [start + .seconds(15)])
        #expect(harness.router.counters.routeRequestsSent == 2)

        // Already queried: no answer, no second flood.
        #expect(harness.receive(x.routeRequest(generation: 0), from: .peerB).isEmpty)

        #expect(!harness.advance(to: start + .milliseconds(14_999)).contains(.queryExpired(x.subnet)))
        #expect(harness.advance(to: start + .seconds(15)).routing == [.queryExpired(x.subnet)])
        #expect(harness.router.queriedSubnets.isEmpty)
    }

    @Test func theAnswerTravelsBackAsATriggeredUpdate() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.routeRequest(generation: 2), from: .peerA)
        let actions = harness.receive(x.update(seqno: 0, metric: 0), from: .peerB)
        let expected = x.announcement(seqno: 0, metric: 30)
        #expect(
            actions == [
                .routeAcquired(x.subnet),
                .send(.update(expected), to: .peerA),
                .send(.update(expected), to: .peerC),
            ]
        )
        #expect(harness.router.queriedSubnets.isEmpty)
        #expect(!harness.advance(by: .seconds(20)).contains(.queryExpired(x.subnet)))
    }

    @Test(arguments: [(0, true), (14, true), (15, false), (16, false), (255, false)] as [(UInt8, Bool)])
    func generationLimit(generation: UInt8, forwarded: Bool) throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        let actions = harness.receive(x.routeRequest(generation: generation), from: .peerA)
        if forwarded {
            let next = x.routeRequest(generation: generation + 1)
            #expect(actions.routeRequests.map(\.request) == [next, next])
            #expect(harness.router.queriedSubnets.count == 1)
        } else {
            #expect(actions.isEmpty)
            #expect(harness.router.queriedSubnets.isEmpty, "a request not forwarded does not mark the subnet queried")
        }
    }

    @Test func neighboursThatGotTheRequestRecentlyAreSkippedUnlessTheGenerationIsLower() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.routeRequest(generation: 5), from: .peerA)  // gen 6 to B and C
        harness.receive(x.update(seqno: 0, metric: 0), from: .peerB)  // answered: query over
        harness.disconnect(.peerB)  // and lost again: the subnet is unknown once more
        #expect(harness.routes(to: x).isEmpty)
        #expect(harness.router.queriedSubnets.isEmpty)

        // C got generation 6 from us moments ago: a generation-8 request is not sent again.
        #expect(harness.receive(x.routeRequest(generation: 7), from: .peerA).isEmpty)
        #expect(harness.router.queriedSubnets.count == 1, "still queried, even though nobody was asked")
    }

    @Test func aLowerGenerationIsForwardedDespiteTheRecentRequest() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.routeRequest(generation: 5), from: .peerA)
        harness.receive(x.update(seqno: 0, metric: 0), from: .peerB)
        harness.disconnect(.peerB)
        let actions = harness.receive(x.routeRequest(generation: 2), from: .peerA)
        #expect(actions == [.send(.routeRequest(x.routeRequest(generation: 3)), to: .peerC)])
    }

    @Test func theRecentRequestMemoryLastsFifteenSeconds() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.routeRequest(generation: 5), from: .peerA)
        harness.receive(x.update(seqno: 0, metric: 0), from: .peerB)
        harness.disconnect(.peerB)
        harness.advance(by: .seconds(15))
        let actions = harness.receive(x.routeRequest(generation: 7), from: .peerA)
        #expect(actions == [.send(.routeRequest(x.routeRequest(generation: 8)), to: .peerC)])
    }

    // MARK: Wildcard

    @Test func aWildcardRequestGetsEverySelectedRouteNotViaTheRequesterAndOurOwn() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        let y = try RouterTestNode(2)
        let z = try RouterTestNode(3)
        harness.receive(x.update(seqno: 1, metric: 10), from: .peerA)
        harness.receive(y.update(seqno: 2, metric: 20), from: .peerB)
        harness.receive(z.update(seqno: 3, metric: 30), from: .peerB)
        harness.receive(z.retraction(seqno: 3), from: .peerB)  // z has no selected route any more

        let actions = harness.receive(RouteRequest(prefix: nil), from: .peerA)
        #expect(
            Set(actions) == [
                .send(.update(y.announcement(seqno: 2, metric: 50)), to: .peerA),
                .send(.update(harness.ownAnnouncement()), to: .peerA),
            ]
        )
        #expect(actions.count == 2)
        #expect(actions.last == .send(.update(harness.ownAnnouncement()), to: .peerA))
    }

    @Test func ipv4RequestsAreDiscarded() throws {
        var harness = try self.harness()
        let prefix = try #require(IPv4Prefix(address: CoreWireFixtures.ipv4(10, 0, 0, 0), prefixLength: 8))
        #expect(harness.receive(RouteRequest(prefix: .ipv4(prefix)), from: .peerA).isEmpty)
        #expect(harness.router.counters.discardedTLVs == 1)
    }

    // MARK: Originating

    @Test func requestRouteAsksEveryNeighbourWithGenerationZero() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        let start = harness.now
        let actions = harness.requestRoute(to: x.address)
        #expect(actions == Self.toEveryone(.routeRequest(x.routeRequest)))
        #expect(harness.router.queriedSubnets.map(\.subnet) == [x.subnet])
        #expect(harness.router.queriedSubnets.map(\.expiresAt) == [start + .seconds(15)])
        #expect(harness.requestRoute(to: x.address).isEmpty, "already queried")
        #expect(harness.advance(to: start + .seconds(15)).routing == [.queryExpired(x.subnet)])
    }

    @Test func requestRouteDoesNothingForKnownOwnOrForeignAddresses() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 1, metric: 10), from: .peerA)
        #expect(harness.requestRoute(to: x.address).isEmpty)
        #expect(harness.requestRoute(to: harness.own.address).isEmpty)
        #expect(harness.requestRoute(to: try CoreWireFixtures.address("2001:db8::1")).isEmpty)
        #expect(harness.router.queriedSubnets.isEmpty)
    }

    @Test func trafficOverARouteAboutToExpireAsksForItAgain() throws {
        // Spec §3.4 "route almost expired": a packet routed over a selected route that expires within 15 s sends a
        // Route Request for its /64 (generation 0, to every neighbour, at most once per 15 s each).
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.receive(x.update(seqno: 5, metric: 100, interval: 1000), from: .peerA)  // held 35 s
        let expiry = try #require(harness.selectedRoute(to: x)?.expiresAt)
        harness.advance(to: expiry - .seconds(15))
        #expect(harness.requestRoute(to: x.address).isEmpty, "15 s left: not yet")
        harness.advance(by: .milliseconds(1))
        let actions = harness.requestRoute(to: x.address)
        #expect(actions == Self.toEveryone(.routeRequest(x.routeRequest)))
        #expect(harness.requestRoute(to: x.address).isEmpty, "asked already")
        #expect(harness.router.queriedSubnets.isEmpty, "a known subnet is not marked queried")

        // The next hop answers with its route: the hold time starts again.
        harness.receive(x.update(seqno: 5, metric: 100, interval: 1000), from: .peerA)
        #expect(harness.selectedRoute(to: x)?.expiresAt == harness.now + .seconds(35))
    }

    @Test func aQueryThatRunsOutCanBeStartedAgain() throws {
        var harness = try self.harness()
        let x = try RouterTestNode(1)
        harness.requestRoute(to: x.address)
        harness.advance(by: .seconds(15))
        let again = harness.requestRoute(to: x.address)
        #expect(again.routeRequests.count == 3)
    }
}
