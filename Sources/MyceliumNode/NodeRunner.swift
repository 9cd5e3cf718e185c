import Logging
import MyceliumCore
import MyceliumCrypto
import NIOCore
import NIOPosix

/// Runs the node until the process is stopped. So far that is the peer link layer: a TCP listener (dual stack) and
/// connections to the configured `tcp://` peers, redialled every 5 s (spec §2.5). Routing, the data plane and the
/// APIs arrive with later work.
public struct NodeRunner: Sendable {
    /// Upstream's reconnect period for static peers.
    public static let reconnectInterval = TimeAmount.seconds(5)

    public let configuration: NodeConfiguration
    public let identity: NodeIdentity
    public let logger: Logger

    public init(configuration: NodeConfiguration, identity: NodeIdentity, logger: Logger) {
        self.configuration = configuration
        self.identity = identity
        self.logger = logger
    }

    public func run() async throws {
        var random = SecureRandom()
        let routerID = self.identity.makeRouterID(using: &random)
        self.logger.info(
            "node starting",
            metadata: [
                "address": "\(self.identity.address)", "subnet": "\(self.identity.subnet)",
                "publicKey": "\(self.identity.publicKey.hexString)", "routerID": "\(routerID)",
            ]
        )
        let group = MultiThreadedEventLoopGroup.singleton
        let initializer = Self.pipelineInitializer(routerID: routerID, subnet: self.identity.subnet, logger: self.logger)
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer(initializer)
            .bind(host: "::", port: Int(self.configuration.tcpListenPort))
            .get()
        self.logger.info("listening for peers", metadata: ["address": "\(listener.localAddress.map { "\($0)" } ?? "?")"])
        for peer in self.configuration.peers {
            self.dial(peer, group: group, initializer: initializer)
        }
        try await listener.closeFuture.get()
    }

    private func dial(
        _ peer: PeerEndpoint,
        group: MultiThreadedEventLoopGroup,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) {
        let host: String
        switch (peer.transport, peer.host) {
        case (.tcp, .ipv4(let address)): host = address
        case (.tcp, .ipv6(let address, let zone)): host = address.description + (zone.map { "%\($0)" } ?? "")
        case (.tcp, .name(let name)): host = name
        case (.quic, _), (.tls, _), (.vsock, _), (.tcp, .vsockContext):
            self.logger.error("peer not supported yet, only tcp:// peers are", metadata: ["peer": "\(peer)"])
            return
        }
        let logger = self.logger
        let loop = group.any()
        @Sendable func attempt() {
            ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer(initializer)
                .connect(host: host, port: Int(peer.port))
                .flatMap { $0.closeFuture }
                .whenComplete { result in
                    if case .failure(let error) = result {
                        logger.debug("peer connection failed", metadata: ["peer": "\(peer)", "error": "\(error)"])
                    }
                    loop.scheduleTask(in: Self.reconnectInterval) { attempt() }
                }
        }
        attempt()
    }

    private static func pipelineInitializer(
        routerID: RouterID,
        subnet: Subnet,
        logger: Logger
    ) -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers([
                    ByteToMessageHandler(LinkPacketDecoder()),
                    MessageToByteHandler(LinkPacketEncoder()),
                    PeerLinkHandler(routerID: routerID, subnet: subnet, logger: logger),
                ])
            }
        }
    }
}
