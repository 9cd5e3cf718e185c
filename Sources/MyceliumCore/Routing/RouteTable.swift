import MyceliumCrypto

/// One neighbour's route to a subnet, with the metric as that neighbour advertised it (spec §3.2).
public struct Route: Hashable, Sendable {
    public var neighbour: NeighbourID
    public var routerID: RouterID
    public var seqno: SeqNo
    /// The metric as advertised; the cost from this node adds the neighbour's link cost.
    public var metric: Metric
    public var expiresAt: MonotonicInstant
}

/// Everything known about one subnet: a route per neighbour that announced it, at most one of them selected.
struct SubnetRoutes: Sendable {
    var routes: [Route] = []
    var selected: NeighbourID?
    /// Fixed by the first accepted Update for the subnet (spec §13): the key the data plane encrypts to.
    let publicKey: X25519.PublicKey
    /// The metric we last advertised for this subnet, to decide whether a change is worth a triggered update.
    var advertisedMetric: Metric?

    init(publicKey: X25519.PublicKey) {
        self.publicKey = publicKey
    }

    var selectedRoute: Route? {
        guard let selected = self.selected else { return nil }
        return self.routes.first { $0.neighbour == selected }
    }

    func index(of neighbour: NeighbourID) -> Int? {
        self.routes.firstIndex { $0.neighbour == neighbour }
    }
}

/// Subnets with their routes, and longest-prefix match over them (all prefixes are /64 or longer, spec §3.6).
struct RouteTable: Sendable {
    private(set) var subnets: [Subnet: SubnetRoutes] = [:]
    /// How many subnets of each prefix length exist, so lookups only probe lengths that occur.
    private var prefixLengths: [UInt8: Int] = [:]
    /// The keys of `prefixLengths`, longest first: kept sorted here rather than sorted at every lookup.
    private var lengthsLongestFirst: [UInt8] = []
    /// Bumped by every change, so a reader can tell cheaply whether the table moved since it last looked.
    private(set) var generation: UInt64 = 0

    subscript(subnet: Subnet) -> SubnetRoutes? {
        get { self.subnets[subnet] }
        set {
            self.generation &+= 1
            switch (self.subnets[subnet] != nil, newValue != nil) {
            case (false, true):
                self.prefixLengths[subnet.prefixLength, default: 0] += 1
                if self.prefixLengths[subnet.prefixLength] == 1 {
                    self.lengthsLongestFirst.append(subnet.prefixLength)
                    self.lengthsLongestFirst.sort(by: >)
                }
            case (true, false):
                let remaining = (self.prefixLengths[subnet.prefixLength] ?? 1) - 1
                self.prefixLengths[subnet.prefixLength] = remaining > 0 ? remaining : nil
                if remaining <= 0 { self.lengthsLongestFirst.removeAll { $0 == subnet.prefixLength } }
            case (true, true), (false, false): break
            }
            self.subnets[subnet] = newValue
        }
    }

    /// The most specific subnet containing `address`.
    func longestMatch(for address: IPv6Address) -> (subnet: Subnet, routes: SubnetRoutes)? {
        for length in self.lengthsLongestFirst {
            guard let subnet = Subnet(address: address, prefixLength: Int(length)) else { continue }
            if let routes = self.subnets[subnet] { return (subnet, routes) }
        }
        return nil
    }
}
