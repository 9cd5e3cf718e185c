import MyceliumCrypto

/// Upstream Mycelium's Babel variant as a pure state machine (spec §3).
///
/// Every input — a link coming up or going down, a control packet, the passing of time, a packet looking for a
/// route — is a method that takes the current time and returns what the driver must do. The router never reads a
/// clock and never sleeps: `nextDeadline` tells the driver when to call `advanceTime(to:)` next.
public struct RouterStateMachine: Sendable {
    public let routerID: RouterID
    /// This node's own /64, its only own route.
    public let subnet: Subnet
    public let configuration: RouterConfiguration
    /// Starts at 0 at every start; bumped only in answer to a seqno request (spec §3.2).
    public internal(set) var routerSeqno = SeqNo(0)
    public internal(set) var counters = RouterCounters()
    /// When this router started: the phase of periodic checks (`RouterConfiguration.deadNeighbourCheckInterval`).
    let startedAt: MonotonicInstant

    var neighbours: [NeighbourID: Neighbour] = [:]
    var table = RouteTable()
    var sources = SourceTable()
    /// Subnets being looked for, with the time the query lapses.
    var queried: [Subnet: MonotonicInstant] = [:]
    var routeRequestsSent: [Subnet: RouteRequestRecord] = [:]
    var seqnoRequests: [SeqnoRequestRecord.Key: SeqnoRequestRecord] = [:]
    var lastSeqnoBump: MonotonicInstant?
    var nextOwnAnnouncement: MonotonicInstant
    var timers = TimerQueue<RouterTimer>()

    /// - Parameter initialSeqno: the router seqno to start from. Always 0 in a node (spec §3.2); the simulator sets it
    ///   near 65535 to exercise wraparound.
    public init(
        routerID: RouterID,
        subnet: Subnet,
        configuration: RouterConfiguration = .standard,
        now: MonotonicInstant,
        initialSeqno: SeqNo = SeqNo(0)
    ) {
        self.routerID = routerID
        self.subnet = subnet
        self.configuration = configuration
        self.routerSeqno = initialSeqno
        self.startedAt = now
        self.nextOwnAnnouncement = now + configuration.updateInterval
        self.timers.schedule(.ownAnnouncement, at: self.nextOwnAnnouncement)
    }

    /// When `advanceTime(to:)` should next be called.
    public var nextDeadline: MonotonicInstant? { self.timers.nextDeadline }

    // MARK: - Inputs

    /// A link came up (spec §2.2): announce our own route, ask for everything we are looking for, say Hello.
    public mutating func neighbourConnected(
        _ id: NeighbourID,
        linkKind: LinkKind,
        now: MonotonicInstant
    ) -> [RouterAction] {
        guard self.neighbours[id] == nil else { return [] }
        var actions: [RouterAction] = []
        self.neighbours[id] = Neighbour(
            id: id,
            linkKind: linkKind,
            smoothing: self.configuration.linkCostSmoothing,
            now: now
        )
        self.counters.neighboursAdded += 1
        self.announceOwnRoute(to: [id], now: now, into: &actions)
        for subnet in self.queried.keys.sorted(by: Subnet.routingOrder) {
            actions.append(.send(.routeRequest(RouteRequest(prefix: .ipv6(subnet), generation: 0)), to: id))
        }
        if self.configuration.requestsRoutesOnConnect {
            actions.append(.send(.routeRequest(RouteRequest(prefix: nil, generation: 0)), to: id))
        }
        if self.configuration.helloOnConnect {
            self.sendHello(to: id, now: now, into: &actions)
        } else {
            self.neighbours[id]?.nextHelloAt = now + self.configuration.helloInterval
            self.timers.schedule(.hello(id), at: now + self.configuration.helloInterval)
        }
        self.timers.schedule(.neighbourDeadline(id), at: self.livenessCheck(afterIHUAt: now))
        return actions
    }

    /// A link went down (EOF, reset, decode or write error — spec §3.11): its routes go, fallbacks take over.
    public mutating func neighbourDisconnected(_ id: NeighbourID, now: MonotonicInstant) -> [RouterAction] {
        var actions: [RouterAction] = []
        self.removeNeighbour(id, now: now, into: &actions)
        return actions
    }

    /// A control packet arrived from a neighbour.
    public mutating func receive(
        _ packet: ControlPacket,
        from neighbour: NeighbourID,
        now: MonotonicInstant
    ) -> [RouterAction] {
        guard self.neighbours[neighbour] != nil else {
            self.counters.discardedTLVs += 1
            return []
        }
        self.counters.receivedTLVs += 1
        var actions: [RouterAction] = []
        switch packet {
        case .hello:
            self.answerHello(from: neighbour, into: &actions)
        case .ihu:
            self.handleIHU(from: neighbour, now: now, into: &actions)
        case .update(let update):
            self.handleUpdate(update, from: neighbour, now: now, into: &actions)
        case .routeRequest(let request):
            self.handleRouteRequest(request, from: neighbour, now: now, into: &actions)
        case .seqnoRequest(let request):
            self.handleSeqnoRequest(request, from: neighbour, now: now, into: &actions)
        case .unrecognized:
            self.counters.discardedTLVs += 1
        }
        return actions
    }

    /// Runs every timer that is due at `now`.
    public mutating func advanceTime(to now: MonotonicInstant) -> [RouterAction] {
        var actions: [RouterAction] = []
        while let timer = self.timers.popDue(at: now) {
            self.fire(timer, now: now, into: &actions)
        }
        return actions
    }

    /// A packet is waiting for a route to `address`, or is routed over a selected route that expires within 15 s
    /// (spec §3.4; the data plane checks `RouteView.route.expiresAt`). Without any entry for its
    /// subnet, look for it with route requests (spec §3.9). With routes that are not selected (fallback-only, spec
    /// §3.7 "trigger refresh"), ask their announcers for a newer seqno of the first one's source, as upstream's
    /// `get_shared_secret_if_selected` does: otherwise nothing would ever refresh them. Nothing happens if the selected
    /// route has 15 s or more left or a query is under way.
    public mutating func requestRoute(to address: IPv6Address, now: MonotonicInstant) -> [RouterAction] {
        let subnet = Subnet.node(containing: address)
        guard Subnet.overlay.contains(address), !self.subnet.contains(address) else { return [] }
        var actions: [RouterAction] = []
        if let (known, entry) = self.table.longestMatch(for: address) {
            if let selected = entry.selectedRoute {
                // Spec §3.4 "route almost expired": traffic over a selected route that lapses within 15 s asks for
                // the /64 again (generation 0, to every neighbour; the memory of sent requests limits this to one
                // per neighbour every 15 s). Remote routes are only kept alive this way (spec §3.8).
                guard selected.expiresAt.duration(since: now) < self.configuration.routeAlmostExpiredThreshold
                else { return [] }
                self.forwardRouteRequest(for: subnet, generation: 0, except: nil, now: now, into: &actions)
                return actions
            }
            guard let source = entry.routes.first else { return [] }
            let announcers = entry.routes.map(\.neighbour).filter { self.neighbours[$0] != nil }
            self.requestSeqno(for: known, routerID: source.routerID, from: announcers, now: now, into: &actions)
            return actions
        }
        guard self.queried[subnet] == nil else { return [] }
        self.startQuery(for: subnet, now: now)
        self.forwardRouteRequest(for: subnet, generation: 0, except: nil, now: now, into: &actions)
        return actions
    }

    // MARK: - Views

    /// The selected route for the most specific subnet containing `address`.
    public func selectedRoute(for address: IPv6Address) -> RouteView? {
        guard let (subnet, routes) = self.table.longestMatch(for: address), let route = routes.selectedRoute else {
            return nil
        }
        return self.view(of: route, in: subnet, selected: true)
    }

    /// The public key that owns `address`'s subnet, as fixed by the first Update accepted for it.
    public func publicKey(for address: IPv6Address) -> X25519.PublicKey? {
        self.table.longestMatch(for: address)?.routes.publicKey
    }

    /// Changes whenever a route is added, removed, refreshed or (de)selected: the data plane rebuilds its forwarding
    /// table when it differs from the one it built from.
    public var routeTableGeneration: UInt64 { self.table.generation }

    /// Calls `body` for every known subnet with the key that owns it and its selected route, if any: what the data
    /// plane encrypts with (any route, spec §4.4) and forwards over (selected routes only, spec §4.2).
    public func forEachKnownSubnet(_ body: (_ subnet: Subnet, _ publicKey: X25519.PublicKey, _ selected: Route?) -> Void) {
        for (subnet, routes) in self.table.subnets {
            body(subnet, routes.publicKey, routes.selectedRoute)
        }
    }

    public var selectedRoutes: [RouteView] {
        self.sortedSubnets().compactMap { subnet in
            self.table[subnet]?.selectedRoute.map { self.view(of: $0, in: subnet, selected: true) }
        }
    }

    /// Every route that is not selected.
    public var fallbackRoutes: [RouteView] {
        self.sortedSubnets().flatMap { subnet -> [RouteView] in
            guard let entry = self.table[subnet] else { return [] }
            return entry.routes.filter { $0.neighbour != entry.selected }.map {
                self.view(of: $0, in: subnet, selected: false)
            }
        }
    }

    public var queriedSubnets: [QueriedSubnet] {
        self.queried.sorted { Subnet.routingOrder($0.key, $1.key) }.map { QueriedSubnet(subnet: $0.key, expiresAt: $0.value) }
    }

    public var neighbourIDs: [NeighbourID] { self.neighbours.keys.sorted() }

    /// The current cost of the link to `neighbour` (smoothed RTT + static cost).
    public func linkCost(of neighbour: NeighbourID) -> Metric? {
        self.neighbours[neighbour]?.linkCost
    }

    func view(of route: Route, in subnet: Subnet, selected: Bool) -> RouteView {
        RouteView(
            subnet: subnet,
            route: route,
            linkCost: self.neighbours[route.neighbour]?.linkCost ?? .infinite,
            isSelected: selected
        )
    }

    func sortedSubnets() -> [Subnet] {
        self.table.subnets.keys.sorted(by: Subnet.routingOrder)
    }
}

/// What a router timer is for. Timers are checked against the state when they fire (see `TimerQueue`).
enum RouterTimer: Sendable {
    case hello(NeighbourID)
    case neighbourDeadline(NeighbourID)
    case routeExpiry(Subnet)
    case ownAnnouncement
    case queryExpiry(Subnet)
    case sourceExpiry(SourceTable.Key)
    case routeRequestRecordExpiry(Subnet)
    case seqnoRequestRecordExpiry(SeqnoRequestRecord.Key)
}

extension Subnet {
    /// A total order for deterministic iteration: by address, then prefix length.
    static func routingOrder(_ lhs: Subnet, _ rhs: Subnet) -> Bool {
        (lhs.address.high, lhs.address.low, lhs.prefixLength) < (rhs.address.high, rhs.address.low, rhs.prefixLength)
    }
}
