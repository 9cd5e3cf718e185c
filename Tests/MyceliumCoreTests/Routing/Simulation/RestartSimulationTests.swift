import MyceliumCore
import MyceliumTesting
import Testing

/// A node that restarts comes back as a new Babel source (new router id, seqno 0 — spec §1, §3.2): everybody must
/// reach it again through the new id, and nothing may keep routing by the old one.
@Suite("Node restarts in a simulated network")
struct RestartSimulationTests {
    @Test func aRestartedNodeIsReachableAgainUnderItsNewRouterID() {
        var sim = NetworkSimulator(seed: 30)
        sim.build(.randomConnected(30, averageDegree: 3.5), latencyMilliseconds: 5...40)
        #expect(sim.runUntilConverged(timeout: .seconds(5)) != nil)
        sim.run(for: .seconds(2))
        let node = NodeHandle(7)
        let oldID = sim[node].routerID

        sim.restart(node)
        let newID = sim[node].routerID
        #expect(newID != oldID && newID.publicKey == oldID.publicKey)
        #expect(sim[node].previousRouterIDs == [oldID])

        // Everybody reaches the node again, by the new id, within a second.
        let start = sim.now
        var reachable = false
        while !reachable, sim.now.duration(since: start) < .seconds(1) {
            sim.run(for: .milliseconds(10))
            reachable = sim.nodes.allSatisfy { other in
                other.handle == node
                    || (sim.path(from: other.handle, to: node) != nil
                        && other.router.selectedRoute(for: sim[node].address)?.route.routerID == newID)
            }
        }
        #expect(reachable, "not everybody reaches the restarted node by its new router id")

        // The old id's routes go: retractions are held 6 s, then nothing refers to the old id.
        sim.run(for: .seconds(7))
        for other in sim.nodes {
            let routes = other.router.selectedRoutes + other.router.fallbackRoutes
            #expect(!routes.contains { $0.route.routerID == oldID }, "\(other.handle) still has a route by the old id")
        }
        // The restarted node itself starts empty; its own traffic finds everybody again.
        #expect(sim.runUntilConvergedWithTraffic(timeout: .seconds(2)) != nil)
        #expect(sim.loopViolations.isEmpty, "\(sim.loopViolations.prefix(3))")
    }

    @Test func aNodeThatStopsSilentlyIsForgottenAndComesBack() {
        var sim = NetworkSimulator(seed: 31)
        sim.build(.ring(10))
        #expect(sim.runUntilConverged(timeout: .seconds(2)) != nil)
        let node = NodeHandle(3)
        let subnet = sim[node].subnet
        sim.stop(node, visibly: false)
        // Its neighbours notice within a second (our Hello rhythm); then nobody routes towards it any more.
        sim.run(for: .seconds(2))
        for other in sim.nodes where other.handle != node {
            #expect(other.router.selectedRoutes.allSatisfy { $0.subnet != subnet }, "\(other.handle)")
        }
        #expect(sim.runUntilConvergedWithTraffic(timeout: .seconds(2)) != nil, "the ring without it is a line")
        sim.start(node)
        #expect(sim.runUntilConvergedWithTraffic(timeout: .seconds(2)) != nil)
        #expect(sim.loopViolations.isEmpty, "\(sim.loopViolations.prefix(3))")
    }
}
