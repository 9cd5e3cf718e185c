import Hummingbird
import HummingbirdCore
import Logging
import MyceliumCore
import NIOCore
import ServiceLifecycle
import Synchronization

/// Where and under which name one of the admin servers (HTTP API, JSON-RPC, metrics) listens, and how it runs: a
/// Hummingbird responder on one TCP address until the surrounding service group shuts down gracefully or the task is
/// cancelled. Each server holds one and states only its responder.
///
/// A server that cannot bind its address does not take the node down: like upstream's HTTP API ("Failed to bind
/// listener for Http Api server" / "API disabled"), it logs the error and idles until shutdown. (Upstream's JSON-RPC
/// server panics instead; we treat all three alike.)
public struct HTTPListener: Sendable, CustomStringConvertible {
    /// The server's name in logs, e.g. `HTTP API`.
    public let name: String
    public let address: MyceliumCore.SocketAddress
    public let logger: Logger
    let onListening: (@Sendable (Int) async -> Void)?

    /// `HTTP API on 127.0.0.1:8989`; `ServiceLifecycle` logs services by their description.
    public var description: String { "\(self.name) on \(self.address)" }

    func run<Responder: HTTPResponder>(
        _ responder: Responder
    ) async throws where Responder.Context == BasicRequestContext {
        let (name, address, logger, onListening) = (self.name, self.address, self.logger, self.onListening)
        let listening = ListeningFlag()
        let application = Application(
            responder: responder,
            server: .http1(configuration: HTTP1Channel.Configuration(additionalChannelHandlers: [ExpectContinueHandler()])),
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
