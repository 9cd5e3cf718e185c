/// Which neighbours got a route request for a subnet from us, and with which generation (spec §3.9).
struct RouteRequestRecord: Sendable {
    var sent: [NeighbourID: (at: MonotonicInstant, generation: UInt8)] = [:]
}

/// One seqno request (router id, subnet, seqno) we sent or forwarded (spec §3.10): to whom, and who asked us.
struct SeqnoRequestRecord: Sendable {
    struct Key: Hashable, Sendable {
        var routerID: RouterID
        var subnet: Subnet
        var seqno: SeqNo
    }

    var createdAt: MonotonicInstant
    /// When we last sent it to each neighbour.
    var targets: [NeighbourID: MonotonicInstant] = [:]
    /// Neighbours that asked us; an Update answering the request goes back to them.
    var requesters: Set<NeighbourID> = []
    /// When we last forwarded it on someone else's behalf.
    var forwardedAt: MonotonicInstant?
}
