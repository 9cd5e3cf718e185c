import Logging
import MyceliumCore
import MyceliumGatewayKit
import NIOCore
import ServiceLifecycle

/// The mail gateway: an SMTP submission server and an IMAP server on loopback for ordinary mail clients, local
/// mailboxes in the node's state directory, and mail between nodes over the message bus (`MailEnvelope` on the topic
/// `mycelium-mail/1`). Addresses name nodes: `user@[IPv6:<overlay address>]` or `user@<address as 32 hex>.mycelium`.
public struct MailGateway: Gateway {
    public static let name = "mail"

    public let configuration: MailGatewayConfiguration
    public let store: MailStore
    public let queue: MailQueue
    public let autoconfig: MailAutoconfig
    let context: GatewayContext
    let deliveryAgent: MailDeliveryAgent
    let router: MailRouter
    let inbound: MailInbound
    let authenticator: AccountMailAuthenticator
    let clock: MailClock
    let logger: Logger
    /// Called with each listener's name (`smtp`, `imap`, `autoconfig`) and bound address once it listens.
    public var onBound: @Sendable (String, NIOCore.SocketAddress) -> Void = { _, _ in }

    public init(configuration: MailGatewayConfiguration, context: GatewayContext) throws {
        try self.init(configuration: configuration, context: context, clock: .system)
    }

    public init(configuration: MailGatewayConfiguration, context: GatewayContext, clock: MailClock) throws {
        var logger = context.logger
        logger[metadataKey: "gateway"] = "mail"
        let directory = context.storeDirectory(for: Self.name)
        let store = try MailStore(directory: directory, maximumMessageSize: configuration.maximumMessageSize)
        let queue = try MailQueue(path: directory + "/queue.sqlite")
        let bouncer = MailBouncer(node: context.node, store: store, clock: clock, logger: logger)
        let agent = MailDeliveryAgent(
            queue: queue, bus: context.bus, bouncer: bouncer, configuration: configuration, clock: clock, logger: logger
        )
        self.configuration = configuration
        self.store = store
        self.queue = queue
        self.autoconfig = MailAutoconfig(nodeAddress: context.node.address, configuration: configuration)
        self.context = context
        self.deliveryAgent = agent
        self.router = MailRouter(
            node: context.node, store: store, queue: queue, accounts: context.accounts, configuration: configuration,
            deliveryAgent: agent, clock: clock, logger: logger
        )
        self.inbound = MailInbound(
            node: context.node, store: store, queue: queue, accounts: context.accounts, configuration: configuration,
            bus: context.bus, deliveryAgent: agent, clock: clock, logger: logger
        )
        self.authenticator = AccountMailAuthenticator(accounts: context.accounts)
        self.clock = clock
        self.logger = logger
    }

    /// Serves until graceful shutdown: the three listeners, the outbound queue and the mail topic.
    public func run() async throws {
        let smtp = SMTPServer(
            configuration: SMTPServer.Configuration(
                hostName: self.autoconfig.domain, maximumMessageSize: self.configuration.maximumMessageSize
            ),
            authenticator: self.authenticator, submission: self.router, logger: self.logger
        )
        let imap = IMAPServer(store: self.store, authenticator: self.authenticator, logger: self.logger)
        let autoconfigServer = AutoconfigServer(autoconfig: self.autoconfig, logger: self.logger)
        let limit = self.configuration.maximumConnections
        let (smtpListen, imapListen, autoconfigListen) = (
            self.configuration.smtpListen, self.configuration.imapListen, self.configuration.autoconfigListen
        )
        typealias Handler = @Sendable (GatewayConnection) async throws -> Void
        let listeners: [(ConnectionListener.Configuration, String, Handler)] = [
            (smtp.listenerConfiguration(host: smtpListen.host, port: smtpListen.port, maximumConnections: limit),
             "smtp", smtp.serve),
            (IMAPServer.listenerConfiguration(host: imapListen.host, port: imapListen.port, maximumConnections: limit),
             "imap", imap.serve),
            (ConnectionListener.Configuration(
                host: autoconfigListen.host, port: autoconfigListen.port, maximumConnections: limit,
                idleTimeout: .seconds(30)),
             "autoconfig", autoconfigServer.serve),
        ]
        let onBound = self.onBound
        // The listeners see graceful shutdown themselves (they stop accepting and let sessions say goodbye); the queue
        // and the mail topic are simply cancelled.
        try await withThrowingDiscardingTaskGroup { group in
            for (configuration, name, handle) in listeners {
                let listener = ConnectionListener(name: name, configuration: configuration, logger: self.logger)
                group.addTask {
                    try await listener.run(onBound: { onBound(name, $0) }, handle: handle)
                }
            }
            group.addTask { await cancelWhenGracefulShutdown { await self.deliveryAgent.run() } }
            group.addTask { await cancelWhenGracefulShutdown { await self.inbound.run() } }
        }
    }
}
