/// Timers and limits of the router (spec §3.4). `standard` is ours: upstream's values except for the Hello rhythm
/// and the link-cost estimator, which only change how often we send Hellos and how we read the IHUs that come back
/// (the wire is unchanged; a Rust peer just sees more Hellos), and `answersRetractions` (one extra Update).
/// `upstream` reproduces upstream exactly, for the simulator's comparisons.
public struct RouterConfiguration: Hashable, Sendable {
    /// How often each neighbour gets a Hello. Upstream: 20 s.
    public var helloInterval: Duration
    /// A neighbour that has not sent an IHU for this long is dead. Upstream: 43 s, checked every 10 s.
    public var deadNeighbourTimeout: Duration
    /// If set, dead neighbours are only looked for on this period (counted from the router's start), as upstream
    /// does every 10 s: a silent death is then noticed 43–53 s after the last IHU instead of exactly 43 s. `nil`
    /// checks at the exact deadline.
    public var deadNeighbourCheckInterval: Duration?
    /// How link-cost samples are smoothed.
    public var linkCostSmoothing: LinkCostEstimator.Smoothing
    /// Whether a Hello goes out as soon as a link comes up (upstream waits for the first 20 s tick).
    public var helloOnConnect: Bool
    /// Whether a significant link-cost change re-runs route selection and re-advertises the routes through that
    /// link (upstream only notices new link costs when the next Update arrives).
    public var reactsToLinkCostChanges: Bool
    /// Whether a new link gets a wildcard route request, so the neighbour sends its whole table at once. Upstream
    /// only announces its own route on connect and learns other routes when traffic asks for them; a Rust peer
    /// answers the wildcard request like ours (spec §3.9), so this stays wire compatible.
    public var requestsRoutesOnConnect: Bool
    /// Whether a retraction from a neighbour is answered with our selected route when that route does not go through
    /// it (ours; upstream leaves the neighbour without a route until its traffic sends a route request). Split
    /// horizon and feasibility refusals can otherwise leave a node next to a working route without ever learning it.
    public var answersRetractions = true

    /// Own-route re-announce period and the interval field of every Update we send.
    public var updateInterval: Duration = .seconds(300)
    /// The interval field of Hellos (centiseconds). Upstream sends 2000 whatever its real rhythm.
    public var helloIntervalField: UInt16 = 2000
    /// The interval field of IHUs (centiseconds).
    public var ihuIntervalField: UInt16 = 6000
    /// How long a retracted route is kept.
    public var retractedRouteHoldTime: Duration = .seconds(6)
    /// Source-table entries without refresh for this long are forgotten.
    public var sourceEntryLifetime: Duration = .seconds(30 * 60)
    /// Minimum time between two router-seqno bumps.
    public var seqnoBumpInterval: Duration = .seconds(4)
    /// A seqno request we forwarded is not handled again within this window.
    public var seqnoRequestMemory: Duration = .seconds(60)
    /// A neighbour that got a seqno request from us is not sent the same one again within this window.
    public var seqnoRequestFanOutWindow: Duration = .seconds(4)
    /// How long a subnet stays "queried" and a neighbour is not re-sent the same route request.
    public var routeQueryTimeout: Duration = .seconds(15)
    /// Traffic over a selected route that expires sooner than this sends a route request for it (spec §3.4).
    public var routeAlmostExpiredThreshold: Duration = .seconds(15)
    /// Route requests are forwarded only while `generation + 1` is below this.
    public var maximumRouteRequestGeneration: UInt8 = 16
    /// A different route must be better by more than this to replace the selected one.
    public var significantImprovement: UInt16 = 10
    /// A metric change larger than this triggers an update.
    public var significantMetricChange: UInt16 = 10
    /// How many Hellos may be outstanding (sent, not yet answered) per neighbour before the oldest are forgotten.
    public var maximumOutstandingHellos = 64

    public init(
        helloInterval: Duration,
        deadNeighbourTimeout: Duration,
        linkCostSmoothing: LinkCostEstimator.Smoothing,
        helloOnConnect: Bool,
        reactsToLinkCostChanges: Bool,
        requestsRoutesOnConnect: Bool
    ) {
        self.helloInterval = helloInterval
        self.deadNeighbourTimeout = deadNeighbourTimeout
        self.linkCostSmoothing = linkCostSmoothing
        self.helloOnConnect = helloOnConnect
        self.reactsToLinkCostChanges = reactsToLinkCostChanges
        self.requestsRoutesOnConnect = requestsRoutesOnConnect
    }

    /// Our default: a Hello every 250 ms, a neighbour dead after 900 ms without an IHU — so a silently dead link is
    /// noticed and routed around within a second — a link cost that follows the measured RTT within a few Hellos,
    /// and a new neighbour's whole table asked for on connect.
    public static let standard = RouterConfiguration(helloInterval: .milliseconds(250))

    /// Upstream's behaviour (spec §3.3–3.4): Hello every 20 s, dead after 43 s, 9:1 smoothing from 1000.
    public static let upstream: RouterConfiguration = {
        var configuration = RouterConfiguration(
            helloInterval: .seconds(20),
            deadNeighbourTimeout: .seconds(43),
            linkCostSmoothing: .upstream,
            helloOnConnect: false,
            reactsToLinkCostChanges: false,
            requestsRoutesOnConnect: false
        )
        configuration.answersRetractions = false
        configuration.deadNeighbourCheckInterval = .seconds(10)
        return configuration
    }()

    /// Our settings with another Hello interval; the dead-neighbour timeout is 3.6 intervals (900 ms for 250 ms),
    /// so three Hellos in a row may go unanswered before the link is given up.
    public init(helloInterval: Duration) {
        self.init(
            helloInterval: helloInterval,
            deadNeighbourTimeout: helloInterval * 3.6,
            linkCostSmoothing: .fast,
            helloOnConnect: true,
            reactsToLinkCostChanges: true,
            requestsRoutesOnConnect: true
        )
    }

    /// Route hold time for an Update with `intervalField` centiseconds: 3.5 × interval (spec §3.4).
    func holdTime(forIntervalField intervalField: UInt16) -> Duration {
        .milliseconds(Int64(intervalField) * 35)
    }

    /// The interval field for Updates, in centiseconds.
    var updateIntervalField: UInt16 {
        UInt16(clamping: self.updateInterval.millisecondsClamped / 10)
    }
}
