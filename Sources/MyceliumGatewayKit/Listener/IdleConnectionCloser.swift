import NIOCore

/// Closes its channel when `IdleStateHandler` reports that nothing was read for the idle timeout, after writing the
/// protocol's goodbye (`* BYE …`, `421 …`) if there is one.
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let reply: [UInt8]

    init(reply: [UInt8]) {
        self.reply = reply
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !self.reply.isEmpty else {
            context.close(promise: nil)
            return
        }
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: self.reply))).assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }
}
