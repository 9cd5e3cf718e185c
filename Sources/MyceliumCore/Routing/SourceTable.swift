/// Feasibility distances (spec §3.5): for every (subnet, router id) this node has announced, the best
/// (seqno, metric) it announced. A route is feasible only if it cannot be a loop back through us.
struct SourceTable: Sendable {
    struct Key: Hashable, Sendable {
        var subnet: Subnet
        var routerID: RouterID
    }

    struct FeasibilityDistance: Hashable, Sendable {
        var seqno: SeqNo
        var metric: Metric
        /// The entry is forgotten at this time unless refreshed.
        var expiresAt: MonotonicInstant
    }

    private(set) var entries: [Key: FeasibilityDistance] = [:]

    func distance(for key: Key) -> FeasibilityDistance? {
        self.entries[key]
    }

    /// Whether a route with `seqno`/`metric` from `key`'s source is feasible: no entry, a newer seqno, the same seqno
    /// with a smaller metric, or a retraction.
    func isFeasible(_ key: Key, seqno: SeqNo, metric: Metric) -> Bool {
        guard !metric.isInfinite, let distance = self.entries[key] else { return true }
        if seqno.isNewer(than: distance.seqno) { return true }
        return seqno == distance.seqno && metric < distance.metric
    }

    /// Records that we announced `seqno`/`metric` for `key`. Returns the new expiry if the entry changed or was
    /// refreshed (the caller schedules its collection), `nil` for retractions, which do not touch the table.
    mutating func recordAnnouncement(
        _ key: Key,
        seqno: SeqNo,
        metric: Metric,
        now: MonotonicInstant,
        lifetime: Duration
    ) -> MonotonicInstant? {
        guard !metric.isInfinite else { return nil }
        let expiresAt = now + lifetime
        if var distance = self.entries[key] {
            if seqno.isNewer(than: distance.seqno) || (seqno == distance.seqno && metric < distance.metric) {
                distance.seqno = seqno
                distance.metric = metric
            }
            distance.expiresAt = expiresAt
            self.entries[key] = distance
        } else {
            self.entries[key] = FeasibilityDistance(seqno: seqno, metric: metric, expiresAt: expiresAt)
        }
        return expiresAt
    }

    /// Forgets `key` if its lifetime is over; returns whether it did.
    mutating func collect(_ key: Key, now: MonotonicInstant) -> Bool {
        guard let distance = self.entries[key], distance.expiresAt <= now else { return false }
        self.entries[key] = nil
        return true
    }
}
