import NIOCore

/// Sends the overload reply to a connection over the listener's limit as soon as it is active, then closes it.
/// (The child channel initializer may run before the channel is registered and active, so the write waits for it.)
final class OverloadRefuser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let reply: [UInt8]
    private var hasRefused = false

    init(reply: [UInt8]) {
        self.reply = reply
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.refuse(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.refuse(context: context)
        context.fireChannelActive()
    }

    /// Anything the client sends is ignored.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(context: ChannelHandlerContext) {
        guard !self.hasRefused else { return }
        self.hasRefused = true
        guard !self.reply.isEmpty else {
            context.close(promise: nil)
            return
        }
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: self.reply))).assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }
}
