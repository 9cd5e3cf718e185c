import MyceliumCore
import MyceliumTesting
import Testing

/// Router seqnos are 16 bits compared modulo 2¹⁶ (spec §3.2): a node whose seqno wraps from 65535 to 0 must still be
/// believed, and its new routes preferred over the old ones.
@Suite("Seqno wraparound in a simulated network")
struct SeqnoWraparoundSimulationTests {
    @Test func bumpsAcrossTheWrapAreAcceptedAsNewer() {
        // The diamond A–B, A–C, B–D, C–D, D–E, every router starting at seqno 65534.
        var sim = NetworkSimulator(seed: 65534)
        let nodes = (0..<5).map { _ in sim.addNode(initialSeqno: SeqNo(65534)) }
        let (a, b) = (nodes[0], nodes[1])
        let ab = sim.connect(a, b, parameters: LinkParameters(latency: .milliseconds(8)))
        sim.connect(a, nodes[2], parameters: LinkParameters(latency: .milliseconds(10)))
        sim.connect(b, nodes[3], parameters: LinkParameters(latency: .milliseconds(8)))
        sim.connect(nodes[2], nodes[3], parameters: LinkParameters(latency: .milliseconds(10)))
        sim.connect(nodes[3], nodes[4], parameters: LinkParameters(latency: .milliseconds(8)))
        #expect(sim.runUntilConverged(timeout: .seconds(2)) != nil)
        sim.run(for: .seconds(2))

        // B's only feasible route to A is the direct link: without it, B must ask A for a newer seqno (and A for B's).
        sim.cut(ab, visibly: true)
        #expect(sim.runUntilConverged(timeout: .seconds(1)) != nil)
        #expect(sim[a].router.routerSeqno == SeqNo(65535))

        sim.run(for: .seconds(5))
        sim.restore(ab)
        #expect(sim.runUntilConverged(timeout: .seconds(1)) != nil)
        sim.run(for: .seconds(5))

        // Again: this time the bump wraps to 0, which must count as newer than 65535 everywhere.
        sim.cut(ab, visibly: true)
        #expect(sim.runUntilConverged(timeout: .seconds(1)) != nil)
        #expect(sim[a].router.routerSeqno == SeqNo(0))
        #expect(sim[b].router.routerSeqno == SeqNo(0))
        let routeToA = sim[b].router.selectedRoute(for: sim[a].address)
        #expect(routeToA?.route.seqno == SeqNo(0))
        #expect(routeToA?.route.routerID == sim[a].routerID)
        #expect(sim.path(from: b, to: a) == [b, nodes[3], nodes[2], a])
        // D moved to the C side too and holds A's route at the wrapped seqno.
        #expect(sim[nodes[3]].router.selectedRoute(for: sim[a].address)?.route.seqno == SeqNo(0))
        #expect(sim.loopViolations.isEmpty, "\(sim.loopViolations.prefix(3))")
        #expect(sim.findLoops().isEmpty)
    }

    @Test func aRingStartingAtTheTopOfTheRangeRecoversFromCutsAcrossTheWrap() {
        var sim = NetworkSimulator(seed: 65535)
        let nodes = (0..<12).map { _ in sim.addNode(initialSeqno: SeqNo(65535)) }
        for index in nodes.indices {
            sim.connect(nodes[index], nodes[(index + 1) % nodes.count])
        }
        #expect(sim.runUntilConverged(timeout: .seconds(2)) != nil)
        let link = sim.link(between: nodes[0], and: nodes[1]) ?? LinkHandle(0)

        // Node 1 now reaches node 0 the long way round: infeasible with the old seqno, so node 0 bumps 65535 → 0.
        sim.cut(link, visibly: true)
        #expect(sim.runUntilConverged(timeout: .seconds(1)) != nil)
        #expect(sim[nodes[0]].router.routerSeqno == SeqNo(0))
        #expect(sim[nodes[1]].router.selectedRoute(for: sim[nodes[0]].address)?.route.seqno == SeqNo(0))
        #expect(sim.path(from: nodes[1], to: nodes[0])?.count == 12)

        // Once more after the wrap, with a silent cut: 0 → 1.
        sim.run(for: .seconds(5))
        sim.restore(link)
        sim.run(for: .seconds(1))  // the direct route wins once the first IHU has measured the link
        #expect(sim.converged)
        #expect(sim.path(from: nodes[1], to: nodes[0])?.count == 2)
        sim.run(for: .seconds(5))
        sim.cut(link, visibly: false)
        #expect(sim.runUntilConverged(timeout: .seconds(2)) != nil)
        #expect(sim[nodes[0]].router.routerSeqno == SeqNo(1))
        #expect(sim[nodes[1]].router.selectedRoute(for: sim[nodes[0]].address)?.route.seqno == SeqNo(1))
        #expect(sim.loopViolations.isEmpty, "\(sim.loopViolations.prefix(3))")
        #expect(sim.findLoops().isEmpty)
    }
}
