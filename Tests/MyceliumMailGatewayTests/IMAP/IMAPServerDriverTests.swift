import Logging
import NIOCore
import Synchronization
import Testing

@testable import MyceliumMailGateway

/// `IMAPServer.serve(inbound:…)` over an in-memory byte stream: batching, pipelining, literals, shutdown.
@Suite("IMAPServerDriver")
struct IMAPServerDriverTests {
    final class Output: Sendable {
        let chunks = Mutex<[String]>([])
        var text: String { self.chunks.withLock { $0.joined() } }
        var count: Int { self.chunks.withLock { $0.count } }
        func append(_ buffer: ByteBuffer) { self.chunks.withLock { $0.append(String(buffer: buffer)) } }
    }

    /// Waits (polling, bounded) until `output` contains `text`.
    func waitFor(_ text: String, in output: Output) async throws {
        for _ in 0..<500 where !output.text.contains(text) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(output.text.contains(text), "waiting for \(text) in \(output.text)")
    }

    @Test func pipelinedCommandsLiteralsAndShutdownBye() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        let server = IMAPServer(
            store: fixture.store,
            authenticator: IMAPTestAuthenticator(),
            logger: Logger(label: "imap-test") { _ in SwiftLogNoOpLogHandler() }
        )
        let (inbound, client) = AsyncStream<ByteBuffer>.makeStream()
        let output = Output()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await server.serve(inbound: inbound, remoteAddress: nil, allocator: ByteBufferAllocator()) { bytes in
                    output.append(bytes)
                }
            }
            try await self.waitFor("Mycelium IMAP gateway ready\r\n", in: output)
            // Two commands in one packet, each answered.
            client.yield(ByteBuffer(string: "a LOGIN test test\r\nb SELECT INBOX\r\n"))
            try await self.waitFor("b OK [READ-WRITE] SELECT completed\r\n", in: output)
            // A synchronising literal split over packets gets its continuation.
            client.yield(ByteBuffer(string: "c APPEND INBOX {7}\r\n"))
            try await self.waitFor("+ Ready for literal data\r\n", in: output)
            client.yield(ByteBuffer(string: "Subj"))
            client.yield(ByteBuffer(string: "ect\r\n"))
            try await self.waitFor(" 1] APPEND completed\r\n", in: output)
            #expect(output.text.contains("* 1 EXISTS\r\nc OK [APPENDUID "))
            // IDLE then DONE.
            client.yield(ByteBuffer(string: "d IDLE\r\n"))
            try await self.waitFor("+ idling\r\n", in: output)
            _ = try await fixture.store.append(
                user: "test",
                mailbox: "INBOX",
                message: Array("Subject: x\r\n\r\n".utf8),
                flags: MessageFlags(),
                internalDate: 0
            )
            try await self.waitFor("* 2 EXISTS\r\n", in: output)
            client.yield(ByteBuffer(string: "DONE\r\n"))
            try await self.waitFor("d OK IDLE terminated\r\n", in: output)
            group.cancelAll()
        }
        #expect(output.text.hasSuffix("* BYE Server shutting down\r\n"))
    }

    @Test func logoutEndsTheConnection() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        let server = IMAPServer(
            store: fixture.store,
            authenticator: IMAPTestAuthenticator(),
            logger: Logger(label: "imap-test") { _ in SwiftLogNoOpLogHandler() }
        )
        let (inbound, client) = AsyncStream<ByteBuffer>.makeStream()
        let output = Output()
        client.yield(ByteBuffer(string: "a CAPABILITY\r\nb LOGOUT\r\nc NOOP\r\n"))
        await server.serve(inbound: inbound, remoteAddress: nil, allocator: ByteBufferAllocator()) { bytes in
            output.append(bytes)
        }
        #expect(output.text.hasSuffix("* BYE Logging out\r\nb OK LOGOUT completed\r\n"))
        #expect(!output.text.contains("c OK"))
    }
}
