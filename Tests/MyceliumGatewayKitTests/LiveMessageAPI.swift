import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import MyceliumNode

/// Node data for the API server's admin routes; the message tests never use them.
struct IdleAdministration: NodeAdministration {
    let info: NodeInfo

    init(publicKey: X25519.PublicKey) {
        self.info = NodeInfo(
            subnet: publicKey.nodeSubnet, address: publicKey.overlayAddress, publicKey: publicKey,
            startTime: 1_716_100_000
        )
    }

    func peers() async -> [PeerStatus] { [] }
    func addPeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError) { throw .notFound(endpoint) }
    func removePeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError) { throw .notFound(endpoint) }
    func selectedRoutes() async -> [RouteStatus] { [] }
    func fallbackRoutes() async -> [RouteStatus] { [] }
    func queriedSubnets() async -> [QueriedSubnetStatus] { [] }
    func publicKey(for address: IPv6Address) async -> X25519.PublicKey? { nil }
    func metrics() async -> [MetricSample] { [] }
}

/// Runs the real `AdminHTTPServer` on 127.0.0.1 (an ephemeral port) answering from `bus`, and hands `body` an
/// `HTTPMessageBus` talking to it; the server stops when `body` returns.
func withLiveMessageAPI<Result: Sendable>(
    _ bus: InMemoryMessageBus,
    clientMaximumMessageSize: Int = HTTPMessageBus.defaultMaximumMessageSize,
    _ body: @escaping @Sendable (HTTPMessageBus) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "test.api")
    logger.logLevel = .critical
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = AdminHTTPServer(
        administration: IdleAdministration(publicKey: bus.publicKey), messages: bus,
        address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0), logger: logger,
        onListening: { continuation.yield($0) }
    )
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask {
            try await server.run()
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let client = HTTPMessageBus(baseURL: "http://127.0.0.1:\(port)/", maximumMessageSize: clientMaximumMessageSize)
        group.addTask { try await body(client) }
        while let result = try await group.next() {
            if let result {
                group.cancelAll()
                return result
            }
        }
        throw CancellationError()
    }
}
