import MyceliumCore

/// Where data packets received on peer links go (the data plane, spec §4.4). Called on the link's event loop, in
/// arrival order; must not block. Until one is plugged into the `PeerManager`, data packets are counted and dropped.
public protocol PeerDataReceiver: AnyObject, Sendable {
    func link(_ link: ChannelPeerLink, received packet: DataPacket)
    /// The link's event loop finished one read: flush whatever the packets of that read were batched into.
    func linkReadComplete(_ link: ChannelPeerLink)
}
