import Hummingbird
import Logging
import MyceliumCore
import NIOCore
import ServiceLifecycle
import Synchronization

/// Runs a Hummingbird responder on one TCP address until the surrounding service group shuts down gracefully or the
/// task is cancelled; shared by the admin, JSON-RPC and metrics servers.
///
/// A server that cannot bind its address does not take the node down: like upstream's HTTP API ("Failed to bind
/// listener for Http Api server" / "API disabled"), it logs the error and idles until shutdown. (Upstream's JSON-RPC
/// server panics instead; we treat all three alike.)
enum HTTPListener {
    static func run<Responder: HTTPResponder>(
        _ responder: Responder,
        address: MyceliumCore.SocketAddress,
        name: String,
        logger: Logger,
        onListening: (@Sendable (Int) async -> Void)?
    ) async throws where Responder.Context == BasicRequestContext {
        let listening = ListeningFlag()
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: Int(address.port)),
                serverName: nil
            ),
            onServerRunning: { channel in
                listening.set()
                let port = channel.localAddress?.port ?? Int(address.port)
                logger.info("\(name) listening", metadata: ["address": "\(address.host):\(port)"])
                await onListening?(port)
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch where !listening.isSet && !Task.isCancelled {
            logger.error(
                "failed to bind the \(name) listener, \(name) disabled",
                metadata: ["address": "\(address)", "error": "\(error)"]
            )
            try await gracefulShutdown()
        }
    }
}

/// Whether the server got as far as listening; set from the server's `onServerRunning` callback.
private final class ListeningFlag: Sendable {
    private let state = Mutex(false)

    func set() { self.state.withLock { $0 = true } }

    var isSet: Bool { self.state.withLock { $0 } }
}
