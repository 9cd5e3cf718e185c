/// What the router has done since it started, for metrics (spec §6.3) and for tests.
public struct RouterCounters: Hashable, Sendable {
    public var receivedTLVs = 0
    /// Packets the router could not use: unrecognized TLVs, IPv4 prefixes, packets from unknown neighbours.
    public var discardedTLVs = 0
    /// Updates refused by the filters (outside 400::/7, shorter than /64, router id does not own the subnet).
    public var deniedUpdates = 0
    public var routeSelections = 0
    public var triggeredUpdates = 0
    public var expiredRoutes = 0
    public var expiredSelectedRoutes = 0
    public var expiredSourceKeys = 0
    public var seqnoRequestsSent = 0
    public var seqnoBumps = 0
    public var routeRequestsSent = 0
    public var neighboursAdded = 0
    public var neighboursRemoved = 0
    /// Neighbours given up because they stopped answering Hellos.
    public var neighboursDied = 0

    public init() {}
}
