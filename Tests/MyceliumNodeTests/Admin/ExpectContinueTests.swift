import Logging
import MyceliumCore
import MyceliumGatewayKit
import MyceliumNode
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@Suite("HTTP API: Expect: 100-continue")
struct ExpectContinueTests {
    /// curl sends `Expect: 100-continue` for bodies over 1 MiB and waits a second for the interim answer; the server
    /// gives it at once and then answers the request as usual.
    @Test(
        "a request with Expect: 100-continue gets 100 Continue before its body is sent, then its answer",
        .timeLimit(.minutes(1))
    )
    func interimAnswer() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = AdminHTTPServer(
            administration: try FixedNodeAdministration(), messages: InMemoryMessageBus(),
            address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0), logger: logger,
            onListening: { continuation.yield($0) }
        )
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let body = #"{"dst":{"pk":"\#(String(repeating: "ab", count: 32))"},"payload":"aGk="}"#
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string:
                    "POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n"
                ))
                var received = ""
                var iterator = inbound.makeAsyncIterator()
                while !received.contains("\r\n\r\n"), let chunk = try await iterator.next() {
                    received += String(buffer: chunk)
                }
                #expect(received.hasPrefix("HTTP/1.1 100 Continue\r\n"), "interim answer: \(received)")
                try await outbound.write(ByteBuffer(string: body))
                while !received.contains("201 Created"), let chunk = try await iterator.next() {
                    received += String(buffer: chunk)
                }
                #expect(received.contains("HTTP/1.1 201 Created"))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
