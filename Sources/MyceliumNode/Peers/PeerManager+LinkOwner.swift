import Logging
import MyceliumCore
import NIOCore

/// The manager's side of every peer channel: bookkeeping in the peer table, then the router's delegate.
/// The table lock is never held while calling out, so the delegate may call back (send, close, statuses).
extension PeerManager: PeerLinkOwner {
    func adopt(_ link: ChannelPeerLink, role: PeerChannelHandler.Role) -> Bool {
        let now = NIODeadline.now()
        switch role {
        case .outbound(let endpoint, let attempt):
            let adopted = self.table.withLock { $0.adoptOutbound(link, endpoint: endpoint, attempt: attempt, now: now) }
            guard adopted else {
                self.logger.debug("dropping stale connection", metadata: ["peer": "\(endpoint)", "link": "\(link)"])
                return false
            }
            self.logger.info("connected to peer", metadata: ["peer": "\(endpoint)", "link": "\(link)"])
        case .inbound:
            guard let endpoint = link.remoteAddress.peerEndpoint(transport: .tcp) else { return false }
            switch self.table.withLock({ $0.adoptInbound(link, endpoint: endpoint, now: now) }) {
            case .refused:
                self.logger.debug("refusing inbound connection", metadata: ["peer": "\(endpoint)"])
                return false
            case .accepted(let replaced):
                self.logger.info("accepted inbound peer", metadata: ["peer": "\(endpoint)", "link": "\(link)"])
                replaced?.close(reason: "replaced by a new inbound connection from the same address")
            }
        }
        return true
    }

    func linkUp(_ link: ChannelPeerLink) {
        self.delegate.linkUp(link)
    }

    func link(_ link: ChannelPeerLink, received packet: ControlPacket) {
        self.delegate.link(link, received: packet)
    }

    func link(_ link: ChannelPeerLink, receivedData packet: DataPacket) {
        if let receiver = self.dataReceiver {
            receiver.link(link, received: packet)
        } else {
            self.droppedData.add(1, ordering: .relaxed)
            self.logger.debug(
                "data packet dropped: no data plane yet",
                metadata: ["link": "\(link)", "source": "\(packet.source)", "destination": "\(packet.destination)"]
            )
        }
    }

    func linkReadComplete(_ link: ChannelPeerLink) {
        self.dataReceiver?.linkReadComplete(link)
    }

    func release(_ link: ChannelPeerLink) {
        self.table.withLock { $0.release(link) }
        self.logger.info("peer link down", metadata: ["link": "\(link)"])
        self.delegate.linkDown(link)
    }
}
