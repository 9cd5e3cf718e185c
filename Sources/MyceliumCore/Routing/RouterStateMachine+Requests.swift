/// Route requests (on-demand discovery, spec §3.9) and seqno requests (spec §3.10).
extension RouterStateMachine {
    // MARK: Route requests

    mutating func handleRouteRequest(
        _ request: RouteRequest,
        from requester: NeighbourID,
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        guard let prefix = request.prefix else {
            // Wildcard: everything we route, except what goes through the requester, plus our own route.
            for subnet in self.sortedSubnets() {
                guard let route = self.table[subnet]?.selectedRoute, route.neighbour != requester else { continue }
                self.sendUpdate(for: route, of: subnet, to: requester, now: now, into: &actions)
            }
            self.announceOwnRoute(to: [requester], now: now, into: &actions)
            return
        }
        guard case .ipv6(let subnet) = prefix else {
            self.counters.discardedTLVs += 1
            return
        }
        if self.subnet.contains(subnet) {
            self.announceOwnRoute(to: [requester], now: now, into: &actions)
            return
        }
        if let entry = self.table[subnet] {
            if let route = entry.selectedRoute, route.neighbour != requester {
                self.sendUpdate(for: route, of: subnet, to: requester, now: now, into: &actions)
            }
            return
        }
        guard self.queried[subnet] == nil,
            UInt16(request.generation) + 1 < UInt16(self.configuration.maximumRouteRequestGeneration)
        else { return }
        self.startQuery(for: subnet, now: now)
        self.forwardRouteRequest(
            for: subnet,
            generation: request.generation + 1,
            except: requester,
            now: now,
            into: &actions
        )
    }

    mutating func startQuery(for subnet: Subnet, now: MonotonicInstant) {
        let expiresAt = now + self.configuration.routeQueryTimeout
        self.queried[subnet] = expiresAt
        self.timers.schedule(.queryExpiry(subnet), at: expiresAt)
    }

    /// Sends a route request to every neighbour but `excluded`, skipping those that got one for the subnet within
    /// the query timeout unless this one has a lower generation.
    mutating func forwardRouteRequest(
        for subnet: Subnet,
        generation: UInt8,
        except excluded: NeighbourID?,
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        var record = self.routeRequestsSent[subnet] ?? RouteRequestRecord()
        let request = RouteRequest(prefix: .ipv6(subnet), generation: generation)
        for target in self.neighbourIDs where target != excluded {
            if let sent = record.sent[target], now.duration(since: sent.at) < self.configuration.routeQueryTimeout,
                sent.generation <= generation
            {
                continue
            }
            actions.append(.send(.routeRequest(request), to: target))
            record.sent[target] = (now, generation)
            self.counters.routeRequestsSent += 1
        }
        self.routeRequestsSent[subnet] = record
        self.timers.schedule(.routeRequestRecordExpiry(subnet), at: now + self.configuration.routeQueryTimeout)
    }

    /// Sends the selected `route` of `subnet` to one neighbour.
    mutating func sendUpdate(
        for route: Route,
        of subnet: Subnet,
        to target: NeighbourID,
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        guard !route.metric.isInfinite else { return }
        self.propagate(route, of: subnet, to: [target], now: now, into: &actions)
    }

    // MARK: Seqno requests

    /// Asks `targets` for a newer seqno of (`subnet`, `routerID`): one more than our feasibility distance.
    mutating func requestSeqno(
        for subnet: Subnet,
        routerID: RouterID,
        from targets: [NeighbourID],
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        let distance = self.sources.distance(for: SourceTable.Key(subnet: subnet, routerID: routerID))
        let seqno = (distance?.seqno ?? SeqNo(0)).next()
        let key = SeqnoRequestRecord.Key(routerID: routerID, subnet: subnet, seqno: seqno)
        var record = self.seqnoRequests[key] ?? SeqnoRequestRecord(createdAt: now)
        let request = SeqnoRequest(prefix: .ipv6(subnet), seqno: seqno, routerID: routerID)
        for target in targets where !record.requesters.contains(target) {
            if let sentAt = record.targets[target],
                now.duration(since: sentAt) < self.configuration.seqnoRequestFanOutWindow
            {
                continue
            }
            actions.append(.send(.seqnoRequest(request), to: target))
            record.targets[target] = now
            self.counters.seqnoRequestsSent += 1
        }
        self.storeSeqnoRecord(record, for: key)
    }

    mutating func handleSeqnoRequest(
        _ request: SeqnoRequest,
        from requester: NeighbourID,
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        guard case .ipv6(let subnet) = request.prefix else {
            self.counters.discardedTLVs += 1
            return
        }
        let key = SeqnoRequestRecord.Key(routerID: request.routerID, subnet: subnet, seqno: request.seqno)
        var record = self.seqnoRequests[key] ?? SeqnoRequestRecord(createdAt: now)
        if let forwardedAt = record.forwardedAt, now.duration(since: forwardedAt) < self.configuration.seqnoRequestMemory {
            record.requesters.insert(requester)
            self.seqnoRequests[key] = record
            return
        }

        if subnet == self.subnet {
            if request.routerID == self.routerID, request.seqno.isNewer(than: self.routerSeqno) {
                self.bumpSeqno(now: now, into: &actions)
            } else {
                // Not asked of upstream, but cheap and useful: what we have already satisfies the requester.
                self.announceOwnRoute(to: [requester], now: now, into: &actions)
            }
            return
        }

        let entry = self.table[subnet]
        if let route = entry?.selectedRoute, !route.metric.isInfinite,
            route.routerID != request.routerID || !route.seqno.isOlder(than: request.seqno)
        {
            self.sendUpdate(for: route, of: subnet, to: requester, now: now, into: &actions)
            return
        }
        guard request.hopCount >= 2, request.routerID != self.routerID, let entry else { return }

        let alive = entry.routes.filter {
            !$0.metric.isInfinite && $0.neighbour != requester && self.neighbours[$0.neighbour] != nil
        }
        let preferred = alive.first { route in
            let recentlyAsked = record.targets[route.neighbour].map {
                now.duration(since: $0) < self.configuration.seqnoRequestFanOutWindow
            }
            return recentlyAsked != true
                && self.sources.isFeasible(
                    SourceTable.Key(subnet: subnet, routerID: route.routerID),
                    seqno: route.seqno,
                    metric: route.metric
                )
        }
        guard let target = (preferred ?? alive.first)?.neighbour else { return }
        var forwarded = request
        forwarded.hopCount = request.hopCount - 1
        actions.append(.send(.seqnoRequest(forwarded), to: target))
        self.counters.seqnoRequestsSent += 1
        record.targets[target] = now
        record.forwardedAt = now
        record.requesters.insert(requester)
        self.storeSeqnoRecord(record, for: key)
    }

    /// A bump is allowed once every `seqnoBumpInterval`; the new seqno goes to every neighbour.
    private mutating func bumpSeqno(now: MonotonicInstant, into actions: inout [RouterAction]) {
        if let last = self.lastSeqnoBump, now.duration(since: last) < self.configuration.seqnoBumpInterval { return }
        self.routerSeqno = self.routerSeqno.next()
        self.lastSeqnoBump = now
        self.counters.seqnoBumps += 1
        self.announceOwnRoute(to: self.neighbourIDs, now: now, into: &actions)
    }

    /// If neighbours asked us for exactly this (router id, subnet, seqno), the update goes back to them.
    mutating func answerSeqnoRequesters(
        with route: Route,
        of subnet: Subnet,
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        let key = SeqnoRequestRecord.Key(routerID: route.routerID, subnet: subnet, seqno: route.seqno)
        guard var record = self.seqnoRequests[key], !record.requesters.isEmpty else { return }
        let requesters = record.requesters.sorted()
        record.requesters = []
        self.seqnoRequests[key] = record
        self.propagate(route, of: subnet, to: requesters, now: now, into: &actions)
    }

    private mutating func storeSeqnoRecord(_ record: SeqnoRequestRecord, for key: SeqnoRequestRecord.Key) {
        if self.seqnoRequests.updateValue(record, forKey: key) == nil {
            self.timers.schedule(
                .seqnoRequestRecordExpiry(key),
                at: record.createdAt + self.configuration.seqnoRequestMemory
            )
        }
    }
}
