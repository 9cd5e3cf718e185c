/// Receiving Updates, selecting routes and announcing them (spec §3.5–3.8).
extension RouterStateMachine {
    /// Spec §3.6, in order.
    mutating func handleUpdate(
        _ update: Update,
        from neighbour: NeighbourID,
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        // 1. Filters. The ownership test hashes the key (BLAKE3); a key already accepted for this subnet passed it.
        guard case .ipv6(let subnet) = update.prefix, Subnet.overlay.contains(subnet), subnet.prefixLength >= 64,
            update.isRetraction || self.table[subnet]?.publicKey == update.routerID.publicKey
                || subnet.contains(update.routerID.overlayAddress)
        else {
            self.counters.deniedUpdates += 1
            return
        }
        // 2. Our own subnet.
        guard !self.subnet.contains(subnet) else { return }
        // Ours, not upstream's: a neighbour that retracts has no route left. If we have one that does not go through
        // it, it gets ours (split horizon or a feasibility refusal may have kept it from knowing it); otherwise it
        // would stay without a route until traffic made it send a route request (spec §3.9).
        defer {
            if update.isRetraction, self.configuration.answersRetractions {
                self.answerRetraction(of: subnet, from: neighbour, now: now, into: &actions)
            }
        }

        let key = SourceTable.Key(subnet: subnet, routerID: update.routerID)
        let feasible = self.sources.isFeasible(key, seqno: update.seqno, metric: update.metric)
        let holdTime =
            update.isRetraction
            ? self.configuration.retractedRouteHoldTime
            : self.configuration.holdTime(forIntervalField: update.interval)
        let previous = self.table[subnet]?.selectedRoute

        // 3. Unknown subnet.
        var entry: SubnetRoutes
        if let existing = self.table[subnet] {
            entry = existing
        } else {
            guard feasible else {
                self.requestSeqno(for: subnet, routerID: update.routerID, from: [neighbour], now: now, into: &actions)
                return
            }
            guard !update.isRetraction else { return }
            entry = SubnetRoutes(publicKey: update.routerID.publicKey)
        }

        if let index = entry.index(of: neighbour) {
            // 4. A route from this neighbour exists.
            let isSelected = entry.selected == neighbour
            var route = entry.routes[index]
            if isSelected, !feasible, route.routerID == update.routerID {
                self.requestSeqno(for: subnet, routerID: update.routerID, from: [neighbour], now: now, into: &actions)
                return
            }
            if update.isRetraction, route.metric.isInfinite { return }
            route.seqno = update.seqno
            route.metric = update.metric
            route.routerID = update.routerID
            if feasible {
                route.expiresAt = now + holdTime
                self.timers.schedule(.routeExpiry(subnet), at: route.expiresAt)
            }
            entry.routes[index] = route
            if !feasible {
                guard isSelected else {
                    self.table[subnet] = entry
                    return
                }
                entry.selected = nil
            }
        } else {
            // 5. A new route from this neighbour.
            guard !update.isRetraction, feasible else {
                if !feasible, entry.selected == nil {
                    self.requestSeqno(
                        for: subnet,
                        routerID: update.routerID,
                        from: [neighbour],
                        now: now,
                        into: &actions
                    )
                }
                return
            }
            let route = Route(
                neighbour: neighbour,
                routerID: update.routerID,
                seqno: update.seqno,
                metric: update.metric,
                expiresAt: now + holdTime
            )
            entry.routes.append(route)
            self.timers.schedule(.routeExpiry(subnet), at: route.expiresAt)
        }
        self.table[subnet] = entry
        // 6 and 7.
        self.selectRoute(for: subnet, previous: previous, now: now, into: &actions)
    }

    /// Sends our selected route of `subnet` to a neighbour that just retracted it, unless it is our next hop.
    private mutating func answerRetraction(
        of subnet: Subnet,
        from neighbour: NeighbourID,
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        guard let route = self.table[subnet]?.selectedRoute, route.neighbour != neighbour, !route.metric.isInfinite,
            self.neighbours[neighbour] != nil
        else { return }
        self.propagate(route, of: subnet, to: [neighbour], now: now, into: &actions)
    }

    /// Runs route selection for `subnet` and sends what the outcome calls for (spec §3.6 steps 6–7, §3.7).
    /// `announceAnyChange` sends the triggered update whenever a route stays selected, however small the change (the
    /// expiry of the selected route, spec §3.8).
    mutating func selectRoute(
        for subnet: Subnet,
        previous: Route?,
        now: MonotonicInstant,
        announceAnyChange: Bool = false,
        into actions: inout [RouterAction]
    ) {
        var entry = self.table[subnet]
        let chosen = entry.flatMap { self.chooseRoute(in: $0, for: subnet) }
        if var current = entry {
            current.selected = chosen?.neighbour
            entry = current
            self.table[subnet] = current
        }
        if chosen?.neighbour != previous?.neighbour { self.counters.routeSelections += 1 }

        switch (previous, chosen) {
        case (nil, nil):
            break
        case (nil, .some(let route)):
            self.queried[subnet] = nil
            actions.append(.routeAcquired(subnet))
            self.propagate(route, of: subnet, to: self.neighbourIDs, now: now, into: &actions)
            self.counters.triggeredUpdates += 1
        case (.some(let lost), nil):
            let announcers = entry?.routes.map(\.neighbour).filter { self.neighbours[$0] != nil } ?? []
            self.requestSeqno(for: subnet, routerID: lost.routerID, from: announcers, now: now, into: &actions)
            self.retract(subnet, now: now, into: &actions)
            self.table[subnet]?.advertisedMetric = nil
            actions.append(.routeLost(subnet))
            self.counters.triggeredUpdates += 1
        case (.some(let old), .some(let new)):
            if announceAnyChange || self.isSignificantChange(from: old, to: new, in: subnet) {
                self.propagate(new, of: subnet, to: self.neighbourIDs, now: now, into: &actions)
                self.counters.triggeredUpdates += 1
            } else {
                self.answerSeqnoRequesters(with: new, of: subnet, now: now, into: &actions)
            }
        }
    }

    /// A triggered update is due when the source changed or the metric moved by more than 10. Upstream compares the
    /// advertised metrics only; we compare what we would advertise now with what we advertised, so a link cost that
    /// settles after the route was announced is passed on.
    private func isSignificantChange(from old: Route, to new: Route, in subnet: Subnet) -> Bool {
        guard old.routerID == new.routerID else { return true }
        let threshold = self.configuration.significantMetricChange
        guard self.configuration.reactsToLinkCostChanges else { return new.metric.distance(to: old.metric) > threshold }
        let cost = new.metric + (self.neighbours[new.neighbour]?.linkCost ?? .infinite)
        guard let advertised = self.table[subnet]?.advertisedMetric else { return true }
        return cost.distance(to: advertised) > threshold
    }

    /// Spec §3.7: the feasible finite route with the lowest metric + link cost, unless the selected one is within
    /// `significantImprovement` of it and the best one's neighbour is not the originator.
    func chooseRoute(in entry: SubnetRoutes, for subnet: Subnet) -> Route? {
        var best: (route: Route, score: Metric)?
        var currentScore: Metric?
        for route in entry.routes where !route.metric.isInfinite {
            guard let neighbour = self.neighbours[route.neighbour],
                self.sources.isFeasible(
                    SourceTable.Key(subnet: subnet, routerID: route.routerID),
                    seqno: route.seqno,
                    metric: route.metric
                )
            else { continue }
            let score = route.metric + neighbour.linkCost
            if route.neighbour == entry.selected { currentScore = score }
            if let current = best, (current.score, current.route.neighbour) <= (score, route.neighbour) { continue }
            best = (route, score)
        }
        guard let best else { return nil }
        if let currentScore, let current = entry.selectedRoute, current.neighbour != best.route.neighbour,
            best.route.metric != .zero,
            UInt32(best.score.rawValue) + UInt32(self.configuration.significantImprovement)
                >= UInt32(currentScore.rawValue)
        {
            return current
        }
        return best.route
    }

    /// Sends `route` (a selected route of `subnet`) to `targets` except its own next hop (split horizon), with our
    /// cost as metric, and records the announcement in the source table.
    mutating func propagate(
        _ route: Route,
        of subnet: Subnet,
        to targets: [NeighbourID],
        now: MonotonicInstant,
        into actions: inout [RouterAction]
    ) {
        let metric = route.metric + (self.neighbours[route.neighbour]?.linkCost ?? .infinite)
        let update = Update(
            prefix: .ipv6(subnet),
            seqno: route.seqno,
            metric: metric,
            interval: self.configuration.updateIntervalField,
            routerID: route.routerID
        )
        var sent = false
        for target in targets where target != route.neighbour && self.neighbours[target] != nil {
            actions.append(.send(.update(update), to: target))
            sent = true
        }
        guard sent else { return }
        self.table[subnet]?.advertisedMetric = metric
        self.recordAnnouncement(of: update, subnet: subnet, now: now)
    }

    /// Announces that `subnet` is unreachable through us: metric ∞ with our own router id and seqno (spec §3.8).
    mutating func retract(_ subnet: Subnet, now: MonotonicInstant, into actions: inout [RouterAction]) {
        let update = Update(
            prefix: .ipv6(subnet),
            seqno: self.routerSeqno,
            metric: .infinite,
            interval: self.configuration.updateIntervalField,
            routerID: self.routerID
        )
        for target in self.neighbourIDs {
            actions.append(.send(.update(update), to: target))
        }
    }

    /// Our own /64 with metric 0 (spec §3.8).
    mutating func announceOwnRoute(to targets: [NeighbourID], now: MonotonicInstant, into actions: inout [RouterAction]) {
        let update = Update(
            prefix: .ipv6(self.subnet),
            seqno: self.routerSeqno,
            metric: .zero,
            interval: self.configuration.updateIntervalField,
            routerID: self.routerID
        )
        for target in targets where self.neighbours[target] != nil {
            actions.append(.send(.update(update), to: target))
        }
        self.recordAnnouncement(of: update, subnet: self.subnet, now: now)
    }

    private mutating func recordAnnouncement(of update: Update, subnet: Subnet, now: MonotonicInstant) {
        let key = SourceTable.Key(subnet: subnet, routerID: update.routerID)
        if let expiresAt = self.sources.recordAnnouncement(
            key,
            seqno: update.seqno,
            metric: update.metric,
            now: now,
            lifetime: self.configuration.sourceEntryLifetime
        ) {
            self.timers.schedule(.sourceExpiry(key), at: expiresAt)
        }
    }

    /// Hold times ran out (spec §3.8): a selected route becomes a retraction held for 6 s, others are deleted.
    mutating func expireRoutes(of subnet: Subnet, now: MonotonicInstant, into actions: inout [RouterAction]) {
        guard var entry = self.table[subnet], entry.routes.contains(where: { $0.expiresAt <= now }) else { return }
        let previous = entry.selectedRoute
        var selectedExpired = false
        var kept: [Route] = []
        for var route in entry.routes {
            guard route.expiresAt <= now else {
                kept.append(route)
                continue
            }
            if route.neighbour == entry.selected, !route.metric.isInfinite {
                route.metric = .infinite
                route.expiresAt = now + self.configuration.retractedRouteHoldTime
                self.timers.schedule(.routeExpiry(subnet), at: route.expiresAt)
                self.counters.expiredSelectedRoutes += 1
                selectedExpired = true
                kept.append(route)
            } else {
                if route.neighbour == entry.selected { entry.selected = nil }
                self.counters.expiredRoutes += 1
            }
        }
        entry.routes = kept
        self.table[subnet] = kept.isEmpty ? nil : entry
        // Spec §3.8: the expiry of the selected route always sends a triggered update (upstream:
        // `process_expired_route_keys` calls `trigger_update` unconditionally), even if the fallback is about as good.
        self.selectRoute(for: subnet, previous: previous, now: now, announceAnyChange: selectedExpired, into: &actions)
    }
}
