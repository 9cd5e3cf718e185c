import Logging
import MyceliumCore
import NIOCore

/// Who a peer channel reports to (the `PeerManager`). All calls for one link come from its event loop, in order:
/// `adopt`; if that returned `true`, `linkUp`, any number of `received`, and `release` exactly once.
protocol PeerLinkOwner: AnyObject, Sendable {
    /// A connection became active. Returning `false` refuses it (it is then closed, and never reported further).
    func adopt(_ link: ChannelPeerLink, role: PeerChannelHandler.Role) -> Bool
    /// The adopted link is ready (the handler already treats it as up, so the owner may send on it or close it).
    func linkUp(_ link: ChannelPeerLink)
    func link(_ link: ChannelPeerLink, received packet: ControlPacket)
    func link(_ link: ChannelPeerLink, receivedData packet: DataPacket)
    /// The channel finished a read: whatever was batched from its packets can be written out.
    func linkReadComplete(_ link: ChannelPeerLink)
    /// An adopted connection closed.
    func release(_ link: ChannelPeerLink)
}

/// The last handler of a peer pipeline: splits the byte stream into link packets itself (one loop per read, no
/// per-packet pipeline hop — this is the data plane's hot path), creates the `ChannelPeerLink` when the connection is up, hands
/// received packets to the owner, writes the link's outbox, and closes the connection on malformed input.
final class PeerChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    /// Framed packets: the link frames them into its outbox.
    typealias OutboundOut = ByteBuffer

    /// How the connection came about.
    enum Role: Sendable {
        /// We dialled `endpoint`; `attempt` identifies the dial so a stale connection is not mistaken for a new one.
        case outbound(PeerEndpoint, attempt: UInt64)
        /// Accepted by our listener.
        case inbound
    }

    private enum State {
        case waiting
        case up(ChannelPeerLink)
        case refused
        case down
    }

    private let owner: any PeerLinkOwner
    private let role: Role
    private let traffic: LinkTraffic
    private let limits: PeerLinkLimits
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var state = State.waiting
    /// Bytes read but not yet decoded: at most one partial packet (≤ 65,575 bytes) after each read.
    private var unread: ByteBuffer?

    init(owner: any PeerLinkOwner, role: Role, traffic: LinkTraffic, limits: PeerLinkLimits, logger: Logger) {
        self.owner = owner
        self.role = role
        self.traffic = traffic
        self.limits = limits
        self.logger = logger
    }

    /// The handlers of a peer connection, in pipeline order.
    static func pipeline(
        owner: any PeerLinkOwner,
        role: Role,
        limits: PeerLinkLimits,
        logger: Logger
    ) -> [any ChannelHandler] {
        let traffic = LinkTraffic()
        return [
            TrafficCountingHandler(traffic: traffic),
            PeerChannelHandler(owner: owner, role: role, traffic: traffic, limits: limits, logger: logger),
        ]
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            self.becomeActive(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.becomeActive(context: context)
        context.fireChannelActive()
    }

    private func becomeActive(context: ChannelHandlerContext) {
        guard case .waiting = self.state else { return }
        guard let local = context.channel.localAddress, let remote = context.channel.remoteAddress else {
            self.logger.warning("peer connection without addresses, closing it")
            self.state = .refused
            context.close(promise: nil)
            return
        }
        let link = ChannelPeerLink(
            channel: context.channel,
            localAddress: local,
            remoteAddress: remote,
            traffic: self.traffic,
            limits: self.limits,
            logger: self.logger,
            handler: NIOLoopBound(self, eventLoop: context.eventLoop)
        )
        if self.owner.adopt(link, role: self.role) {
            self.state = .up(link)
            self.owner.linkUp(link)
        } else {
            self.state = .refused
            link.markClosed()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.unread = nil
        if case .up(let link) = self.state {
            self.state = .down
            link.markClosed()
            self.owner.release(link)
        } else {
            self.state = .down
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .up(let link) = self.state else { return }
        var bytes = Self.unwrapInboundIn(data)
        if var unread = self.unread {
            self.unread = nil
            unread.writeBuffer(&bytes)
            bytes = unread
        }
        do {
            while let packet = try bytes.readLinkPacket() {
                switch packet {
                case .control(let packet):
                    self.owner.link(link, received: packet)
                case .data(let packet):
                    self.owner.link(link, receivedData: packet)
                }
                // The owner may have closed the link.
                guard case .up = self.state else { return }
            }
        } catch {
            self.errorCaught(context: context, error: error)
            return
        }
        if bytes.readableBytes > 0 {
            // A view of just the partial packet: packets handed out above may still share this storage.
            self.unread = bytes.slice()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .up(let link) = self.state {
            self.owner.linkReadComplete(link)
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let description: String =
            if case .up(let link) = self.state { link.connectionDescription } else { "\(self.role)" }
        if error is WireError {
            self.logger.warning(
                "peer link protocol error (malformed input), closing link",
                metadata: ["link": "\(description)", "error": "\(error)"]
            )
        } else {
            self.logger.debug(
                "peer link error, closing link", metadata: ["link": "\(description)", "error": "\(error)"])
        }
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.drain()
        }
        context.fireChannelWritabilityChanged()
    }

    /// Writes everything the link has queued (if the socket is writable) and flushes once.
    func drain() {
        guard let context = self.context, case .up(let link) = self.state else { return }
        guard let bytes = link.takeQueued(socketWritable: context.channel.isWritable) else { return }
        context.writeAndFlush(Self.wrapOutboundOut(bytes), promise: nil)
    }
}
