/// What each timer does when it fires. Stale timers (state moved on since they were set) do nothing.
extension RouterStateMachine {
    mutating func fire(_ timer: RouterTimer, now: MonotonicInstant, into actions: inout [RouterAction]) {
        switch timer {
        case .hello(let id):
            guard let neighbour = self.neighbours[id], neighbour.nextHelloAt <= now else { return }
            self.sendHello(to: id, now: now, into: &actions)
        case .neighbourDeadline(let id):
            self.checkLiveness(of: id, now: now, into: &actions)
        case .routeExpiry(let subnet):
            self.expireRoutes(of: subnet, now: now, into: &actions)
        case .ownAnnouncement:
            guard self.nextOwnAnnouncement <= now else { return }
            self.announceOwnRoute(to: self.neighbourIDs, now: now, into: &actions)
            self.nextOwnAnnouncement = now + self.configuration.updateInterval
            self.timers.schedule(.ownAnnouncement, at: self.nextOwnAnnouncement)
        case .queryExpiry(let subnet):
            guard let expiresAt = self.queried[subnet], expiresAt <= now else { return }
            self.queried[subnet] = nil
            actions.append(.queryExpired(subnet))
        case .sourceExpiry(let key):
            if self.sources.collect(key, now: now) { self.counters.expiredSourceKeys += 1 }
        case .routeRequestRecordExpiry(let subnet):
            guard var record = self.routeRequestsSent[subnet] else { return }
            record.sent = record.sent.filter { now.duration(since: $0.value.at) < self.configuration.routeQueryTimeout }
            self.routeRequestsSent[subnet] = record.sent.isEmpty ? nil : record
        case .seqnoRequestRecordExpiry(let key):
            guard let record = self.seqnoRequests[key],
                now.duration(since: record.createdAt) >= self.configuration.seqnoRequestMemory
            else { return }
            self.seqnoRequests[key] = nil
        }
    }
}
