import MyceliumCore

/// Questions about the routing state of the whole network: convergence, paths, loops.
extension NetworkSimulator {
    /// Every running node has a selected route to every other running node's subnet, and following the selected
    /// next hops from it reaches that node over links that carry traffic.
    public var converged: Bool {
        let running = self.nodes.filter(\.isRunning)
        // Cheap test first: the selected subnets, as the routers reported them with `.routeAcquired`/`.routeLost`.
        for node in running where node.selectedSubnets.count < running.count - 1 {
            return false
        }
        for source in running {
            for destination in running where destination.handle != source.handle {
                guard source.selectedSubnets.contains(destination.subnet),
                    self.path(from: source.handle, to: destination.handle) != nil
                else { return false }
            }
        }
        return true
    }

    /// The hops from `source` to `destination` (both included) following selected routes towards the destination's
    /// subnet over links that carry traffic; `nil` if the walk stops short, loops, or meets a stopped node.
    public func path(from source: NodeHandle, to destination: NodeHandle) -> [NodeHandle]? {
        let subnet = self.nodes[destination.index].subnet
        var hops = [source]
        var current = source.index
        while current != destination.index {
            guard self.nodes[current].isRunning, let (next, link) = self.nextHop(of: current, towards: subnet),
                self.links[link].carriesTraffic, !hops.contains(NodeHandle(next))
            else { return nil }
            hops.append(NodeHandle(next))
            current = next
        }
        return hops
    }

    /// The node (and link) a running node's selected route for `subnet` points to.
    public func nextHop(of node: NodeHandle, towards subnet: Subnet) -> NodeHandle? {
        self.nextHop(of: node.index, towards: subnet).map { NodeHandle($0.node) }
    }

    func nextHop(of node: Int, towards subnet: Subnet) -> (node: Int, link: Int)? {
        guard self.nodes[node].isRunning, let view = self.nodes[node].router.selectedRoute(for: subnet.address),
            view.subnet == subnet, let (link, end) = self.neighbourLinks[view.route.neighbour]
        else { return nil }
        return (self.links[link].node(at: 1 - end).index, link)
    }

    /// Every cycle in the selected next hops, for every node's subnet (stopped nodes' too: routes towards a vanished
    /// node must not loop either). A walk ends at the subnet's owner, at a node without a selected route, or at a
    /// stopped node.
    public func findLoops() -> [RoutingLoop] {
        self.nodes.flatMap { owner in
            LoopFinder.cycles(nodeCount: self.nodes.count, destination: owner.handle.index) {
                self.nextHop(of: $0, towards: owner.subnet)?.node
            }.map { self.loop($0[...], towards: owner.subnet) }
        }
    }

    /// Cycles met when walking from `node` towards every other node's subnet. A loop made by a change of `node`'s
    /// next hops passes through `node`, so after such a change this finds it at a fraction of `findLoops()`'s cost.
    public func findLoops(through node: NodeHandle) -> [RoutingLoop] {
        guard self.nodes[node.index].isRunning else { return [] }
        return self.nodes.compactMap { owner in
            guard owner.handle != node else { return nil }
            return LoopFinder.cycle(from: node.index, destination: owner.handle.index) {
                self.nextHop(of: $0, towards: owner.subnet)?.node
            }.map { self.loop($0[...], towards: owner.subnet) }
        }
    }

    private func loop(_ cycle: ArraySlice<Int>, towards subnet: Subnet) -> RoutingLoop {
        RoutingLoop(time: self.now, subnet: subnet, cycle: cycle.map(NodeHandle.init))
    }
}
