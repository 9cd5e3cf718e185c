import Foundation
import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumNode
import NIOCore
import ServiceLifecycle
import Synchronization

/// Two `MessageBusDriver`s whose packets go straight to each other, each with its own store, running as services.
struct BusPair {
    let a: MessageBusDriver
    let b: MessageBusDriver

    /// Passes packets between the two drivers; `isUp` false drops them (the destination is unreachable).
    final class DirectTransport: MessageTransport {
        let peer = Mutex<MessageBusDriver?>(nil)
        let source: NodeIdentity
        let isUp: Bool

        init(source: NodeIdentity, isUp: Bool) {
            self.source = source
            self.isUp = isUp
        }

        func hasRoute(to destination: IPv6Address) -> Bool { self.isUp }

        func sendMessagePacket(_ packet: ByteBuffer, to destination: IPv6Address) -> Bool {
            guard self.isUp, let peer = self.peer.withLock({ $0 }) else { return false }
            peer.receiveMessagePacket(packet, from: self.source.address, key: self.source.publicKey)
            return true
        }
    }

    static func run(
        keys: (X25519.SecretKey, X25519.SecretKey) = (.generate(), .generate()),
        directory: String? = nil,
        linkUp: Bool = true,
        _ body: (BusPair) async throws -> Void
    ) async throws {
        let temporary = directory == nil ? try BusTemporaryDirectory() : nil
        let base = directory ?? temporary?.path ?? "/tmp"
        let identities = (NodeIdentity(secretKey: keys.0), NodeIdentity(secretKey: keys.1))
        let transports = (
            DirectTransport(source: identities.0, isUp: linkUp), DirectTransport(source: identities.1, isUp: linkUp)
        )
        var configuration = MessageBusDriver.Configuration()
        configuration.bus.minimumRetransmitInterval = .milliseconds(20)
        configuration.bus.maximumRetransmitInterval = .milliseconds(200)
        let logger = Logger(label: "test.bus")
        let a = try MessageBusDriver(
            identity: identities.0, configuration: configuration, topicPolicy: TopicPolicy(),
            store: try MessageStore(path: base + "/a/messages.sqlite"), transport: transports.0, logger: logger
        )
        let b = try MessageBusDriver(
            identity: identities.1, configuration: configuration, topicPolicy: TopicPolicy(),
            store: try MessageStore(path: base + "/b/messages.sqlite"), transport: transports.1, logger: logger
        )
        transports.0.peer.withLock { $0 = b }
        transports.1.peer.withLock { $0 = a }
        let group = ServiceGroup(services: [a, b], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(BusPair(a: a, b: b))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        _ = temporary
    }

    /// Polls `condition` every 20 ms for up to `timeout`.
    static func waitUntil(
        timeout: Duration = .seconds(10),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

/// A private temporary directory, removed when released.
final class BusTemporaryDirectory: Sendable {
    let path: String

    init() throws {
        self.path = NSTemporaryDirectory() + "mycelium-bus-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
