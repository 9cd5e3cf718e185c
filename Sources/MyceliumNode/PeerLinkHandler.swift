import Logging
import MyceliumCore
import NIOCore

/// The node's side of one peer link, as far as the node exists so far: it announces the node's own /64 on connect
/// (spec §2.2), sends a Hello every `helloInterval`, answers every Hello with an IHU (spec §3.3), and logs what the
/// peer sends. Malformed input closes the link (the decoder throws).
final class PeerLinkHandler: ChannelInboundHandler {
    typealias InboundIn = LinkPacket
    typealias OutboundOut = LinkPacket

    /// Upstream's timers (spec §3.4), in centiseconds on the wire.
    static let helloIntervalCentiseconds: UInt16 = 2000
    static let ihuIntervalCentiseconds: UInt16 = 6000
    static let updateIntervalCentiseconds: UInt16 = 30000
    /// Upstream's static link cost of a TCP link (spec §3.3).
    static let tcpLinkCost = Metric(10)

    private let routerID: RouterID
    private let subnet: Subnet
    private let logger: Logger
    private var helloSeqno = SeqNo(0)
    private var helloTask: RepeatedTask?

    init(routerID: RouterID, subnet: Subnet, logger: Logger) {
        self.routerID = routerID
        self.subnet = subnet
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.logger.info("peer link up", metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        let update = Update(
            prefix: .ipv6(self.subnet),
            seqno: SeqNo(0),
            metric: .zero,
            interval: Self.updateIntervalCentiseconds,
            routerID: self.routerID
        )
        context.writeAndFlush(Self.wrapOutboundOut(.control(.update(update))), promise: nil)
        let interval = TimeAmount.milliseconds(Int64(Self.helloIntervalCentiseconds) * 10)
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        self.helloTask = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.handler.sendHello(context: bound.value.context)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.helloTask?.cancel()
        self.helloTask = nil
        self.logger.info("peer link down")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .control(.hello):
            let ihu = IHU(rxCost: Self.tcpLinkCost, interval: Self.ihuIntervalCentiseconds)
            context.writeAndFlush(Self.wrapOutboundOut(.control(.ihu(ihu))), promise: nil)
        case .control(.update(let update)):
            self.logger.info(
                "route announced",
                metadata: [
                    "prefix": "\(update.prefix)", "metric": "\(update.metric)", "seqno": "\(update.seqno)",
                    "router": "\(update.routerID)",
                ]
            )
        case .control(let packet):
            self.logger.debug("control packet", metadata: ["packet": "\(packet)"])
        case .data(let packet):
            self.logger.debug(
                "data packet not forwarded yet",
                metadata: ["source": "\(packet.source)", "destination": "\(packet.destination)"]
            )
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.warning("closing peer link", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func sendHello(context: ChannelHandlerContext) {
        let hello = Hello(seqno: self.helloSeqno, interval: Self.helloIntervalCentiseconds)
        self.helloSeqno = self.helloSeqno.next()
        context.writeAndFlush(Self.wrapOutboundOut(.control(.hello(hello))), promise: nil)
    }
}
