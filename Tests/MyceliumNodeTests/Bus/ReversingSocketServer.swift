import NIOCore
import NIOPosix

/// A Unix stream socket server that reads a request to EOF and answers with its bytes reversed, then closes — what a
/// topic's forward socket program does.
struct ReversingSocketServer {
    let channel: any Channel

    static func start(path: String) async throws -> ReversingSocketServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Reverser()) }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        return ReversingSocketServer(channel: channel)
    }

    func close() async throws {
        try await self.channel.close()
    }

    final class Reverser: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private var request: [UInt8] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.request += Self.unwrapInboundIn(data).readableBytesView
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard case .inputClosed? = event as? ChannelEvent else { return }
            let channel = context.channel
            context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: self.request.reversed())))
                .whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
