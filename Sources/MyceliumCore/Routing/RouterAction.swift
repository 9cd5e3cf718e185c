/// What the router asks its driver to do. The driver executes them in order.
public enum RouterAction: Hashable, Sendable {
    /// Send a control packet to a neighbour.
    case send(ControlPacket, to: NeighbourID)
    /// Close the link to a neighbour that stopped answering Hellos.
    case disconnect(NeighbourID)
    /// A subnet without a selected route got one: packets queued for it can go (spec §3.6 step 7).
    case routeAcquired(Subnet)
    /// A subnet lost its selected route.
    case routeLost(Subnet)
    /// A route query ran out without an answer: packets queued for it get ICMP no-route (spec §3.9).
    case queryExpired(Subnet)
}
