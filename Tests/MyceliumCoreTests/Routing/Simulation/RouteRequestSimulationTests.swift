import MyceliumCore
import MyceliumTesting
import Testing

/// On-demand discovery with route requests (spec §3.9): a subnet nobody announced to us is found by asking, and a
/// request for something that does not exist dies after 16 generations.
@Suite("Route requests in a simulated network")
struct RouteRequestSimulationTests {
    /// Two lines of five that converge apart, then get joined end to end.
    private func mergedLines(_ configuration: RouterConfiguration) -> (NetworkSimulator, [NodeHandle]) {
        var sim = NetworkSimulator(seed: 9, configuration: configuration)
        let nodes = sim.addNodes(10)
        for index in 1..<10 where index != 5 {
            sim.connect(nodes[index - 1], nodes[index])
        }
        sim.run(for: .seconds(1))
        sim.connect(nodes[4], nodes[5])
        sim.run(for: .seconds(1))
        return (sim, nodes)
    }

    @Test func ourNodesAskANewNeighbourForItsWholeTable() {
        let (sim, nodes) = self.mergedLines(.standard)
        #expect(sim.converged)
        #expect(sim.path(from: nodes[0], to: nodes[9]) == nodes)
    }

    @Test func afterTwoNetworksMergeRequestsFindTheFarSide() {
        // As upstream: only the two joining nodes' own routes cross (learned routes are never re-advertised, spec
        // §3.8), so node 0 knows node 5 but not node 9 until it asks.
        var configuration = RouterConfiguration.standard
        configuration.requestsRoutesOnConnect = false
        var (sim, nodes) = self.mergedLines(configuration)
        let (requester, far) = (nodes[0], nodes[9])
        #expect(sim[requester].router.selectedRoute(for: sim[nodes[5]].address) != nil)
        #expect(sim[requester].router.selectedRoute(for: sim[far].address) == nil)

        sim.recordsPackets = true
        let asked = sim.now
        sim.requestRoute(from: requester, to: sim[far].address)
        #expect(sim[requester].router.queriedSubnets.map(\.subnet) == [sim[far].subnet])
        sim.run(for: .seconds(1))

        let acquired = sim.notifications.first {
            $0.node == requester && $0.kind == .routeAcquired && $0.subnet == sim[far].subnet
        }
        #expect(acquired != nil)
        if let acquired { #expect(acquired.time.duration(since: asked) < .milliseconds(200)) }
        #expect(sim.path(from: requester, to: far) == nodes)
        #expect(sim[requester].router.queriedSubnets.isEmpty)
        // The request went hop by hop to node 5, which knew the answer: generations 0…4, nothing beyond node 5.
        let requests = self.routeRequests(in: sim, for: sim[far].subnet)
        #expect(requests.map(\.generation) == [0, 1, 2, 3, 4])
        #expect(requests.map(\.to) == Array(nodes[1...5]))
    }

    @Test func requestsForANonexistentSubnetStopAtGenerationFifteen() throws {
        var sim = NetworkSimulator(seed: 20)
        let nodes = sim.build(.line(20))
        #expect(sim.runUntilConverged(timeout: .seconds(2)) != nil)
        let nowhere = IPv6Address(high: 0x0400_dead_beef_0001, low: 1)
        let subnet = Subnet.node(containing: nowhere)
        #expect(sim.owner(of: subnet) == nil)

        sim.recordsPackets = true
        sim.requestRoute(from: nodes[0], to: nowhere)
        sim.run(for: .seconds(1))
        let requests = self.routeRequests(in: sim, for: subnet)
        // Node k gets generation k − 1; node 16 gets 15 and, as 15 + 1 is not below 16, forwards nothing.
        #expect(requests.map(\.to) == Array(nodes[1...16]))
        #expect(requests.map(\.generation) == Array(0...15))
        #expect(requests.allSatisfy { $0.generation < 16 })
        // The query lapses after 15 s at the requester (and at every node that forwarded it).
        sim.run(for: .seconds(15))
        let expired = sim.notifications.filter { $0.kind == .queryExpired && $0.subnet == subnet }
        #expect(Set(expired.map(\.node)) == Set(nodes[0...15]))
        #expect(sim.nodes.allSatisfy { $0.router.queriedSubnets.isEmpty })
    }

    private func routeRequests(in sim: NetworkSimulator, for subnet: Subnet) -> [(to: NodeHandle, generation: UInt8)] {
        sim.packets.compactMap { record in
            guard case .routeRequest(let request) = record.packet, request.prefix == .ipv6(subnet) else { return nil }
            return (record.to, request.generation)
        }
    }
}
