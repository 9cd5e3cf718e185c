import NIOCore

/// One accepted client connection, as a ``ConnectionListener`` hands it to the gateway's handler.
///
/// The handler reads `inbound` until it ends (the client closed, the idle timeout fired, or the listener is shutting
/// down) and writes replies with `outbound`; the listener closes the connection when the handler returns or throws.
public struct GatewayConnection: Sendable {
    /// The client's address (`nil` if the socket no longer knows it).
    public var remoteAddress: SocketAddress?
    /// The local address the client connected to.
    public var localAddress: SocketAddress?
    /// The bytes the client sends, in chunks as they arrive.
    public var inbound: NIOAsyncChannelInboundStream<ByteBuffer>
    /// Writes bytes to the client.
    public var outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// The connection's buffer allocator.
    public var allocator: ByteBufferAllocator

    public init(
        remoteAddress: SocketAddress?,
        localAddress: SocketAddress?,
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        allocator: ByteBufferAllocator
    ) {
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.inbound = inbound
        self.outbound = outbound
        self.allocator = allocator
    }
}
