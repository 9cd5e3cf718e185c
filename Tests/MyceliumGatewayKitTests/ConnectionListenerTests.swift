import Logging
import MyceliumGatewayKit
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

/// The test gave up waiting.
private struct TimedOut: Error {}

/// Runs `body`, failing with `TimedOut` after `limit`.
@discardableResult
private func withTimeout<T: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut() }
        return value
    }
}

/// A TCP client on 127.0.0.1, inside ``withClient(port:_:)``.
private final class TestClient {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.iterator = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Connects to 127.0.0.1:`port`, runs `body` with the client, then closes the connection.
    static func withClient<T: Sendable>(port: Int, _ body: (TestClient) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(TestClient(inbound: inbound, outbound: outbound))
        }
    }

    /// Sends `text`, then reads until `expected` bytes arrived or the server closed; returns what arrived and
    /// whether the server closed.
    func exchange(send text: String = "", expecting expected: Int = .max) async throws -> (text: String, closed: Bool) {
        if !text.isEmpty { try await self.outbound.write(ByteBuffer(string: text)) }
        var received: [UInt8] = []
        while received.count < expected {
            let chunk: ByteBuffer?
            do {
                chunk = try await self.iterator.next()
            } catch {
                return (String(decoding: received, as: UTF8.self), true)
            }
            guard let chunk else { return (String(decoding: received, as: UTF8.self), true) }
            received += chunk.readableBytesView
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}

/// Reads lines and echoes each chunk back; throws on "boom".
@Sendable private func echo(_ connection: GatewayConnection) async throws {
    for try await chunk in connection.inbound {
        if String(buffer: chunk).hasPrefix("boom") { throw TimedOut() }
        try await connection.outbound.write(chunk)
    }
}

/// A listener run as a swift-service-lifecycle service.
private struct ListenerService: Service {
    let listener: ConnectionListener
    let handle: @Sendable (GatewayConnection) async throws -> Void
    let bound: AsyncStream<SocketAddress>.Continuation

    func run() async throws {
        try await self.listener.run(onBound: { self.bound.yield($0) }, handle: self.handle)
    }
}

@Suite("Connection listener")
struct ConnectionListenerTests {
    static let logger = Logger(label: "test.listener")

    /// Runs a listener on 127.0.0.1, port 0, calls `body` with its port, then cancels the listener and returns how
    /// long `run` took to return after the cancellation.
    @discardableResult
    private static func withListener(
        maximumConnections: Int = 16,
        idleTimeout: Duration = .seconds(60),
        idleReply: String = "",
        overloadReply: String = "",
        handle: @escaping @Sendable (GatewayConnection) async throws -> Void,
        _ body: (Int) async throws -> Void
    ) async throws -> Duration {
        let configuration = ConnectionListener.Configuration(
            host: "127.0.0.1", port: 0, maximumConnections: maximumConnections, idleTimeout: idleTimeout,
            idleReply: Array(idleReply.utf8), overloadReply: Array(overloadReply.utf8))
        let listener = ConnectionListener(name: "test", configuration: configuration, logger: Self.logger)
        let (bound, continuation) = AsyncStream<SocketAddress>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await listener.run(onBound: { continuation.yield($0) }, handle: handle) }
            var addresses = bound.makeAsyncIterator()
            let port = try #require(await addresses.next()?.port)
            #expect(port != 0)
            try await body(port)
            let clock = ContinuousClock()
            let cancelled = clock.now
            group.cancelAll()
            try await group.waitForAll()
            return clock.now - cancelled
        }
    }

    @Test("an echo handler answers on a real socket")
    func echoes() async throws {
        try await withTimeout(.seconds(20)) {
            try await Self.withListener(handle: echo) { port in
                try await TestClient.withClient(port: port) { client in
                    let reply = try await client.exchange(send: "hello\r\n", expecting: 7)
                    #expect(reply.text == "hello\r\n" && !reply.closed)
                }
            }
        }
    }

    @Test("over the connection limit, a client gets the overload reply and is closed")
    func limit() async throws {
        let greeting: @Sendable (GatewayConnection) async throws -> Void = { connection in
            try await connection.outbound.write(ByteBuffer(string: "hi\n"))
            try await echo(connection)
        }
        try await withTimeout(.seconds(20)) {
            try await Self.withListener(maximumConnections: 2, overloadReply: "* BYE Too many\r\n", handle: greeting) {
                port in
                try await TestClient.withClient(port: port) { second in
                    try await TestClient.withClient(port: port) { first in
                        #expect(try await first.exchange(expecting: 3).text == "hi\n")
                        #expect(try await second.exchange(expecting: 3).text == "hi\n")
                        try await TestClient.withClient(port: port) { third in
                            let refused = try await third.exchange()
                            #expect(refused.text == "* BYE Too many\r\n" && refused.closed)
                        }
                        #expect(try await first.exchange(send: "still\n", expecting: 6).text == "still\n")
                    }
                    // The first client left: a new one is served again (once the server has seen the close).
                    var served = false
                    while !served {
                        served = try await TestClient.withClient(port: port) { client in
                            try await client.exchange(expecting: 3).text == "hi\n"
                        }
                        if !served { try await Task.sleep(for: .milliseconds(20)) }
                    }
                }
            }
        }
    }

    /// Reading restarts the idle timer; a connection then silent for the timeout is closed. (A second is long enough
    /// that a loaded machine cannot delay the first read past it.)
    @Test("a connection that sends nothing for the idle timeout is closed")
    func idleTimeout() async throws {
        try await withTimeout(.seconds(20)) {
            try await Self.withListener(idleTimeout: .seconds(1), handle: echo) { port in
                try await TestClient.withClient(port: port) { client in
                    // Timed from before the send: the server reads "x" (restarting its timer) after it.
                    let clock = ContinuousClock()
                    let start = clock.now
                    let echoed = try await client.exchange(send: "x", expecting: 1)
                    #expect(echoed.text == "x" && !echoed.closed)
                    let result = try await client.exchange()
                    #expect(result.text.isEmpty && result.closed)
                    #expect(clock.now - start >= .milliseconds(900))
                }
            }
        }
    }

    @Test("an idle connection gets the idle reply before it is closed")
    func idleReply() async throws {
        try await withTimeout(.seconds(20)) {
            try await Self.withListener(idleTimeout: .milliseconds(300), idleReply: "* BYE Autologout\r\n", handle: echo)
            { port in
                // Timed from before the connection: the server's timer starts after it accepts.
                let clock = ContinuousClock()
                let start = clock.now
                try await TestClient.withClient(port: port) { client in
                    let result = try await client.exchange()
                    #expect(result.text == "* BYE Autologout\r\n" && result.closed)
                    #expect(clock.now - start >= .milliseconds(250))
                }
            }
        }
    }

    @Test("a handler that throws closes only its own connection")
    func throwingHandler() async throws {
        try await withTimeout(.seconds(20)) {
            try await Self.withListener(handle: echo) { port in
                try await TestClient.withClient(port: port) { healthy in
                    #expect(try await healthy.exchange(send: "one\n", expecting: 4).text == "one\n")
                    try await TestClient.withClient(port: port) { failing in
                        let failed = try await failing.exchange(send: "boom\n")
                        #expect(failed.closed && failed.text.isEmpty)
                    }
                    #expect(try await healthy.exchange(send: "two\n", expecting: 4).text == "two\n")
                }
            }
        }
    }

    @Test("cancelling run stops accepting, closes open connections and returns promptly")
    func cancellation() async throws {
        let listener = ConnectionListener(
            name: "test", configuration: .init(host: "127.0.0.1", port: 0), logger: Self.logger)
        // The handler ignores the end of its input: only closing and cancellation can end it.
        let stubborn: @Sendable (GatewayConnection) async throws -> Void = { connection in
            try await echo(connection)
            try await Task.sleep(for: .seconds(3600))
        }
        try await withTimeout(.seconds(20)) {
            let (bound, continuation) = AsyncStream<SocketAddress>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run(onBound: { continuation.yield($0) }, handle: stubborn) }
                var addresses = bound.makeAsyncIterator()
                let port = try #require(await addresses.next()?.port)
                try await TestClient.withClient(port: port) { client in
                    #expect(try await client.exchange(send: "a\n", expecting: 2).text == "a\n")
                    let clock = ContinuousClock()
                    let cancelled = clock.now
                    group.cancelAll()
                    try await group.waitForAll()
                    #expect(clock.now - cancelled < .seconds(2))
                    #expect(try await client.exchange().closed)
                }
                // Nothing listens any more.
                await #expect(throws: (any Error).self) {
                    try await TestClient.withClient(port: port) { _ in }
                }
            }
        }
    }

    @Test("on graceful shutdown a handler may still write a goodbye; then the listener's service returns")
    func gracefulShutdown() async throws {
        let listener = ConnectionListener(
            name: "test", configuration: .init(host: "127.0.0.1", port: 0), logger: Self.logger)
        let polite: @Sendable (GatewayConnection) async throws -> Void = { connection in
            do { try await cancelWhenGracefulShutdown { try await echo(connection) } } catch {}
            try await connection.outbound.write(ByteBuffer(string: "bye\n"))
        }
        try await withTimeout(.seconds(20)) {
            let (bound, continuation) = AsyncStream<SocketAddress>.makeStream()
            let service = ListenerService(listener: listener, handle: polite, bound: continuation)
            let serviceGroup = ServiceGroup(services: [service], logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await serviceGroup.run() }
                var addresses = bound.makeAsyncIterator()
                let port = try #require(await addresses.next()?.port)
                try await TestClient.withClient(port: port) { client in
                    #expect(try await client.exchange(send: "a\n", expecting: 2).text == "a\n")
                    await serviceGroup.triggerGracefulShutdown()
                    let rest = try await client.exchange()
                    #expect(rest.text == "bye\n" && rest.closed)
                    try await group.waitForAll()
                }
                await #expect(throws: (any Error).self) {
                    try await TestClient.withClient(port: port) { _ in }
                }
            }
        }
    }

    @Test("on graceful shutdown, connections whose handlers do not return are closed after the grace period")
    func gracePeriod() async throws {
        let configuration = ConnectionListener.Configuration(
            host: "127.0.0.1", port: 0, shutdownGracePeriod: .milliseconds(200))
        let listener = ConnectionListener(name: "test", configuration: configuration, logger: Self.logger)
        try await withTimeout(.seconds(20)) {
            let (bound, continuation) = AsyncStream<SocketAddress>.makeStream()
            let service = ListenerService(listener: listener, handle: echo, bound: continuation)
            let serviceGroup = ServiceGroup(services: [service], logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await serviceGroup.run() }
                var addresses = bound.makeAsyncIterator()
                let port = try #require(await addresses.next()?.port)
                try await TestClient.withClient(port: port) { client in
                    #expect(try await client.exchange(send: "a\n", expecting: 2).text == "a\n")
                    let clock = ContinuousClock()
                    let start = clock.now
                    await serviceGroup.triggerGracefulShutdown()
                    #expect(try await client.exchange().closed)
                    #expect(clock.now - start >= .milliseconds(150))
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test("a port in use is a thrown error")
    func bindFailure() async throws {
        try await withTimeout(.seconds(20)) {
            try await Self.withListener(handle: echo) { port in
                let configuration = ConnectionListener.Configuration(host: "127.0.0.1", port: port)
                let second = ConnectionListener(name: "second", configuration: configuration, logger: Self.logger)
                await #expect(throws: (any Error).self) { try await second.run(handle: echo) }
            }
        }
    }
}
