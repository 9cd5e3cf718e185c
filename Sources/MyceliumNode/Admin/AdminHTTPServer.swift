import Hummingbird
import Logging
import MyceliumCore
import MyceliumGatewayKit
import ServiceLifecycle

/// The HTTP API (spec §5.5) on `--api-addr` (default `127.0.0.1:8989`), no authentication, as upstream. A
/// `Service`: put it into the node's `ServiceGroup`; it stops on graceful shutdown or cancellation.
public struct AdminHTTPServer: Service, CustomStringConvertible {
    public let administration: any NodeAdministration
    /// The bus the message routes answer from; without one only the admin routes are served.
    public let messages: (any MessageBus)?
    public let listener: HTTPListener

    /// - Parameter onListening: called with the bound port once the server accepts connections (useful with port 0).
    public init(
        administration: any NodeAdministration,
        messages: (any MessageBus)? = nil,
        address: MyceliumCore.SocketAddress,
        logger: Logger = Logger(label: "mycelium.api"),
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        self.administration = administration
        self.messages = messages
        self.listener = HTTPListener(name: "HTTP API", address: address, logger: logger, onListening: onListening)
    }

    public var description: String { self.listener.description }

    /// The router with every `/api/v1` route this server serves: the admin routes, and the message routes (spec §5.5)
    /// when a bus is given.
    public static func makeRouter(
        administration: any NodeAdministration,
        messages: (any MessageBus)? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        AdminRoutes.register(on: router, administration: administration)
        if let messages { MessageRoutes.register(on: router, bus: messages) }
        return router
    }

    public func run() async throws {
        let router = Self.makeRouter(administration: self.administration, messages: self.messages)
        try await self.listener.run(router.buildResponder())
    }
}
