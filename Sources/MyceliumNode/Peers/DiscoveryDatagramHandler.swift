import Logging
import MyceliumCore
import NIOCore

/// Receives datagrams on the discovery socket and applies `DiscoveryBeaconRule`.
final class DiscoveryDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let routerID: RouterID
    private let peers: any DiscoveredPeerSink
    private let logger: Logger

    init(routerID: RouterID, peers: any DiscoveredPeerSink, logger: Logger) {
        self.routerID = routerID
        self.peers = peers
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let source = envelope.remoteAddress
        let scope = source.ipv6ScopeID
        let verdict = DiscoveryBeaconRule.evaluate(
            datagram: envelope.data,
            source: source.ipv6Address,
            interface: scope == 0 ? nil : NetworkInterfaceName.name(forIndex: scope),
            ownRouterID: self.routerID
        )
        switch verdict {
        case .discovered(let endpoint):
            if !self.peers.addDiscoveredPeer(endpoint) {
                self.logger.trace("beacon from a known peer", metadata: ["peer": "\(endpoint)"])
            }
        case .ignored(let reason):
            self.logger.trace(
                "ignoring discovery datagram",
                metadata: ["from": "\(source.upstreamDescription)", "reason": "\(reason)"])
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports things like ICMP errors here; they do not make the socket unusable.
        self.logger.debug("discovery socket error", metadata: ["error": "\(error)"])
    }
}
