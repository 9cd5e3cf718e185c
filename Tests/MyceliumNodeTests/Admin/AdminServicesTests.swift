import Logging
import MyceliumCore
import MyceliumNode
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@Suite("Admin servers as services")
struct AdminServicesTests {
    /// Starts the three servers on ephemeral ports in one `ServiceGroup`, checks that each accepts connections, then
    /// shuts the group down gracefully: `run()` must return without an error.
    @Test("HTTP API, JSON-RPC and metrics servers run in a ServiceGroup and stop on graceful shutdown")
    func gracefulShutdown() async throws {
        let administration = try FixedNodeAdministration()
        let address = MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let report: @Sendable (Int) async -> Void = { continuation.yield($0) }
        let group = ServiceGroup(
            services: [
                AdminHTTPServer(administration: administration, address: address, logger: logger, onListening: report),
                JSONRPCServer(administration: administration, address: address, logger: logger, onListening: report),
                MetricsHTTPServer(administration: administration, address: address, logger: logger, onListening: report),
            ],
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: [Int] = []
            for await port in ports {
                bound.append(port)
                if bound.count == 3 { break }
            }
            #expect(Set(bound).count == 3)
            for port in bound {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                try await channel.close()
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// `ServiceLifecycle` logs each service by its description; it names the server and its address.
    @Test("each server describes itself by name and address")
    func descriptions() throws {
        let administration = try FixedNodeAdministration()
        let address = MyceliumCore.SocketAddress(host: "127.0.0.1", port: 8989)
        let ipv6 = MyceliumCore.SocketAddress(host: "::1", port: 9090)
        let api = AdminHTTPServer(administration: administration, address: address)
        #expect(api.description == "HTTP API on 127.0.0.1:8989")
        let rpc = JSONRPCServer(administration: administration, address: address)
        #expect(rpc.description == "JSON-RPC API on 127.0.0.1:8989")
        let metrics = MetricsHTTPServer(administration: administration, address: ipv6)
        #expect(metrics.description == "metrics API on [::1]:9090")
    }
}

@Suite("Admin servers on a taken port")
struct AdminServicesBindTests {
    /// Upstream logs "API disabled" and keeps the node running when the API address is taken; so do we: the
    /// second server must neither end its service group nor throw, until the group shuts down.
    @Test("a server whose address is taken idles until graceful shutdown instead of failing the node")
    func takenPort() async throws {
        let administration = try FixedNodeAdministration()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let first = AdminHTTPServer(
            administration: administration, address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0),
            logger: logger, onListening: { continuation.yield($0) }
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await first.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let second = AdminHTTPServer(
                administration: administration,
                address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: UInt16(port)),
                logger: logger
            )
            let group = ServiceGroup(services: [second], logger: logger)
            let shutdown = ShutdownFlag()
            let (finished, finish) = AsyncStream.makeStream(of: Bool.self)
            tasks.addTask {
                // Reports instead of throwing, so that a failing server fails the expectation below, never hangs it.
                do {
                    try await group.run()
                    finish.yield(await shutdown.triggered)
                } catch {
                    finish.yield(false)
                }
                finish.finish()
            }
            try await Task.sleep(for: .milliseconds(300))
            await shutdown.trigger()
            await group.triggerGracefulShutdown()
            var done = finished.makeAsyncIterator()
            // The group ended, and only after the shutdown was triggered.
            #expect(await done.next() == true)
            tasks.cancelAll()
        }
    }
}

private actor ShutdownFlag {
    var triggered = false

    func trigger() { self.triggered = true }
}
