/// Hello, IHU, link cost and dead neighbours (spec §3.3).
extension RouterStateMachine {
    mutating func sendHello(to id: NeighbourID, now: MonotonicInstant, into actions: inout [RouterAction]) {
        guard var neighbour = self.neighbours[id] else { return }
        let hello = Hello(seqno: neighbour.helloSeqno, interval: self.configuration.helloIntervalField)
        neighbour.helloSeqno = neighbour.helloSeqno.next()
        neighbour.outstandingHellos.append(now)
        if neighbour.outstandingHellos.count > self.configuration.maximumOutstandingHellos {
            neighbour.outstandingHellos.removeFirst()
        }
        neighbour.nextHelloAt = now + self.configuration.helloInterval
        self.neighbours[id] = neighbour
        self.timers.schedule(.hello(id), at: neighbour.nextHelloAt)
        actions.append(.send(.hello(hello), to: id))
    }

    /// Every Hello gets an IHU at once; upstream measures its link cost from its Hello to our IHU.
    func answerHello(from id: NeighbourID, into actions: inout [RouterAction]) {
        guard let neighbour = self.neighbours[id] else { return }
        let ihu = IHU(rxCost: neighbour.linkCost, interval: self.configuration.ihuIntervalField)
        actions.append(.send(.ihu(ihu), to: id))
    }

    /// An IHU proves the neighbour alive and gives a round-trip sample: the time since the oldest unanswered Hello.
    mutating func handleIHU(from id: NeighbourID, now: MonotonicInstant, into actions: inout [RouterAction]) {
        guard var neighbour = self.neighbours[id] else { return }
        neighbour.lastIHUAt = now
        if !neighbour.outstandingHellos.isEmpty {
            let sentAt = neighbour.outstandingHellos.removeFirst()
            neighbour.linkCostEstimator.add(sampleMilliseconds: now.duration(since: sentAt).millisecondsClamped)
        }
        let cost = neighbour.linkCost
        let previous = neighbour.linkCostAtLastSelection
        let changedSignificantly = cost.distance(to: previous) > self.configuration.significantMetricChange
        if self.configuration.reactsToLinkCostChanges, changedSignificantly {
            neighbour.linkCostAtLastSelection = cost
        }
        self.neighbours[id] = neighbour
        self.timers.schedule(.neighbourDeadline(id), at: self.livenessCheck(afterIHUAt: now))
        guard self.configuration.reactsToLinkCostChanges, changedSignificantly else { return }
        for subnet in self.sortedSubnets() where self.table[subnet]?.index(of: id) != nil {
            let previousSelection = self.table[subnet]?.selectedRoute
            self.selectRoute(for: subnet, previous: previousSelection, now: now, into: &actions)
        }
    }

    /// When to check a neighbour whose last IHU came at `lastIHU`: at the dead-neighbour deadline, or at the first
    /// periodic check from then on when checks are periodic (upstream: every 10 s, spec §3.3).
    func livenessCheck(afterIHUAt lastIHU: MonotonicInstant) -> MonotonicInstant {
        let deadline = lastIHU + self.configuration.deadNeighbourTimeout
        guard let period = self.configuration.deadNeighbourCheckInterval?.nanosecondsClamped, period > 0 else {
            return deadline
        }
        let elapsed = max(0, deadline.nanoseconds - self.startedAt.nanoseconds)
        let ticks = (elapsed + period - 1) / period
        return MonotonicInstant(nanoseconds: self.startedAt.nanoseconds + ticks * period)
    }

    /// Whether the neighbour has been silent for too long; if so it is dropped and its link closed.
    mutating func checkLiveness(of id: NeighbourID, now: MonotonicInstant, into actions: inout [RouterAction]) {
        guard let neighbour = self.neighbours[id],
            now.duration(since: neighbour.lastIHUAt) >= self.configuration.deadNeighbourTimeout
        else { return }
        self.counters.neighboursDied += 1
        actions.append(.disconnect(id))
        self.removeNeighbour(id, now: now, into: &actions)
    }

    /// Drops a neighbour and every route through it, then re-selects: fallbacks take over at once (spec §3.11).
    mutating func removeNeighbour(_ id: NeighbourID, now: MonotonicInstant, into actions: inout [RouterAction]) {
        guard self.neighbours.removeValue(forKey: id) != nil else { return }
        self.counters.neighboursRemoved += 1
        for subnet in self.sortedSubnets() {
            guard var entry = self.table[subnet], let index = entry.index(of: id) else { continue }
            let previous = entry.selectedRoute
            entry.routes.remove(at: index)
            if entry.selected == id { entry.selected = nil }
            self.table[subnet] = entry.routes.isEmpty ? nil : entry
            self.selectRoute(for: subnet, previous: previous, now: now, into: &actions)
        }
    }
}

extension Metric {
    /// The absolute difference of two metrics.
    func distance(to other: Metric) -> UInt16 {
        self.rawValue > other.rawValue ? self.rawValue - other.rawValue : other.rawValue - self.rawValue
    }
}
