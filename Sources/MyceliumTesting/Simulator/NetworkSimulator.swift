import MyceliumCore
import MyceliumCrypto
import NIOCore

/// Many `RouterStateMachine`s in one process on a virtual clock.
///
/// Links are modelled as TCP connections: every packet goes through the real link codec (encoded, counted, decoded;
/// the receiver gets what the decoder made of the bytes) and arrives after the link's latency (plus jitter), in order
/// per direction. Every timer and delivery
/// is an event in one queue ordered by (time, sequence number), and all randomness comes from one `SeededGenerator`,
/// so a run is reproducible from its seed.
///
/// ```swift
/// var sim = NetworkSimulator(seed: 1)
/// let nodes = sim.build(.ring(20))
/// let time = sim.runUntilConverged(timeout: .seconds(10))
/// #expect(sim.findLoops().isEmpty)
/// ```
public struct NetworkSimulator: Sendable {
    /// The current virtual time.
    public internal(set) var now: MonotonicInstant
    /// Every node ever added, indexed by `NodeHandle.index` (stopped ones included).
    public internal(set) var nodes: [SimulatedNode] = []
    /// Every link ever made, indexed by `LinkHandle.index` (down ones included).
    public internal(set) var links: [SimulatedLink] = []
    /// The configuration of nodes added without one.
    public var defaultConfiguration: RouterConfiguration
    /// When routing loops are looked for automatically; found loops go to `loopViolations`.
    public var loopCheck: LoopCheckPolicy = .afterEveryRoutingChange
    /// The loops `loopCheck` found, in order (the same loop may be reported more than once).
    public internal(set) var loopViolations: [RoutingLoop] = []
    /// Every `.routeAcquired`, `.routeLost` and `.queryExpired`, in order.
    public internal(set) var notifications: [RouterNotification] = []
    /// Every `.disconnect` a router asked for, in order.
    public internal(set) var disconnects: [DisconnectRecord] = []
    /// Whether delivered control packets are kept in `packets` (costly in big networks).
    public var recordsPackets = false
    /// The control packets delivered while `recordsPackets` was on, in order of arrival.
    public internal(set) var packets: [PacketRecord] = []
    /// How many events ran.
    public internal(set) var eventCount = 0
    /// How many packets went through the codec (each distinct packet once, see `wireImage(of:)`).
    public internal(set) var codecRuns = 0

    var generator: SeededGenerator
    var queue = SimulationEventQueue()
    /// Which link and end every live neighbour id belongs to.
    var neighbourLinks: [NeighbourID: (link: Int, end: Int)] = [:]
    var nextNeighbourID: UInt64 = 1
    var ownerBySubnet: [Subnet: Int] = [:]
    let allocator = ByteBufferAllocator()
    var wireImages: [ControlPacket: WireImage] = [:]

    /// An empty network. `configuration` is used for nodes added without one; the clock starts at `startTime`.
    public init(seed: UInt64, configuration: RouterConfiguration = .standard, startTime: MonotonicInstant = .zero) {
        self.generator = SeededGenerator(seed: seed)
        self.defaultConfiguration = configuration
        self.now = startTime
    }

    // MARK: - Building

    /// Adds a running node with a key drawn from the seed.
    @discardableResult
    public mutating func addNode(
        configuration: RouterConfiguration? = nil,
        initialSeqno: SeqNo = SeqNo(0)
    ) -> NodeHandle {
        let handle = NodeHandle(self.nodes.count)
        var keyBytes = self.generator.bytes(X25519.keyByteCount)
        var secretKey = try? X25519.SecretKey(rawBytes: keyBytes)
        while secretKey == nil || self.ownerBySubnet[secretKey?.publicKey.nodeSubnet ?? .overlay] != nil {
            keyBytes = self.generator.bytes(X25519.keyByteCount)
            secretKey = try? X25519.SecretKey(rawBytes: keyBytes)
        }
        guard let secretKey else { preconditionFailure("32 bytes always make a key") }
        let configuration = configuration ?? self.defaultConfiguration
        let router = self.makeRouter(
            publicKey: secretKey.publicKey,
            configuration: configuration,
            initialSeqno: initialSeqno
        )
        let node = SimulatedNode(handle: handle, secretKey: secretKey, configuration: configuration, router: router)
        self.ownerBySubnet[node.subnet] = handle.index
        self.nodes.append(node)
        self.scheduleWake(for: handle.index)
        return handle
    }

    /// Adds `count` nodes.
    public mutating func addNodes(_ count: Int, configuration: RouterConfiguration? = nil) -> [NodeHandle] {
        (0..<count).map { _ in self.addNode(configuration: configuration) }
    }

    /// Connects two nodes; both routers see the new neighbour now.
    @discardableResult
    public mutating func connect(
        _ a: NodeHandle,
        _ b: NodeHandle,
        parameters: LinkParameters = LinkParameters()
    ) -> LinkHandle {
        precondition(a != b, "a node cannot peer with itself")
        let handle = LinkHandle(self.links.count)
        self.links.append(SimulatedLink(handle: handle, ends: (a, b), parameters: parameters))
        self.open(handle.index)
        return handle
    }

    mutating func makeRouter(
        publicKey: X25519.PublicKey,
        configuration: RouterConfiguration,
        initialSeqno: SeqNo
    ) -> RouterStateMachine {
        let routerID = RouterID(publicKey: publicKey, using: &self.generator)
        return RouterStateMachine(
            routerID: routerID,
            subnet: publicKey.nodeSubnet,
            configuration: configuration,
            now: self.now,
            initialSeqno: initialSeqno
        )
    }

    // MARK: - Running

    /// Runs every event up to and including `deadline`, then sets the clock to `deadline`.
    public mutating func run(until deadline: MonotonicInstant) {
        while let (time, event) = self.queue.pop(notAfter: deadline) {
            self.now = time
            self.eventCount += 1
            self.handle(event)
            if case .everyEvents(let period) = self.loopCheck, self.eventCount % max(period, 1) == 0 {
                self.loopViolations += self.findLoops()
            }
        }
        if deadline > self.now { self.now = deadline }
    }

    /// Runs for `duration` of virtual time.
    public mutating func run(for duration: Duration) {
        self.run(until: self.now + duration)
    }

    /// Runs until `converged` holds (checked every `checkInterval`) or `timeout` passed; returns the virtual time it
    /// took, `nil` on timeout.
    @discardableResult
    public mutating func runUntilConverged(
        timeout: Duration,
        checkInterval: Duration = .milliseconds(10)
    ) -> Duration? {
        let start = self.now
        let deadline = start + timeout
        while true {
            if self.converged { return self.now.duration(since: start) }
            guard self.now < deadline else { return nil }
            self.run(until: min(self.now + checkInterval, deadline))
        }
    }

    /// Like `runUntilConverged`, with traffic between every pair of running nodes: every `requestInterval`, each
    /// node still missing a route asks for it (`requestMissingRoutes`). Upstream relies on exactly this to rebuild
    /// routes after a partition heals (spec §3.8–3.10).
    @discardableResult
    public mutating func runUntilConvergedWithTraffic(
        timeout: Duration,
        requestInterval: Duration = .seconds(1)
    ) -> Duration? {
        let start = self.now
        while self.now.duration(since: start) < timeout {
            self.requestMissingRoutes()
            let remaining = timeout - self.now.duration(since: start)
            if self.runUntilConverged(timeout: min(requestInterval, remaining)) != nil {
                return self.now.duration(since: start)
            }
        }
        return self.converged ? self.now.duration(since: start) : nil
    }

    /// The node owning `subnet`, if it is a node's /64.
    public func owner(of subnet: Subnet) -> NodeHandle? {
        self.ownerBySubnet[subnet].map(NodeHandle.init)
    }

    /// The node behind a handle.
    public subscript(node: NodeHandle) -> SimulatedNode { self.nodes[node.index] }
    /// The link behind a handle.
    public subscript(link: LinkHandle) -> SimulatedLink { self.links[link.index] }

    /// Control bytes sent by all nodes so far.
    public var totalControlBytes: Int { self.nodes.reduce(0) { $0 + $1.controlBytesSent } }

    /// The nodes that are not stopped.
    public var runningNodes: [NodeHandle] { self.nodes.filter(\.isRunning).map(\.handle) }
}
