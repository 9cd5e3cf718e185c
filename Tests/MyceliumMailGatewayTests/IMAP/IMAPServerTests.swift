import Foundation
import Logging
import MyceliumGatewayKit
import NIOCore
import Testing

@testable import MyceliumMailGateway

/// Real clients (Python imaplib, curl) against `IMAPServer` on 127.0.0.1.
@Suite("IMAPServer")
struct IMAPServerTests {
    /// Runs an `IMAPServer` on a free port for the duration of `body`.
    static func withServer(_ body: @Sendable (Int, MailStore) async throws -> Void) async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        let server = IMAPServer(
            store: fixture.store,
            authenticator: IMAPTestAuthenticator(),
            logger: Logger(label: "imap-test") { _ in SwiftLogNoOpLogHandler() }
        )
        let listener = ConnectionListener(
            name: "imap",
            configuration: IMAPServer.listenerConfiguration(host: "127.0.0.1", port: 0),
            logger: Logger(label: "imap-test") { _ in SwiftLogNoOpLogHandler() }
        )
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run(listener: listener) { address in
                    portSink.yield(address.port ?? 0)
                    portSink.finish()
                }
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            defer { group.cancelAll() }
            try await body(port, fixture.store)
        }
    }

    static func has(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    /// Runs a command and returns its exit status and combined output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("imap-run-\(UUID()).out")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try handle.close()
        return (status, (try? String(contentsOf: file, encoding: .utf8)) ?? "")
    }

    static let imaplibScript = #"""
        import imaplib, sys, threading, time
        port = int(sys.argv[1])
        m = imaplib.IMAP4("127.0.0.1", port)
        assert "IDLE" in m.capabilities and "MOVE" in m.capabilities, m.capabilities
        typ, _ = m.login("test", "test"); assert typ == "OK"
        typ, data = m.list(); assert typ == "OK"; print("LIST", data)
        assert any(b'"/" Sent' in d for d in data), data
        msg = b"From: a@example.org\r\nSubject: hello\r\n\r\nbody line\r\n"
        typ, data = m.append("INBOX", "(\\Seen)", None, msg); assert typ == "OK", data
        print("APPEND", data); assert b"APPENDUID" in data[0], data
        m.create("Projects")
        typ, data = m.select("INBOX"); assert typ == "OK" and data[0] == b"1", data
        typ, data = m.uid("SEARCH", None, "ALL"); assert data[0] == b"1", data
        typ, data = m.uid("FETCH", "1", "(BODY.PEEK[])"); assert data[0][1] == msg, data
        typ, data = m.uid("STORE", "1", "+FLAGS", "(\\Flagged)"); assert b"\\Flagged" in data[0], data
        typ, data = m.uid("MOVE", "1", "Projects"); assert typ == "OK", data
        typ, data = m.select("Projects"); assert data[0] == b"1", data
        m.store("1", "+FLAGS", "(\\Deleted)")
        typ, data = m.expunge(); assert data[0] == b"1", data
        # IDLE in INBOX while a second connection appends.
        m.select("INBOX")
        tag = m._new_tag()
        m.send(tag + b" IDLE\r\n")
        assert m.readline().startswith(b"+"), "no continuation"
        def deliver():
            time.sleep(0.3)
            o = imaplib.IMAP4("127.0.0.1", port); o.login("test", "test")
            o.append("INBOX", None, None, b"Subject: pushed\r\n\r\nx\r\n"); o.logout()
        threading.Thread(target=deliver).start()
        line = m.readline(); print("IDLE", line)
        assert line == b"* 1 EXISTS\r\n", line
        m.send(b"DONE\r\n")
        line = m.readline(); assert line.startswith(tag + b" OK"), line
        m.logout()
        print("imaplib ok")
        """#

    @Test(.enabled(if: IMAPServerTests.has("python3"), "python3 is not installed"))
    func pythonImaplib() async throws {
        try await Self.withServer { port, _ in
            let result = try await Self.run(["python3", "-c", Self.imaplibScript, String(port)])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("imaplib ok"), "\(result.output)")
        }
    }

    @Test(.enabled(if: IMAPServerTests.has("curl"), "curl is not installed"))
    func curl() async throws {
        try await Self.withServer { port, store in
            try await store.prepareUser("test")
            let message = Array("Subject: via curl\r\n\r\nhello curl\r\n".utf8)
            _ = try await store.append(
                user: "test",
                mailbox: "INBOX",
                message: message,
                flags: MessageFlags(),
                internalDate: 0
            )
            let search = try await Self.run([
                "curl", "-sS", "--max-time", "20", "imap://127.0.0.1:\(port)/INBOX", "-u", "test:test", "-X",
                "UID SEARCH ALL",
            ])
            #expect(search.status == 0, "\(search.output)")
            #expect(search.output.contains("* SEARCH 1"), "\(search.output)")
            let fetch = try await Self.run([
                "curl", "-sS", "--max-time", "20", "imap://127.0.0.1:\(port)/INBOX;UID=1", "-u", "test:test",
            ])
            #expect(fetch.status == 0, "\(fetch.output)")
            #expect(fetch.output == "Subject: via curl\r\n\r\nhello curl\r\n", "\(fetch.output)")
            let wrong = try await Self.run([
                "curl", "-sS", "--max-time", "20", "imap://127.0.0.1:\(port)/INBOX", "-u", "test:bad",
            ])
            #expect(wrong.status != 0)
        }
    }
}
