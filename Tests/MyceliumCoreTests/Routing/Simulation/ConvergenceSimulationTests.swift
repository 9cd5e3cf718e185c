import MyceliumCore
import MyceliumTesting
import Testing

/// Whole networks of routers on the virtual clock: every node must reach every other, and no selected route may ever
/// loop on the way there (spec §3.5–3.8).
@Suite("Convergence of simulated networks")
struct ConvergenceSimulationTests {
    /// Builds `topology`, runs it to convergence, and checks paths and loops.
    private func converge(
        _ topology: Topology,
        seed: UInt64,
        loopCheck: LoopCheckPolicy = .afterEveryRoutingChange,
        timeout: Duration = .seconds(10)
    ) -> (NetworkSimulator, Duration?) {
        var sim = NetworkSimulator(seed: seed)
        sim.loopCheck = loopCheck
        sim.build(topology, latencyMilliseconds: 5...40)
        let time = sim.runUntilConverged(timeout: timeout)
        return (sim, time)
    }

    private func expectConverged(_ sim: NetworkSimulator, _ time: Duration?, within limit: Duration) {
        #expect(time != nil, "did not converge")
        if let time { #expect(time <= limit) }
        #expect(sim.loopViolations.isEmpty, "\(sim.loopViolations.prefix(3))")
        #expect(sim.findLoops().isEmpty)
        for node in sim.nodes {
            #expect(node.router.selectedRoutes.count == sim.nodes.count - 1)
        }
    }

    @Test func lineOfTen() {
        let (sim, time) = self.converge(.line(10), seed: 1)
        self.expectConverged(sim, time, within: .seconds(2))
        // The far ends route through every node in between.
        #expect(sim.path(from: NodeHandle(0), to: NodeHandle(9)) == (0...9).map(NodeHandle.init))
    }

    @Test func ringOfTwenty() {
        let (sim, time) = self.converge(.ring(20), seed: 2)
        self.expectConverged(sim, time, within: .seconds(2))
        // Opposite nodes are 10 hops apart whichever way round; neighbours are one hop apart.
        #expect(sim.path(from: NodeHandle(0), to: NodeHandle(10))?.count == 11)
        #expect(sim.path(from: NodeHandle(0), to: NodeHandle(1))?.count == 2)
    }

    @Test func gridOfSevenBySeven() {
        let (sim, time) = self.converge(.grid(width: 7, height: 7), seed: 3)
        self.expectConverged(sim, time, within: .seconds(3))
        let corner = sim.path(from: NodeHandle(0), to: NodeHandle(48))
        #expect((corner?.count ?? 0) >= 13)
    }

    /// 200 nodes are in `ControlTrafficSimulationTests` (loops checked at intervals there).
    @Test(arguments: [(10, UInt64(10)), (50, UInt64(50))])
    func randomGraph(size: Int, seed: UInt64) {
        let (sim, time) = self.converge(.randomConnected(size, averageDegree: 3.5), seed: seed)
        self.expectConverged(sim, time, within: .seconds(3))
    }
}
