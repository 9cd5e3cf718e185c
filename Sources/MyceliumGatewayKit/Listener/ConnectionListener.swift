import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The accept loop every TCP gateway uses: binds a port and serves each connection in its own child task, with a
/// connection limit and an idle timeout.
///
/// Shutdown, two ways:
/// - Graceful shutdown (swift-service-lifecycle; call `run` directly from a `Service`'s `run()`, without
///   `cancelWhenGracefulShutdown`): the listener stops accepting at once; handlers, which see the graceful shutdown
///   too (`cancelWhenGracefulShutdown` around their read loop, or `withGracefulShutdownHandler`), may still write a
///   goodbye (`* BYE`, `421`) and return; connections still open after ``Configuration/shutdownGracePeriod`` are
///   closed; `run` returns when every handler has.
/// - Task cancellation: the listener stops accepting, closes every connection and cancels the handlers (a cancelled
///   task cannot write to an `NIOAsyncChannelOutboundWriter`), waits for them and returns. With
/// swift-service-lifecycle, call it from a `Service`'s `run()` inside `cancelWhenGracefulShutdown { … }`, so graceful
/// shutdown ends it.
public struct ConnectionListener: Sendable {
    /// Where to listen and the per-listener limits.
    public struct Configuration: Sendable {
        /// Address to bind: an IP address or a host name (`127.0.0.1`, `::`, `localhost`).
        public var host: String
        /// Port to bind; 0 picks a free one (reported to `onBound`).
        public var port: Int
        /// Most connections served at once; one more is sent ``overloadReply`` and closed.
        public var maximumConnections: Int = 256
        /// A connection from which nothing was read for this long is sent ``idleReply`` and closed.
        public var idleTimeout: Duration = .seconds(300)
        /// Written before closing an idle connection (e.g. `* BYE Autologout\r\n`); may be empty.
        public var idleReply: [UInt8] = []
        /// Written before closing a connection over the limit (e.g. `* BYE Too many connections\r\n`); may be empty.
        public var overloadReply: [UInt8] = []
        /// On graceful shutdown, how long handlers may still write (a goodbye such as `* BYE`) before every
        /// connection still open is closed.
        public var shutdownGracePeriod: Duration = .seconds(1)

        public init(
            host: String, port: Int, maximumConnections: Int = 256, idleTimeout: Duration = .seconds(300),
            idleReply: [UInt8] = [], overloadReply: [UInt8] = [], shutdownGracePeriod: Duration = .seconds(1)
        ) {
            self.host = host
            self.port = port
            self.maximumConnections = maximumConnections
            self.idleTimeout = idleTimeout
            self.idleReply = idleReply
            self.overloadReply = overloadReply
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    /// What the child channel initializer decided about an accepted connection.
    enum Admission: Sendable {
        case serve(NIOAsyncChannel<ByteBuffer, ByteBuffer>)
        case refused
    }

    /// The listener's name, for log lines (e.g. `imap`).
    public let name: String
    public let configuration: Configuration
    private let logger: Logger

    public init(name: String, configuration: Configuration, logger: Logger) {
        self.name = name
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "listener"] = .string(name)
        self.logger = logger
    }

    /// Binds, calls `onBound` with the bound address (port 0 → the real port), then serves each connection with
    /// `handle` in its own child task until graceful shutdown or cancellation (see the type's documentation): stop
    /// accepting, end the handlers, close everything, return. An error thrown by one handler is logged and closes
    /// only that connection.
    ///
    /// Throws if binding fails, or if accepting fails for good.
    public func run(
        onBound: @Sendable (SocketAddress) -> Void = { _ in },
        handle: @escaping @Sendable (GatewayConnection) async throws -> Void
    ) async throws {
        let registry = ConnectionRegistry(limit: max(0, self.configuration.maximumConnections))
        let server = try await self.bind(registry: registry)
        guard let address = server.channel.localAddress else {
            try? await server.channel.close()
            throw ConnectionListenerError.noLocalAddress(listener: self.name)
        }
        self.logger.info("Listening", metadata: ["address": "\(address)"])
        onBound(address)
        let serverChannel = server.channel
        let gracePeriod = TimeAmount(self.configuration.shutdownGracePeriod)
        do {
            try await withGracefulShutdownHandler {
                try await withTaskCancellationHandler {
                    try await withThrowingDiscardingTaskGroup { group in
                        // The accept loop ended on its own (an accept error): close everything now.
                        defer { if !registry.isShuttingDown { registry.closeAll() } }
                        try await server.executeThenClose { accepted in
                            for try await admission in accepted {
                                switch admission {
                                case .refused:
                                    continue
                                case .serve(let connection):
                                    group.addTask { await self.serve(connection, handle: handle) }
                                }
                            }
                        }
                    }
                } onCancel: {
                    registry.stopAdmitting()
                    serverChannel.close(promise: nil)
                    registry.closeAll()
                }
            } onGracefulShutdown: {
                registry.stopAdmitting()
                serverChannel.close(promise: nil)
                serverChannel.eventLoop.scheduleTask(in: gracePeriod) { registry.closeAll() }
            }
        } catch {
            // The accept loop may end with an error when shutdown closes the socket: that is a normal return.
            guard Task.isCancelled || registry.isShuttingDown else { throw error }
        }
        self.logger.info("Stopped listening", metadata: ["address": "\(address)"])
    }

    /// Binds the server socket; each accepted channel gets the idle timeout and is admitted or refused at once.
    private func bind(registry: ConnectionRegistry) async throws -> NIOAsyncChannel<Admission, Never> {
        let idleTimeout = TimeAmount(self.configuration.idleTimeout)
        let idleReply = self.configuration.idleReply
        let overloadReply = self.configuration.overloadReply
        let logger = self.logger
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .bind(host: self.configuration.host, port: self.configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard registry.admit(channel) else {
                        logger.notice(
                            "Refusing connection: too many connections",
                            metadata: ["client": "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"])
                        try channel.pipeline.syncOperations.addHandler(OverloadRefuser(reply: overloadReply))
                        return Admission.refused
                    }
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser(reply: idleReply))
                    return Admission.serve(
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel))
                }
            }
    }

    /// Runs `handle` on one connection and closes it afterwards; a thrown error is logged, never propagated.
    private func serve(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        handle: @Sendable (GatewayConnection) async throws -> Void
    ) async {
        let channel = connection.channel
        var logger = self.logger
        logger[metadataKey: "client"] = .string(channel.remoteAddress.map { "\($0)" } ?? "unknown")
        logger.debug("Connection opened")
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await handle(
                    GatewayConnection(
                        remoteAddress: channel.remoteAddress, localAddress: channel.localAddress, inbound: inbound,
                        outbound: outbound, allocator: channel.allocator))
            }
            logger.debug("Connection closed")
        } catch is CancellationError {
            logger.debug("Connection closed by shutdown")
        } catch {
            logger.notice("Connection closed after an error", metadata: ["error": "\(error)"])
        }
    }
}

/// Why a ``ConnectionListener`` could not run.
public enum ConnectionListenerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bound socket did not report its address.
    case noLocalAddress(listener: String)

    public var description: String {
        switch self {
        case .noLocalAddress(let listener): "\(listener): the bound socket has no local address"
        }
    }
}
