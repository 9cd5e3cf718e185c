import MyceliumCore

/// A link of the simulated network, by index.
public struct LinkHandle: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: Int

    public init(_ index: Int) {
        self.index = index
    }

    public static func < (lhs: LinkHandle, rhs: LinkHandle) -> Bool { lhs.index < rhs.index }

    public var description: String { "link\(self.index)" }
}

/// How a simulated link behaves. The default is a TCP link: reliable and in order, 10 ms each way.
public struct LinkParameters: Hashable, Sendable {
    /// One-way delay.
    public var latency: Duration
    /// Up to this much extra delay, drawn uniformly per packet. Packets still arrive in order per direction.
    public var jitter: Duration
    /// Probability that a packet from end 0 to end 1 is lost. Not TCP-like (a TCP link loses nothing while it
    /// lives); it is there to model lossy transports and to stress the router.
    public var lossForward: Double
    /// Probability that a packet from end 1 to end 0 is lost.
    public var lossBackward: Double
    /// The transport, which fixes the static part of the link cost.
    public var kind: LinkKind

    public init(
        latency: Duration = .milliseconds(10),
        jitter: Duration = .zero,
        lossForward: Double = 0,
        lossBackward: Double = 0,
        kind: LinkKind = .tcpIPv6
    ) {
        self.latency = latency
        self.jitter = jitter
        self.lossForward = lossForward
        self.lossBackward = lossBackward
        self.kind = kind
    }
}

/// The state of a simulated link.
public struct SimulatedLink: Sendable {
    public enum State: Hashable, Sendable {
        /// Connected; packets flow.
        case up
        /// Cut without either end being told: every packet is dropped until the routers notice missing IHUs.
        case silentlyCut
        /// Closed (visibly cut, or both ends gave up on it). `restore` reconnects it.
        case down
    }

    /// The link's own handle.
    public let handle: LinkHandle
    /// The two nodes, end 0 and end 1.
    public let ends: (NodeHandle, NodeHandle)
    /// Latency, jitter, loss and transport (see `NetworkSimulator.setParameters(_:of:)`).
    public internal(set) var parameters: LinkParameters
    /// Whether the link is up, silently cut or down.
    public internal(set) var state: State = .up
    /// The neighbour id each end's router uses for the current connection, `nil` once that end closed it.
    public internal(set) var neighbourIDs: [NeighbourID?] = [nil, nil]
    /// Counts connections; packets and closes of an earlier connection are dropped on arrival.
    var epoch = 0
    /// The latest arrival time scheduled per direction (index = receiving end), to keep delivery in order.
    var lastArrival: [MonotonicInstant] = [.zero, .zero]

    init(handle: LinkHandle, ends: (NodeHandle, NodeHandle), parameters: LinkParameters) {
        self.handle = handle
        self.ends = ends
        self.parameters = parameters
    }

    /// The node at `end` (0 or 1).
    public func node(at end: Int) -> NodeHandle { end == 0 ? self.ends.0 : self.ends.1 }

    /// Which end `node` is, if it is on this link.
    public func end(of node: NodeHandle) -> Int? {
        if node == self.ends.0 { return 0 }
        if node == self.ends.1 { return 1 }
        return nil
    }

    /// Whether packets currently flow (both ends connected, not cut).
    public var carriesTraffic: Bool {
        self.state == .up && self.neighbourIDs[0] != nil && self.neighbourIDs[1] != nil
    }
}
