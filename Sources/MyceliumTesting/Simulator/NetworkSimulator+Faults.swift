import MyceliumCore

/// Link failures, repairs and node restarts.
extension NetworkSimulator {
    /// Cuts a link. A *visible* cut is a reset: both routers get `neighbourDisconnected` now. A *silent* cut drops
    /// every packet from now on (those in flight too) and tells nobody: the routers must notice the missing IHUs.
    public mutating func cut(_ link: LinkHandle, visibly: Bool) {
        let index = link.index
        guard self.links[index].state == .up else { return }
        guard visibly else {
            self.links[index].state = .silentlyCut
            return
        }
        self.dropConnection(index)
    }

    /// Reconnects a link (a new TCP connection): whatever is left of the old connection is reset at both ends, then
    /// both routers see a new neighbour with a new id. Nothing happens if either end is stopped.
    public mutating func restore(_ link: LinkHandle) {
        self.dropConnection(link.index)
        self.open(link.index)
    }

    /// Changes a link's behaviour for the packets sent from now on; a new `kind` takes effect at the next connection
    /// (`restore`), as the routers fix a link's static cost when it comes up.
    public mutating func setParameters(_ parameters: LinkParameters, of link: LinkHandle) {
        self.links[link.index].parameters = parameters
    }

    /// Stops a node. When `visibly` (a process exit: the kernel resets its connections), its neighbours are told at
    /// once; otherwise (a power cut) its links go silent and the neighbours must notice by themselves.
    public mutating func stop(_ node: NodeHandle, visibly: Bool = true) {
        guard self.nodes[node.index].isRunning else { return }
        // A dead process sends nothing more: its router is not called while its connections are torn down.
        self.nodes[node.index].isRunning = false
        for link in self.links(of: node) {
            let end = self.links[link].end(of: node) ?? 0
            if visibly {
                self.dropConnection(link)
            } else {
                // Our side is gone with the process; the other side keeps its id until it gives up.
                self.closeEnd(link, end)
                if self.links[link].state == .up { self.links[link].state = .silentlyCut }
            }
        }
        self.nodes[node.index].scheduledWake = nil
        self.nodes[node.index].selectedSubnets = []
    }

    /// Starts a stopped node as a new process: a new router id (new random tail), a fresh router, and new
    /// connections on all its links whose other end runs.
    public mutating func start(_ node: NodeHandle) {
        let index = node.index
        guard !self.nodes[index].isRunning else { return }
        let old = self.nodes[index].router.routerID
        self.nodes[index].previousRouterIDs.append(old)
        self.nodes[index].router = self.makeRouter(
            publicKey: self.nodes[index].publicKey,
            configuration: self.nodes[index].configuration,
            initialSeqno: SeqNo(0)
        )
        self.nodes[index].incarnation += 1
        self.nodes[index].isRunning = true
        self.scheduleWake(for: index)
        for link in self.links(of: node) {
            self.dropConnection(link)
            self.open(link)
        }
    }

    /// Stops the node visibly and starts it again at once (same key, new router id).
    public mutating func restart(_ node: NodeHandle) {
        self.stop(node, visibly: true)
        self.start(node)
    }

    /// Asks `node`'s router to look for a route to `destination` (as if a packet were waiting for it).
    public mutating func requestRoute(from node: NodeHandle, to destination: IPv6Address) {
        self.drive(node.index) { router, now in router.requestRoute(to: destination, now: now) }
    }

    /// What traffic between every pair of running nodes would do: every node without a selected route to another
    /// running node's subnet asks for one (upstream keeps remote routes alive only through such requests, spec §3.8).
    public mutating func requestMissingRoutes() {
        let running = self.runningNodes
        for source in running {
            for destination in running where destination != source {
                guard !self.nodes[source.index].selectedSubnets.contains(self.nodes[destination.index].subnet) else {
                    continue
                }
                self.requestRoute(from: source, to: self.nodes[destination.index].address)
            }
        }
    }

    /// The links with `node` at one end, by index.
    func links(of node: NodeHandle) -> [Int] {
        self.links.indices.filter { self.links[$0].end(of: node) != nil }
    }

    /// Public variant of `links(of:)`.
    public func linkHandles(of node: NodeHandle) -> [LinkHandle] {
        self.links(of: node).map(LinkHandle.init)
    }

    /// The link between two nodes (the first one, if there are several).
    public func link(between a: NodeHandle, and b: NodeHandle) -> LinkHandle? {
        self.links.first { $0.end(of: a) != nil && $0.end(of: b) != nil }?.handle
    }

    /// Resets both ends of the current connection now (each end still holding an id is told), and marks it down.
    mutating func dropConnection(_ link: Int) {
        for end in 0..<2 {
            guard let id = self.links[link].neighbourIDs[end] else { continue }
            self.closeEnd(link, end)
            self.drive(self.links[link].node(at: end).index) { router, now in
                router.neighbourDisconnected(id, now: now)
            }
        }
        self.links[link].state = .down
        self.links[link].epoch += 1
    }
}
