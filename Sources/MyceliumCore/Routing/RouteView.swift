import MyceliumCrypto

/// A route as the API and the data plane see it.
public struct RouteView: Hashable, Sendable {
    public var subnet: Subnet
    public var route: Route
    /// The current link cost of the route's neighbour.
    public var linkCost: Metric
    public var isSelected: Bool

    /// The route's cost from this node: advertised metric plus link cost.
    public var cost: Metric { self.route.metric + self.linkCost }
}

/// A subnet being looked for with route requests (spec §3.9).
public struct QueriedSubnet: Hashable, Sendable {
    public var subnet: Subnet
    public var expiresAt: MonotonicInstant
}
