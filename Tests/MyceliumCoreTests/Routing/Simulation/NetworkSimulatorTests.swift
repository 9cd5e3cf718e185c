import MyceliumCore
import MyceliumTesting
import Testing

/// The simulator itself: reproducible, real wire sizes, TCP-like links, and a loop finder that does find loops.
@Suite("NetworkSimulator")
struct NetworkSimulatorTests {
    @Test func theSameSeedGivesTheSameRun() {
        func run(seed: UInt64) -> (Int, Int, [RouterNotification]) {
            var sim = NetworkSimulator(seed: seed)
            sim.build(
                .randomConnected(12, averageDegree: 3),
                latencyMilliseconds: 1...30,
                parameters: LinkParameters(jitter: .milliseconds(5))
            )
            sim.run(for: .seconds(3))
            return (sim.eventCount, sim.totalControlBytes, sim.notifications)
        }
        let first = run(seed: 77)
        let second = run(seed: 77)
        #expect(first.0 == second.0 && first.1 == second.1 && first.2 == second.2)
        #expect(run(seed: 78).2 != first.2)
    }

    @Test func packetsGoThroughTheRealCodec() {
        var sim = NetworkSimulator(seed: 1)
        let (a, b) = (sim.addNode(), sim.addNode())
        sim.recordsPackets = true
        sim.connect(a, b, parameters: LinkParameters(latency: .milliseconds(10)))
        // On connect each side sends its own route (Update /64: 68 bytes), a wildcard Route Request (13) and a Hello
        // (16); one link latency later it answers the Hello with an IHU (16) and the request with its own route (68).
        sim.run(for: .milliseconds(15))
        #expect(sim[a].controlBytesSent == 68 + 13 + 16 + 16 + 68)
        #expect(sim[b].controlPacketsSent == 5)
        #expect(sim.packets.filter { $0.to == b }.map(\.time) == Array(repeating: .zero + .milliseconds(10), count: 3))
        #expect(sim.converged)
        #expect(sim.path(from: a, to: b) == [a, b])
    }

    @Test func linksDeliverInOrderDespiteJitter() {
        var configuration = RouterConfiguration(helloInterval: .milliseconds(2))
        configuration.deadNeighbourTimeout = .seconds(5)
        var sim = NetworkSimulator(seed: 3, configuration: configuration)
        let (a, b) = (sim.addNode(), sim.addNode())
        sim.recordsPackets = true
        sim.connect(a, b, parameters: LinkParameters(latency: .milliseconds(1), jitter: .milliseconds(40)))
        sim.run(for: .seconds(1))
        let seqnos: [UInt16] = sim.packets.compactMap { record in
            guard record.to == b, case .hello(let hello) = record.packet else { return nil }
            return hello.seqno.rawValue
        }
        #expect(seqnos.count > 400)
        #expect(seqnos == Array(0..<UInt16(seqnos.count)))
    }

    @Test func visibleAndSilentCutsDiffer() {
        var sim = NetworkSimulator(seed: 4)
        let nodes = sim.build(.line(3))
        #expect(sim.runUntilConverged(timeout: .seconds(1)) != nil)
        let left = sim.link(between: nodes[0], and: nodes[1]) ?? LinkHandle(0)
        let right = sim.link(between: nodes[1], and: nodes[2]) ?? LinkHandle(0)

        sim.cut(left, visibly: true)
        #expect(sim[nodes[0]].router.neighbourIDs.isEmpty)
        #expect(sim[nodes[1]].router.neighbourIDs.count == 1)
        #expect(sim[left].state == .down)

        sim.cut(right, visibly: false)
        #expect(sim[nodes[2]].router.neighbourIDs.count == 1, "nobody was told")
        sim.run(for: .milliseconds(400))
        #expect(sim[nodes[2]].router.neighbourIDs.count == 1, "not yet: three Hellos may go unanswered")
        sim.run(for: .seconds(1))
        #expect(sim[nodes[2]].router.neighbourIDs.isEmpty)
        #expect(sim[nodes[2]].router.counters.neighboursDied == 1)

        sim.restore(left)
        sim.restore(right)
        #expect(sim.runUntilConvergedWithTraffic(timeout: .seconds(2)) != nil)
    }

    @Test func theLoopFinderFindsEveryCycle() {
        // 0 → 1 → 2 → 0 is a loop that 3 runs into; 4 → 5 reaches the destination 5; 6 has no route; 7 ↔ 8.
        let next: [Int: Int] = [0: 1, 1: 2, 2: 0, 3: 0, 4: 5, 7: 8, 8: 7]
        let cycles = LoopFinder.cycles(nodeCount: 9, destination: 5) { next[$0] }
        #expect(cycles == [[0, 1, 2], [7, 8]])
        #expect(LoopFinder.cycle(from: 3, destination: 5) { next[$0] } == [0, 1, 2])
        #expect(LoopFinder.cycle(from: 4, destination: 5) { next[$0] } == nil)
        #expect(LoopFinder.cycle(from: 6, destination: 5) { next[$0] } == nil)
        #expect(LoopFinder.cycles(nodeCount: 9, destination: 5) { $0 == 5 ? nil : 5 }.isEmpty)
    }

    @Test func topologiesHaveTheirShape() {
        var generator = SeededGenerator(seed: 5)
        #expect(Topology.line(4).edges(using: &generator).map { [$0.0, $0.1] } == [[0, 1], [1, 2], [2, 3]])
        #expect(Topology.ring(4).edges(using: &generator).count == 4)
        #expect(Topology.grid(width: 3, height: 2).edges(using: &generator).count == 7)
        let random = Topology.randomConnected(50, averageDegree: 4).edges(using: &generator)
        #expect(random.count == 100)
        // Connected: everything reachable from node 0.
        var seen: Set<Int> = [0]
        var frontier = [0]
        while let node = frontier.popLast() {
            for (a, b) in random where a == node || b == node {
                let other = a == node ? b : a
                if seen.insert(other).inserted { frontier.append(other) }
            }
        }
        #expect(seen.count == 50)
    }
}
