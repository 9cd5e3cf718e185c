/// What the router knows about one live link (spec §3.3).
struct Neighbour: Sendable {
    let id: NeighbourID
    let linkKind: LinkKind
    var linkCostEstimator: LinkCostEstimator
    /// Seqno of the next Hello.
    var helloSeqno = SeqNo(0)
    /// When the next Hello is due.
    var nextHelloAt: MonotonicInstant
    /// Send times of Hellos not answered yet, oldest first. Links are reliable and ordered and every Hello gets
    /// exactly one IHU, so the oldest one is the one an arriving IHU answers — the sample stays right even when the
    /// round trip is longer than the Hello interval.
    var outstandingHellos: [MonotonicInstant] = []
    /// When the last IHU arrived (the connect time until then).
    var lastIHUAt: MonotonicInstant
    /// The link cost that route selection last saw for this neighbour.
    var linkCostAtLastSelection: Metric

    init(id: NeighbourID, linkKind: LinkKind, smoothing: LinkCostEstimator.Smoothing, now: MonotonicInstant) {
        self.id = id
        self.linkKind = linkKind
        self.linkCostEstimator = LinkCostEstimator(smoothing: smoothing)
        self.nextHelloAt = now
        self.lastIHUAt = now
        self.linkCostAtLastSelection = Metric(LinkCostEstimator.initialCost) + linkKind.staticCost
    }

    /// Smoothed RTT plus the transport's static cost: what every route through this neighbour costs extra.
    var linkCost: Metric {
        Metric(self.linkCostEstimator.cost) + self.linkKind.staticCost
    }
}
