import MyceliumCore
import Testing

/// Seqno Requests: answering, bumping our own seqno, forwarding, and origination limits (spec §3.10).
/// Every neighbour has link cost 30; x's /64 is selected through A as (5, 100), announced to B and C as (5, 130).
@Suite("RouterStateMachine: seqno requests")
struct RouterStateMachineSeqnoRequestTests {
    private func harness() throws -> (RouterHarness, RouterTestNode) {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.connect(.peerC)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        return (harness, x)
    }

    private func forwarded(_ request: SeqnoRequest, to id: NeighbourID) -> RouterAction {
        var request = request
        request.hopCount -= 1
        return .send(.seqnoRequest(request), to: id)
    }

    // MARK: Answers

    @Test func aSelectedRouteFromAnotherSourceAnswersTheRequest() throws {
        var (harness, x) = try self.harness()
        let otherSource = try x.restarted()
        let answer = RouterAction.send(.update(x.announcement(seqno: 5, metric: 130)), to: .peerB)
        #expect(harness.receive(otherSource.seqnoRequest(seqno: 9), from: .peerB) == [answer])
    }

    @Test func aSelectedRouteWithTheRequestedSeqnoOrNewerAnswersTheRequest() throws {
        var (harness, x) = try self.harness()
        let answer = RouterAction.send(.update(x.announcement(seqno: 5, metric: 130)), to: .peerB)
        #expect(harness.receive(x.seqnoRequest(seqno: 5), from: .peerB) == [answer])
        #expect(harness.receive(x.seqnoRequest(seqno: 4), from: .peerB) == [answer])
        #expect(harness.receive(x.seqnoRequest(seqno: 65_000), from: .peerB) == [answer], "65000 is older than 5")
    }

    @Test func aRetractedSelectionDoesNotAnswer() throws {
        var (harness, x) = try self.harness()
        harness.receive(x.retraction(seqno: 5), from: .peerA)
        #expect(harness.receive(try x.restarted().seqnoRequest(seqno: 1), from: .peerB).isEmpty)
    }

    // MARK: Our own seqno

    @Test func aRequestForANewerSeqnoOfOurSubnetBumpsItOnceEveryFourSeconds() throws {
        var (harness, _) = try self.harness()
        let own = harness.own
        let start = harness.now
        let bumped = harness.receive(own.seqnoRequest(seqno: 1), from: .peerA)
        #expect(harness.router.routerSeqno == SeqNo(1))
        let announcement = harness.ownAnnouncement(seqno: 1)
        #expect(bumped == [NeighbourID.peerA, .peerB, .peerC].map { RouterAction.send(.update(announcement), to: $0) })
        #expect(harness.router.counters.seqnoBumps == 1)

        harness.advance(to: start + .milliseconds(3999))
        #expect(harness.receive(own.seqnoRequest(seqno: 2), from: .peerB).isEmpty, "rate limited")
        #expect(harness.router.routerSeqno == SeqNo(1))

        harness.advance(to: start + .seconds(4))
        let again = harness.receive(own.seqnoRequest(seqno: 2), from: .peerB)
        #expect(harness.router.routerSeqno == SeqNo(2))
        #expect(again.updates.map(\.update) == Array(repeating: harness.ownAnnouncement(seqno: 2), count: 3))
        // Later Updates of our own route carry the new seqno.
        let answer = RouterAction.send(.update(harness.ownAnnouncement(seqno: 2)), to: .peerC)
        #expect(harness.receive(own.routeRequest, from: .peerC) == [answer])
    }

    @Test func aBumpIsOneStepWhateverSeqnoIsAskedFor() throws {
        var (harness, _) = try self.harness()
        harness.receive(harness.own.seqnoRequest(seqno: 300), from: .peerA)
        #expect(harness.router.routerSeqno == SeqNo(1))
    }

    @Test func aRequestOurRouteAlreadySatisfiesIsAnsweredWithIt() throws {
        // Ours, not upstream's (upstream ignores it): the requester gets what it asked for at once.
        var (harness, _) = try self.harness()
        let actions = harness.receive(harness.own.seqnoRequest(seqno: 0), from: .peerA)
        #expect(actions == [.send(.update(harness.ownAnnouncement()), to: .peerA)])
        #expect(harness.router.routerSeqno == SeqNo(0))
    }

    // MARK: Forwarding

    @Test func aNewerSeqnoIsAskedOfTheNextHopWithOneHopLess() throws {
        var (harness, x) = try self.harness()
        let request = x.seqnoRequest(seqno: 6)
        #expect(harness.receive(request, from: .peerB) == [self.forwarded(request, to: .peerA)])
    }

    @Test func theRequesterIsNeverTheTarget() throws {
        var (harness, x) = try self.harness()
        #expect(harness.receive(x.seqnoRequest(seqno: 6), from: .peerA).isEmpty)
    }

    @Test(arguments: [(0, false), (1, false), (2, true), (64, true), (255, true)] as [(UInt8, Bool)])
    func hopCountLimit(hopCount: UInt8, forwarded: Bool) throws {
        var (harness, x) = try self.harness()
        let request = x.seqnoRequest(seqno: 6, hopCount: hopCount)
        let actions = harness.receive(request, from: .peerB)
        #expect(actions == (forwarded ? [self.forwarded(request, to: .peerA)] : []))
    }

    @Test func unknownSubnetsAreNotForwarded() throws {
        var (harness, _) = try self.harness()
        let y = try RouterTestNode(2)
        #expect(harness.receive(y.seqnoRequest(seqno: 1), from: .peerB).isEmpty)
    }

    @Test func aDuplicateWithinSixtySecondsIsDropped() throws {
        var (harness, x) = try self.harness()
        let start = harness.now
        let request = x.seqnoRequest(seqno: 6)
        #expect(harness.receive(request, from: .peerB) == [self.forwarded(request, to: .peerA)])
        harness.advance(by: .seconds(1))
        #expect(harness.receive(request, from: .peerC).isEmpty)
        harness.advance(to: start + .milliseconds(59_999))
        #expect(harness.receive(request, from: .peerB).isEmpty)
        harness.advance(to: start + .seconds(60))
        #expect(harness.receive(request, from: .peerC) == [self.forwarded(request, to: .peerA)])
    }

    @Test func theAnswerToAForwardedRequestGoesBackToTheRequester() throws {
        var (harness, x) = try self.harness()
        harness.receive(x.seqnoRequest(seqno: 6), from: .peerB)
        // The same metric: no triggered update, only the requester hears of seqno 6.
        let actions = harness.receive(x.update(seqno: 6, metric: 100), from: .peerA)
        #expect(actions == [.send(.update(x.announcement(seqno: 6, metric: 130)), to: .peerB)])
        // And only once.
        #expect(harness.receive(x.update(seqno: 6, metric: 101), from: .peerA).isEmpty)
    }

    @Test func aFeasibleRouteIsPreferredAsTargetThenAnyFiniteOne() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.connect(.peerC)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerC)  // first entry, announced as (5, 130)
        harness.receive(x.update(seqno: 6, metric: 50), from: .peerA)  // 80: switch, announced as (6, 80)
        #expect(harness.selectedRoute(to: x)?.neighbour == .peerA)  // C's (5, 100) is now infeasible

        let seven = x.seqnoRequest(seqno: 7)
        #expect(harness.receive(seven, from: .peerB) == [self.forwarded(seven, to: .peerA)])
        let eight = x.seqnoRequest(seqno: 8)
        #expect(harness.receive(eight, from: .peerA) == [self.forwarded(eight, to: .peerC)])
    }

    @Test func withoutASelectedRouteAnyFiniteRouteIsATarget() throws {
        var harness = try RouterHarness()
        let x = try RouterTestNode(1)
        harness.connect(.peerA)
        harness.connect(.peerB)
        harness.connect(.peerC)
        harness.receive(x.update(seqno: 5, metric: 100), from: .peerA)
        harness.receive(x.update(seqno: 5, metric: 50), from: .peerB)  // switch, announced as (5, 80)
        harness.receive(x.retraction(seqno: 5), from: .peerB)  // A's (5, 100) is infeasible: nothing selected
        #expect(harness.selectedRoute(to: x) == nil)
        harness.advance(by: .seconds(5))  // past the fan-out window of the requests sent on the loss

        let request = x.seqnoRequest(seqno: 6)
        #expect(harness.receive(request, from: .peerC) == [self.forwarded(request, to: .peerA)])
        // A request about our own router id is never forwarded.
        let ours = SeqnoRequest(prefix: .ipv6(x.subnet), seqno: SeqNo(7), routerID: harness.own.routerID)
        #expect(harness.receive(ours, from: .peerC).isEmpty)
    }

    @Test func ipv4RequestsAreDiscarded() throws {
        var (harness, x) = try self.harness()
        let prefix = try #require(IPv4Prefix(address: CoreWireFixtures.ipv4(10, 0, 0, 0), prefixLength: 8))
        let request = SeqnoRequest(prefix: .ipv4(prefix), seqno: SeqNo(1), routerID: x.routerID)
        #expect(harness.receive(request, from: .peerB).isEmpty)
        #expect(harness.router.counters.discardedTLVs == 1)
    }

    // MARK: Originating

    @Test func theSameRequestIsNotSentToTheSameNeighbourWithinFourSeconds() throws {
        var (harness, x) = try self.harness()
        let ask = RouterAction.send(.seqnoRequest(x.seqnoRequest(seqno: 6)), to: .peerA)
        #expect(harness.receive(x.update(seqno: 5, metric: 200), from: .peerA).routing == [ask])
        harness.advance(by: .milliseconds(3999))
        #expect(harness.receive(x.update(seqno: 5, metric: 300), from: .peerA).routing.isEmpty)
        harness.advance(by: .milliseconds(1))
        #expect(harness.receive(x.update(seqno: 5, metric: 300), from: .peerA).routing == [ask])
    }

    @Test func neighboursThatAskedUsAreNotAskedBack() throws {
        var (harness, x) = try self.harness()
        harness.receive(x.update(seqno: 5, metric: 110), from: .peerB)  // B announces x too…
        harness.receive(x.retraction(seqno: 5), from: .peerB)  // …and retracts it: still an announcer
        let request = x.seqnoRequest(seqno: 6)
        #expect(harness.receive(request, from: .peerB) == [self.forwarded(request, to: .peerA)])
        harness.advance(by: .seconds(4))

        // Losing the route asks every announcer for seqno 6, except B, which asked us for it.
        let actions = harness.receive(x.retraction(seqno: 5), from: .peerA)
        #expect(actions.seqnoRequests == [SentSeqnoRequest(request: request, to: .peerA)])
    }
}
