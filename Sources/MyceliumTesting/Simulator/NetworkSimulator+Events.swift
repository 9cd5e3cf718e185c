import MyceliumCore
import NIOCore

/// Running events, feeding routers and carrying out what they ask for.
extension NetworkSimulator {
    mutating func handle(_ event: SimulationEvent) {
        switch event {
        case .deliver(let link, let epoch, let end, let packet):
            guard self.links[link].epoch == epoch, self.links[link].state == .up,
                let id = self.links[link].neighbourIDs[end]
            else { return }
            let receiver = self.links[link].node(at: end).index
            if self.recordsPackets {
                let sender = self.links[link].node(at: 1 - end)
                self.packets.append(
                    PacketRecord(time: self.now, from: sender, to: NodeHandle(receiver), packet: packet)
                )
            }
            self.drive(receiver) { router, now in router.receive(packet, from: id, now: now) }
        case .close(let link, let epoch, let end):
            guard self.links[link].epoch == epoch, let id = self.links[link].neighbourIDs[end] else { return }
            self.closeEnd(link, end)
            self.drive(self.links[link].node(at: end).index) { router, now in
                router.neighbourDisconnected(id, now: now)
            }
        case .wake(let node, let incarnation):
            guard self.nodes[node].isRunning, self.nodes[node].incarnation == incarnation,
                self.nodes[node].scheduledWake == self.now
            else { return }
            self.nodes[node].scheduledWake = nil
            self.drive(node) { router, now in router.advanceTime(to: now) }
        }
    }

    /// Calls the node's router, carries out the actions, looks for loops it may have made, and schedules its next
    /// wake-up.
    mutating func drive(_ node: Int, _ input: (inout RouterStateMachine, MonotonicInstant) -> [RouterAction]) {
        guard self.nodes[node].isRunning else { return }
        let before = self.nodes[node].router.counters
        let now = self.now
        let actions = input(&self.nodes[node].router, now)
        self.perform(actions, at: node)
        let after = self.nodes[node].router.counters
        if self.loopCheck == .afterEveryRoutingChange,
            before.routeSelections != after.routeSelections || before.neighboursRemoved != after.neighboursRemoved
        {
            self.loopViolations += self.findLoops(through: NodeHandle(node))
        }
        self.scheduleWake(for: node)
    }

    mutating func perform(_ actions: [RouterAction], at node: Int) {
        for action in actions {
            switch action {
            case .send(let packet, let id):
                self.send(packet, over: id, from: node)
            case .disconnect(let id):
                guard let (link, end) = self.neighbourLinks[id] else { continue }
                self.disconnects.append(
                    DisconnectRecord(time: self.now, node: NodeHandle(node), link: LinkHandle(link))
                )
                self.closeEnd(link, end)
                self.sendClose(over: link, from: end)
            case .routeAcquired(let subnet):
                self.nodes[node].selectedSubnets.insert(subnet)
                self.notify(.routeAcquired, subnet, at: node)
            case .routeLost(let subnet):
                self.nodes[node].selectedSubnets.remove(subnet)
                self.notify(.routeLost, subnet, at: node)
            case .queryExpired(let subnet):
                self.notify(.queryExpired, subnet, at: node)
            }
        }
    }

    private mutating func notify(_ kind: RouterNotification.Kind, _ subnet: Subnet, at node: Int) {
        self.notifications.append(
            RouterNotification(time: self.now, node: NodeHandle(node), kind: kind, subnet: subnet)
        )
    }

    /// Encodes the packet with the real codec, counts its bytes, and schedules its arrival (in order) unless the link
    /// is cut or the packet is lost.
    private mutating func send(_ packet: ControlPacket, over id: NeighbourID, from node: Int) {
        guard let (link, end) = self.neighbourLinks[id] else {
            preconditionFailure("router \(node) sent to \(id), which is not one of its links")
        }
        let (byteCount, received) = self.wireImage(of: packet)
        self.nodes[node].controlBytesSent += byteCount
        self.nodes[node].controlPacketsSent += 1
        guard self.links[link].state == .up else { return }
        let parameters = self.links[link].parameters
        let loss = end == 0 ? parameters.lossForward : parameters.lossBackward
        if loss > 0, Double.random(in: 0..<1, using: &self.generator) < loss { return }
        guard let arrival = self.arrivalTime(over: link, toEnd: 1 - end) else { return }
        self.queue.schedule(
            .deliver(link: link, epoch: self.links[link].epoch, toEnd: 1 - end, packet: received),
            at: arrival
        )
    }

    /// The packet through the real link codec: its size on the wire, and what a receiver decodes from those bytes.
    /// The codec is a pure function, so each distinct packet (the same Update reaches many nodes) is encoded and
    /// decoded once and the result reused.
    private mutating func wireImage(of packet: ControlPacket) -> (byteCount: Int, received: ControlPacket) {
        if let known = self.wireImages[packet] { return (known.byteCount, known.received) }
        self.codecRuns += 1
        var bytes = self.allocator.buffer(capacity: 80)
        do {
            let byteCount = try bytes.writeLinkPacket(.control(packet))
            guard case .control(let received)? = try bytes.readLinkPacket(), bytes.readableBytes == 0 else {
                preconditionFailure("one control packet must decode from exactly its own bytes")
            }
            if self.wireImages.count >= WireImage.cacheCapacity { self.wireImages.removeAll(keepingCapacity: true) }
            self.wireImages[packet] = WireImage(byteCount: byteCount, received: received)
            return (byteCount, received)
        } catch {
            preconditionFailure("the link codec failed on a packet the router produced: \(error)")
        }
    }

    /// A FIN/RST from `end`: reaches the other end in order, unless the link is silently cut.
    mutating func sendClose(over link: Int, from end: Int) {
        guard self.links[link].state == .up, let arrival = self.arrivalTime(over: link, toEnd: 1 - end) else { return }
        self.queue.schedule(.close(link: link, epoch: self.links[link].epoch, toEnd: 1 - end), at: arrival)
    }

    private mutating func arrivalTime(over link: Int, toEnd end: Int) -> MonotonicInstant? {
        let parameters = self.links[link].parameters
        var delay = parameters.latency
        if parameters.jitter > .zero {
            let jitter = parameters.jitter.nanosecondsClamped
            delay += .nanoseconds(Int64.random(in: 0...jitter, using: &self.generator))
        }
        let arrival = max(self.now + delay, self.links[link].lastArrival[end])
        self.links[link].lastArrival[end] = arrival
        return arrival
    }

    /// Forgets one end's neighbour id; the link is down once neither end holds one.
    mutating func closeEnd(_ link: Int, _ end: Int) {
        guard let id = self.links[link].neighbourIDs[end] else { return }
        self.neighbourLinks[id] = nil
        self.links[link].neighbourIDs[end] = nil
        if self.links[link].neighbourIDs.allSatisfy({ $0 == nil }) { self.links[link].state = .down }
    }

    /// A new connection on a link whose ends both run: fresh neighbour ids, both routers told now.
    mutating func open(_ link: Int) {
        let (a, b) = self.links[link].ends
        guard self.nodes[a.index].isRunning, self.nodes[b.index].isRunning else {
            self.links[link].state = .down
            return
        }
        self.links[link].epoch += 1
        self.links[link].state = .up
        self.links[link].lastArrival = [self.now, self.now]
        var ids: [NeighbourID] = []
        for end in 0..<2 {
            let id = NeighbourID(self.nextNeighbourID)
            self.nextNeighbourID += 1
            self.neighbourLinks[id] = (link, end)
            self.links[link].neighbourIDs[end] = id
            ids.append(id)
        }
        let kind = self.links[link].parameters.kind
        for end in 0..<2 {
            self.drive(self.links[link].node(at: end).index) { router, now in
                router.neighbourConnected(ids[end], linkKind: kind, now: now)
            }
        }
    }

    /// Schedules a wake-up at the router's next deadline unless an earlier one is already pending.
    mutating func scheduleWake(for node: Int) {
        guard self.nodes[node].isRunning, let deadline = self.nodes[node].router.nextDeadline else { return }
        let time = max(deadline, self.now)
        if let scheduled = self.nodes[node].scheduledWake, scheduled <= time, scheduled >= self.now { return }
        self.nodes[node].scheduledWake = time
        self.queue.schedule(.wake(node: node, incarnation: self.nodes[node].incarnation), at: time)
    }
}

/// A packet's encoded size, and what decoding those bytes gave.
struct WireImage: Sendable {
    static let cacheCapacity = 1 << 16
    var byteCount: Int
    var received: ControlPacket
}
