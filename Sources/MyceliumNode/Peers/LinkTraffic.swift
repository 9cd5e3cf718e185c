import NIOCore
import Synchronization

/// Bytes sent to and received from one connection, readable from any thread (for `PeerStatus.txBytes`/`rxBytes`).
final class LinkTraffic: Sendable {
    private let transmitted = Atomic<UInt64>(0)
    private let received = Atomic<UInt64>(0)

    init() {}

    /// Bytes handed to the socket (written into the channel; a peer that stops reading still counts what is queued
    /// in the kernel and in NIO's write buffer).
    var txBytes: UInt64 { self.transmitted.load(ordering: .relaxed) }
    /// Bytes read from the socket, before decoding.
    var rxBytes: UInt64 { self.received.load(ordering: .relaxed) }

    func addTransmitted(_ count: Int) {
        self.transmitted.add(UInt64(count), ordering: .relaxed)
    }

    func addReceived(_ count: Int) {
        self.received.add(UInt64(count), ordering: .relaxed)
    }
}

/// The first handler of a peer pipeline (next to the socket): counts raw bytes in both directions.
final class TrafficCountingHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let traffic: LinkTraffic

    init(traffic: LinkTraffic) {
        self.traffic = traffic
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.traffic.addReceived(Self.unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.traffic.addTransmitted(Self.unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}
