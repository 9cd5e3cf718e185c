import Hummingbird
import Logging
import MyceliumCore
import ServiceLifecycle

/// The HTTP API (spec §5.5) on `--api-addr` (default `127.0.0.1:8989`), no authentication, as upstream. A
/// `Service`: put it into the node's `ServiceGroup`; it stops on graceful shutdown or cancellation.
public struct AdminHTTPServer: Service, CustomStringConvertible {
    public let administration: any NodeAdministration
    public let listener: HTTPListener

    /// - Parameter onListening: called with the bound port once the server accepts connections (useful with port 0).
    public init(
        administration: any NodeAdministration,
        address: MyceliumCore.SocketAddress,
        logger: Logger = Logger(label: "mycelium.api"),
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        self.administration = administration
        self.listener = HTTPListener(name: "HTTP API", address: address, logger: logger, onListening: onListening)
    }

    public var description: String { self.listener.description }

    /// The router with every `/api/v1` route this server serves; later route families register here too.
    public static func makeRouter(administration: any NodeAdministration) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        AdminRoutes.register(on: router, administration: administration)
        return router
    }

    public func run() async throws {
        try await self.listener.run(Self.makeRouter(administration: self.administration).buildResponder())
    }
}
