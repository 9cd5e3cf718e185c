import MyceliumCore

/// A `.routeAcquired`, `.routeLost` or `.queryExpired` a router emitted, with when and where.
public struct RouterNotification: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case routeAcquired
        case routeLost
        case queryExpired
    }

    public var time: MonotonicInstant
    public var node: NodeHandle
    public var kind: Kind
    public var subnet: Subnet
}

/// A router gave up on a link (`.disconnect`: no IHU for too long).
public struct DisconnectRecord: Hashable, Sendable {
    public var time: MonotonicInstant
    public var node: NodeHandle
    public var link: LinkHandle
}

/// A control packet that arrived at a node (recorded only while `NetworkSimulator.recordsPackets` is on).
public struct PacketRecord: Hashable, Sendable {
    public var time: MonotonicInstant
    public var from: NodeHandle
    public var to: NodeHandle
    public var packet: ControlPacket
}

/// A cycle in the selected next hops towards one subnet.
public struct RoutingLoop: Hashable, Sendable, CustomStringConvertible {
    public var time: MonotonicInstant
    public var subnet: Subnet
    /// The nodes of the cycle, in next-hop order; the first one's next hop is the second, the last one's the first.
    public var cycle: [NodeHandle]

    public var description: String {
        let hops = self.cycle.map(\.description).joined(separator: " → ")
        return "loop towards \(self.subnet) at \(self.time.nanoseconds / 1_000_000) ms: \(hops)"
    }
}

/// When the simulator looks for routing loops by itself.
public enum LoopCheckPolicy: Hashable, Sendable {
    /// Only when asked (`findLoops()`).
    case never
    /// After every event that changed a node's selected next hops (or removed a neighbour), walking every subnet
    /// from that node: a new cycle must pass through the node whose next hop changed, so nothing is missed.
    case afterEveryRoutingChange
    /// A full check of every subnet from every node after every `n` events.
    case everyEvents(Int)
}
