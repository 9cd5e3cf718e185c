import Hummingbird
import Logging
import MyceliumCore
import ServiceLifecycle

/// The Prometheus endpoint (spec §6.3): `GET /metrics` on `--metrics-api-address`, started only when that flag is
/// set. A `Service` for the node's `ServiceGroup`.
public struct MetricsHTTPServer: Service, CustomStringConvertible {
    public let administration: any NodeAdministration
    public let listener: HTTPListener

    public init(
        administration: any NodeAdministration,
        address: MyceliumCore.SocketAddress,
        logger: Logger = Logger(label: "mycelium.api"),
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        self.administration = administration
        self.listener = HTTPListener(name: "metrics API", address: address, logger: logger, onListening: onListening)
    }

    public var description: String { self.listener.description }

    /// `GET /metrics` → `text/plain; version=0.0.4`; everything else 404.
    public static func makeRouter(administration: any NodeAdministration) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.get("metrics") { _, _ in
            let text = PrometheusExposition.render(await administration.metrics())
            return Response(
                status: .ok,
                headers: [.contentType: PrometheusExposition.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text))
            )
        }
        return router
    }

    public func run() async throws {
        try await self.listener.run(Self.makeRouter(administration: self.administration).buildResponder())
    }
}
