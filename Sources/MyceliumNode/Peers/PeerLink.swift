import MyceliumCore

/// One live connection to a peer, as the router sees it. The peer layer owns the socket; the router only sends
/// control packets through it and may close it (for example when the neighbour stops answering Hellos).
public protocol PeerLink: AnyObject, Sendable {
    /// The router's handle for this link; unique for the lifetime of the process.
    var neighbour: NeighbourID { get }
    /// The transport, which fixes the static link cost (spec §3.3).
    var linkKind: LinkKind { get }
    /// The connection as upstream's API shows it as a route's next hop, e.g. `TCP [::1]:9651 <-> [::1]:40312`.
    var connectionDescription: String { get }
    /// Queues a control packet for the peer. Never blocks; a peer whose queue overflows is disconnected.
    func send(_ packet: ControlPacket)
    /// Queues a data packet for the peer (framed at once: the payload's buffer is free again when this returns).
    func send(data packet: DataPacket)
    /// Closes the connection; the delegate then sees `linkDown`.
    func close(reason: String)
}

/// What the peer layer reports about its links. Calls for one link arrive in order: `linkUp`, then any number of
/// `received`, then `linkDown` exactly once.
public protocol PeerLinkDelegate: AnyObject, Sendable {
    func linkUp(_ link: any PeerLink)
    func link(_ link: any PeerLink, received packet: ControlPacket)
    func linkDown(_ link: any PeerLink)
}
