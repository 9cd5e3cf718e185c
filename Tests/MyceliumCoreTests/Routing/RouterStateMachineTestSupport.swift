import MyceliumCore
import MyceliumCrypto
import NIOCore
import Testing

/// A node of the overlay as the router tests see it: a public key (any 32 bytes are a valid X25519 public key, and
/// the router never multiplies with it), a router id, and the /64 that key owns.
struct RouterTestNode: Sendable {
    let routerID: RouterID

    /// Node number `index`, with the router id tail `tail` (a restarted node keeps its key and changes its tail).
    init(_ index: UInt8, tail: UInt64 = 0x00A0_0000_0000) throws {
        let keyBytes = (0..<32).map { UInt8(truncatingIfNeeded: Int(index) &* 37 &+ $0 &* 11) }
        self.routerID = RouterID(publicKey: try X25519.PublicKey(rawBytes: keyBytes), tail: tail &+ UInt64(index))
    }

    var publicKey: X25519.PublicKey { self.routerID.publicKey }
    var address: IPv6Address { self.publicKey.overlayAddress }
    var subnet: Subnet { self.publicKey.nodeSubnet }

    /// The same key after a restart: a new router id.
    func restarted() throws -> RouterTestNode {
        try RouterTestNode(keyOf: self, tail: self.routerID.tail &+ 0x1000)
    }

    private init(keyOf node: RouterTestNode, tail: UInt64) throws {
        self.routerID = RouterID(publicKey: node.publicKey, tail: tail)
    }

    /// An Update for this node's /64 (or `subnet`) as a neighbour would send it.
    func update(
        seqno: UInt16,
        metric: UInt16,
        interval: UInt16 = 30_000,
        subnet: Subnet? = nil
    ) -> ControlPacket {
        .update(self.announcement(seqno: seqno, metric: metric, interval: interval, subnet: subnet))
    }

    func announcement(seqno: UInt16, metric: UInt16, interval: UInt16 = 30_000, subnet: Subnet? = nil) -> Update {
        Update(
            prefix: .ipv6(subnet ?? self.subnet),
            seqno: SeqNo(seqno),
            metric: Metric(metric),
            interval: interval,
            routerID: self.routerID
        )
    }

    /// A retraction of this node's /64 (or `subnet`) carrying this node's router id.
    func retraction(seqno: UInt16, subnet: Subnet? = nil) -> ControlPacket {
        self.update(seqno: seqno, metric: 0xFFFF, subnet: subnet)
    }

    /// A Seqno Request for this node's /64 with this node's router id.
    func seqnoRequest(seqno: UInt16, hopCount: UInt8 = SeqnoRequest.defaultHopCount) -> SeqnoRequest {
        SeqnoRequest(prefix: .ipv6(self.subnet), seqno: SeqNo(seqno), routerID: self.routerID, hopCount: hopCount)
    }

    var routeRequest: RouteRequest { RouteRequest(prefix: .ipv6(self.subnet), generation: 0) }

    func routeRequest(generation: UInt8) -> RouteRequest {
        RouteRequest(prefix: .ipv6(self.subnet), generation: generation)
    }
}

/// Neighbour handles used throughout the router tests.
extension NeighbourID {
    static let peerA = NeighbourID(1)
    static let peerB = NeighbourID(2)
    static let peerC = NeighbourID(3)
    static let peerD = NeighbourID(4)
    static let unknownPeer = NeighbourID(99)
}

extension MonotonicInstant {
    static func at(_ duration: Duration) -> MonotonicInstant { .zero + duration }
}

/// One router driven by hand on a virtual clock. Neighbours connected with a round-trip time answer every Hello with
/// an IHU after that time, so their link cost stays fixed and they stay alive however far the clock is moved;
/// neighbours connected without one stay silent.
struct RouterHarness {
    let own: RouterTestNode
    var router: RouterStateMachine
    private(set) var now: MonotonicInstant
    private var roundTrips: [NeighbourID: Duration] = [:]
    private var pendingIHUs: [(at: MonotonicInstant, from: NeighbourID)] = []

    init(configuration: RouterConfiguration = .standard, start: MonotonicInstant = .zero) throws {
        self.own = try RouterTestNode(0)
        self.now = start
        self.router = RouterStateMachine(
            routerID: self.own.routerID,
            subnet: self.own.subnet,
            configuration: configuration,
            now: start
        )
    }

    /// Connects `id`. With `roundTrip`, the clock then moves on by that time, so the first IHU has arrived and the
    /// link cost is `roundTrip` (in ms) plus the static cost under the `standard` configuration.
    @discardableResult
    mutating func connect(
        _ id: NeighbourID,
        kind: LinkKind = .tcpIPv6,
        roundTrip: Duration? = .milliseconds(20)
    ) -> [RouterAction] {
        self.roundTrips[id] = roundTrip
        var actions = self.router.neighbourConnected(id, linkKind: kind, now: self.now)
        self.noteHellos(in: actions)
        if let roundTrip { actions += self.advance(by: roundTrip) }
        return actions
    }

    @discardableResult
    mutating func disconnect(_ id: NeighbourID) -> [RouterAction] {
        self.roundTrips[id] = nil
        self.pendingIHUs.removeAll { $0.from == id }
        return self.router.neighbourDisconnected(id, now: self.now)
    }

    /// The neighbour stops answering Hellos (a silently dead link).
    mutating func silence(_ id: NeighbourID) {
        self.roundTrips[id] = nil
        self.pendingIHUs.removeAll { $0.from == id }
    }

    @discardableResult
    mutating func receive(_ packet: ControlPacket, from id: NeighbourID) -> [RouterAction] {
        self.router.receive(packet, from: id, now: self.now)
    }

    @discardableResult
    mutating func receive(_ request: RouteRequest, from id: NeighbourID) -> [RouterAction] {
        self.receive(.routeRequest(request), from: id)
    }

    @discardableResult
    mutating func receive(_ request: SeqnoRequest, from id: NeighbourID) -> [RouterAction] {
        self.receive(.seqnoRequest(request), from: id)
    }

    @discardableResult
    mutating func requestRoute(to address: IPv6Address) -> [RouterAction] {
        self.router.requestRoute(to: address, now: self.now)
    }

    /// Moves the clock, firing timers and delivering the IHUs of answering neighbours in time order.
    @discardableResult
    mutating func advance(by duration: Duration) -> [RouterAction] {
        self.advance(to: self.now + duration)
    }

    @discardableResult
    mutating func advance(to target: MonotonicInstant) -> [RouterAction] {
        var actions: [RouterAction] = []
        while true {
            let nextIHU = self.pendingIHUs.map(\.at).min()
            let candidates = [self.router.nextDeadline, nextIHU].compactMap { $0 }.filter { $0 <= target }
            guard let next = candidates.min() else { break }
            self.now = max(self.now, next)
            let fired = self.router.advanceTime(to: self.now)
            self.noteHellos(in: fired)
            actions += fired
            let due = self.pendingIHUs.filter { $0.at <= self.now }
            self.pendingIHUs.removeAll { $0.at <= self.now }
            for ihu in due {
                let answered = self.router.receive(
                    .ihu(IHU(rxCost: Metric(0), interval: 6000)),
                    from: ihu.from,
                    now: self.now
                )
                self.noteHellos(in: answered)
                actions += answered
            }
        }
        self.now = target
        actions += self.router.advanceTime(to: target)
        return actions
    }

    private mutating func noteHellos(in actions: [RouterAction]) {
        for case .send(.hello, let id) in actions {
            if let roundTrip = self.roundTrips[id] { self.pendingIHUs.append((self.now + roundTrip, id)) }
        }
    }

    func linkCost(of id: NeighbourID) -> UInt16? { self.router.linkCost(of: id)?.rawValue }

    func selectedRoute(to node: RouterTestNode) -> Route? { self.router.selectedRoute(for: node.address)?.route }

    /// Every route (selected or not) the router holds for `node`'s /64.
    func routes(to node: RouterTestNode) -> [Route] {
        let subnet = node.subnet
        return (self.router.selectedRoutes + self.router.fallbackRoutes).filter { $0.subnet == subnet }.map(\.route)
    }

    // MARK: What the router should send

    /// Our own /64 as we announce it.
    func ownAnnouncement(seqno: UInt16 = 0) -> Update {
        self.own.announcement(seqno: seqno, metric: 0)
    }

    /// Our retraction of `subnet`: infinite metric, our router id and router seqno (spec §3.8).
    func retraction(of subnet: Subnet, seqno: UInt16 = 0) -> Update {
        Update(
            prefix: .ipv6(subnet),
            seqno: SeqNo(seqno),
            metric: .infinite,
            interval: 30_000,
            routerID: self.own.routerID
        )
    }
}

// MARK: - Reading actions

extension Array where Element == RouterAction {
    /// The actions without Hellos and IHUs, for tests about routing only.
    var routing: [RouterAction] {
        self.filter {
            switch $0 {
            case .send(.hello, _), .send(.ihu, _): false
            default: true
            }
        }
    }

    /// Every Update sent, with its destination.
    var updates: [SentUpdate] {
        self.compactMap {
            guard case .send(.update(let update), let id) = $0 else { return nil }
            return SentUpdate(update: update, to: id)
        }
    }

    var seqnoRequests: [SentSeqnoRequest] {
        self.compactMap {
            guard case .send(.seqnoRequest(let request), let id) = $0 else { return nil }
            return SentSeqnoRequest(request: request, to: id)
        }
    }

    var routeRequests: [SentRouteRequest] {
        self.compactMap {
            guard case .send(.routeRequest(let request), let id) = $0 else { return nil }
            return SentRouteRequest(request: request, to: id)
        }
    }

    var hellos: [SentHello] {
        self.compactMap {
            guard case .send(.hello(let hello), let id) = $0 else { return nil }
            return SentHello(hello: hello, to: id)
        }
    }

    var disconnects: [NeighbourID] {
        self.compactMap {
            guard case .disconnect(let id) = $0 else { return nil }
            return id
        }
    }
}

struct SentUpdate: Hashable {
    var update: Update
    var to: NeighbourID
}

struct SentSeqnoRequest: Hashable {
    var request: SeqnoRequest
    var to: NeighbourID
}

struct SentRouteRequest: Hashable {
    var request: RouteRequest
    var to: NeighbourID
}

struct SentHello: Hashable {
    var hello: Hello
    var to: NeighbourID
}

/// A control packet the decoder keeps but does not understand (an unknown TLV type).
func unrecognizedControlPacket() throws -> ControlPacket {
    var buffer = ByteBuffer(bytes: CoreWireFixtures.babelPacket(tlvType: 99, body: [1, 2, 3]))
    let packet = try #require(try buffer.readControlPacket())
    guard case .unrecognized = packet else {
        Issue.record("expected an unrecognized packet, got \(packet)")
        return packet
    }
    return packet
}
