import Foundation
import NIOCore

@testable import MyceliumMailGateway

/// Accepts `test`/`test` (and `other`/`other`).
struct IMAPTestAuthenticator: MailAuthenticator {
    func authenticate(user: String, password: [UInt8], client: SocketAddress?) async -> String? {
        if user == "test", password == Array("test".utf8) { return "test" }
        if user == "other", password == Array("other".utf8) { return "other" }
        return nil
    }
}

/// A fresh store in a temporary directory, removed by `remove()`.
struct IMAPTestStore {
    let directory: String
    let store: MailStore

    init(maximumMessageSize: Int = 1 << 20) throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("imap-test-\(UUID())").path
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        self.store = try MailStore(directory: self.directory, maximumMessageSize: maximumMessageSize)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.directory)
    }
}

/// Drives an `IMAPSession` the way `IMAPServer` does, collecting the response text.
struct IMAPSessionHarness {
    var session: IMAPSession
    var framer: IMAPFramer
    var expectation = IMAPSession.Expectation.command
    let output = OutputBox()

    final class OutputBox: @unchecked Sendable {
        var text = ""
    }

    init(store: MailStore) {
        self.session = IMAPSession(store: store, authenticator: IMAPTestAuthenticator(), client: nil)
        self.framer = IMAPFramer(maximumAppendLiteralSize: store.maximumMessageSize)
    }

    func writer() -> IMAPResponseWriter {
        let output = self.output
        return IMAPResponseWriter { bytes in output.text += String(buffer: bytes) }
    }

    mutating func greeting() async throws -> String {
        var writer = self.writer()
        self.session.greeting(into: &writer)
        try await writer.flush()
        return self.take()
    }

    mutating func take() -> String {
        defer { self.output.text = "" }
        return self.output.text
    }

    /// Sends `text` and returns everything the server wrote in reply.
    mutating func send(_ text: String, now: Int64 = 1_700_000_000) async throws -> String {
        var writer = self.writer()
        self.framer.append(ByteBuffer(string: text))
        loop: while true {
            switch self.expectation {
            case .close:
                break loop
            case .line:
                guard let line = try self.framer.nextLine() else { break loop }
                self.expectation = try await self.session.receive(line: line, writer: &writer)
            case .command:
                guard let frame = self.framer.next() else { break loop }
                switch frame {
                case .continuationRequest:
                    writer.continuation("Ready for literal data")
                case .error(let error):
                    self.expectation = self.session.receive(error, writer: &writer)
                case .command(let bytes):
                    do {
                        let command = try IMAPParser.parseCommand(bytes)
                        self.expectation = try await self.session.receive(command, now: now, writer: &writer)
                    } catch let error as IMAPParseError {
                        self.expectation = self.session.receive(error, writer: &writer)
                    }
                }
            }
        }
        try await writer.flush()
        return self.take()
    }

    /// Pushes a change notification as the driver does.
    mutating func changed(_ ids: Set<Int64>) async throws -> String {
        var writer = self.writer()
        try await self.session.mailboxesChanged(ids, writer: &writer)
        try await writer.flush()
        return self.take()
    }

    /// Logs in as `test`.
    mutating func login(_ user: String = "test") async throws {
        _ = try await self.send("l LOGIN \(user) \(user)\r\n")
    }
}

/// A small test message.
func imapTestMessage(subject: String, from: String = "alice@example.org", body: String = "Hello there") -> String {
    "From: \(from)\r\nTo: test@gw.local\r\nSubject: \(subject)\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
        + "Message-ID: <\(subject.hashValue)@example.org>\r\n\r\n\(body)\r\n"
}
