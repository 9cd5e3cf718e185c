import Glibc
import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A running Mycelium node: the router, the peer layer, link-local discovery and the API servers, as services of one
/// `ServiceGroup` that stops cleanly on SIGINT or SIGTERM.
public struct Node: Sendable {
    public let configuration: NodeConfiguration
    public let identity: NodeIdentity
    public let logger: Logger

    public init(configuration: NodeConfiguration, identity: NodeIdentity, logger: Logger) {
        self.configuration = configuration
        self.identity = identity
        self.logger = logger
    }

    /// Opens the message store under the state directory and restores the bus from it.
    private func makeMessageBus(dataPlane: DataPlane) throws -> MessageBusDriver {
        var environment: [String: String] = [:]
        for name in ["XDG_DATA_HOME", "HOME"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        let path = self.configuration.messageStorePath(environment: environment)
        let store = try MessageStore(path: path)
        var configuration = MessageBusDriver.Configuration()
        configuration.bus.maximumMessageSize = self.configuration.maximumMessageSize
        configuration.bus.retryDuration = self.configuration.messageRetryDuration
        self.logger.info("message store opened", metadata: ["path": "\(path)"])
        return try MessageBusDriver(
            identity: self.identity,
            configuration: configuration,
            topicPolicy: self.configuration.topicPolicy,
            store: store,
            transport: dataPlane,
            logger: self.logger
        )
    }

    /// Runs until SIGINT/SIGTERM (then shuts down gracefully and returns) or until a service fails (then throws).
    /// - Parameter gateways: makes the gateway services to run in this process, given the node's message bus.
    public func run(gateways: (any MessageBus) throws -> [any Service] = { _ in [] }) async throws {
        var random = SecureRandom()
        let routerID = self.identity.makeRouterID(using: &random)
        self.logger.info(
            "node starting",
            metadata: [
                "address": "\(self.identity.address)", "subnet": "\(self.identity.subnet)",
                "publicKey": "\(self.identity.publicKey.hexString)", "routerID": "\(routerID)",
            ]
        )
        // The TUN first: without the capability to create it, fail at once with a message that says what to do.
        let tun: TunDevice? =
            if self.configuration.noTUN {
                nil
            } else {
                try TunDevice.open(name: self.configuration.tunName, address: self.identity.address, logger: self.logger)
            }
        if tun == nil {
            self.logger.info("running without a TUN interface (--no-tun): routing only")
        }
        let eventLoopGroup = MultiThreadedEventLoopGroup.singleton
        let router = RouterDriver(
            identity: self.identity,
            routerID: routerID,
            configuration: RouterConfiguration(helloInterval: self.configuration.helloInterval),
            eventLoop: eventLoopGroup.next(),
            logger: self.logger
        )
        let dataPlane = DataPlane(identity: self.identity, interface: tun, logger: self.logger) { address in
            router.requestRoute(to: address)
        }
        router.attach(dataPlane)
        let messageBus = try self.makeMessageBus(dataPlane: dataPlane)
        dataPlane.attach(messageBus)
        let peerManager = PeerManager(
            configuration: PeerManager.Configuration(node: self.configuration),
            delegate: router,
            dataReceiver: dataPlane,
            eventLoopGroup: eventLoopGroup,
            logger: self.logger
        )
        let administration = RouterAdministrator(
            info: NodeInfo(
                subnet: self.identity.subnet,
                address: self.identity.address,
                publicKey: self.identity.publicKey,
                startTime: UInt64(max(0, time(nil)))
            ),
            router: router,
            peerManager: peerManager,
            messageBus: messageBus
        )

        var services: [any Service] = [
            peerManager,
            messageBus,
            DataPlaneMaintenance(dataPlane: dataPlane, eventLoop: router.eventLoop),
            AdminHTTPServer(
                administration: administration, messages: messageBus, address: self.configuration.apiAddress,
                logger: self.logger
            ),
            JSONRPCServer(
                administration: administration, messages: messageBus, address: self.configuration.jsonRPCAddress,
                logger: self.logger
            ),
        ]
        services += try gateways(messageBus)
        if let metricsAddress = self.configuration.metricsAPIAddress {
            services.append(
                MetricsHTTPServer(administration: administration, address: metricsAddress, logger: self.logger)
            )
        }
        if let tun {
            services.append(TunReader(device: tun, dataPlane: dataPlane, logger: self.logger))
        }
        if self.configuration.disablePeerDiscovery {
            self.logger.info("link-local peer discovery disabled")
        } else {
            services.append(
                LinkLocalDiscovery(
                    configuration: LinkLocalDiscovery.Configuration(node: self.configuration),
                    routerID: routerID,
                    peers: peerManager,
                    eventLoopGroup: eventLoopGroup,
                    logger: self.logger
                )
            )
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        defer { router.stop() }
        try await group.run()
        self.logger.info("node stopped")
    }
}
