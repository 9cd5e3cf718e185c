import Logging
import MyceliumGatewayKit
import NIOCore

/// The SMTP submission server (RFC 6409): a thin driver that runs one ``SMTPSession`` per connection.
///
/// It frames input into lines, feeds them to the session in order, executes the session's actions — awaiting the
/// ``MailAuthenticator`` and the ``MailSubmission`` — and writes the replies. RFC 2920 §3.1 (PIPELINING): replies are
/// collected while complete lines remain in the input and written in one go when the input is drained.
public struct SMTPServer: Sendable {
    /// The server's settings: the host name for greetings, the maximum message size and recipient count.
    public typealias Configuration = SMTPSession.Configuration

    /// Replies are written early once this many bytes are waiting, so a long pipelined batch needs no more memory.
    public static let maximumPendingOutput = 64 * 1024

    /// What a ``ConnectionListener`` for this server should write to a connection over its limit (RFC 5321 §3.8:
    /// 421 closes the channel).
    public static let overloadReply = Array("421 4.7.0 Too many connections, try again later\r\n".utf8)

    /// RFC 5321 §4.5.3.2.7: a server waits at least 5 minutes for the next command; the listener's idle timeout
    /// enforces it.
    public static let idleTimeout: Duration = .seconds(5 * 60)

    /// The listener settings for SMTP: the idle timeout, and a `421` (RFC 5321 §3.8) for idle connections and those
    /// over the limit.
    public func listenerConfiguration(host: String, port: Int, maximumConnections: Int = 256)
        -> ConnectionListener.Configuration
    {
        ConnectionListener.Configuration(
            host: host,
            port: port,
            maximumConnections: maximumConnections,
            idleTimeout: Self.idleTimeout,
            idleReply: Array("421 4.4.2 \(self.configuration.hostName) Timeout, closing connection\r\n".utf8),
            overloadReply: Self.overloadReply
        )
    }

    public let configuration: Configuration
    private let authenticator: any MailAuthenticator
    private let submission: any MailSubmission
    private let logger: Logger

    public init(
        configuration: Configuration, authenticator: any MailAuthenticator, submission: any MailSubmission,
        logger: Logger
    ) {
        self.configuration = configuration
        self.authenticator = authenticator
        self.submission = submission
        self.logger = logger
    }

    /// Serves connections from `listener` until it stops (graceful shutdown cancels it).
    public func run(listener: ConnectionListener, onBound: @Sendable (SocketAddress) -> Void = { _ in }) async throws {
        try await listener.run(onBound: onBound) { connection in
            try await self.serve(connection)
        }
    }

    /// Serves one connection until QUIT, too many errors, or the client going away.
    public func serve(_ connection: GatewayConnection) async throws {
        let outbound = connection.outbound
        try await self.serve(
            inbound: connection.inbound, client: connection.remoteAddress, allocator: connection.allocator
        ) { buffer in
            try await outbound.write(buffer)
        }
    }

    /// Serves one session over any byte stream: `inbound` yields what the client sent, `write` sends to it.
    public func serve<Inbound: AsyncSequence>(
        inbound: Inbound,
        client: SocketAddress?,
        allocator: ByteBufferAllocator = ByteBufferAllocator(),
        write: (ByteBuffer) async throws -> Void
    ) async throws where Inbound.Element == ByteBuffer {
        var logger = self.logger
        logger[metadataKey: "client"] = .string(client.map { "\($0)" } ?? "unknown")
        var connection = Connection(
            session: SMTPSession(configuration: self.configuration), output: allocator.buffer(capacity: 512),
            client: client, logger: logger)

        let greeting = connection.session.start()
        try await self.execute(greeting, on: &connection, write: write)
        try await connection.flush(write)

        var input = allocator.buffer(capacity: 1024)
        for try await var chunk in inbound {
            input.writeBuffer(&chunk)
            while !connection.isClosed,
                let line = input.readSMTPLine(maximumLength: SMTPSession.maximumCommandLineLength)
            {
                let actions = connection.session.receive(.line(line))
                try await self.execute(actions, on: &connection, write: write)
            }
            input.discardReadBytes()
            try await connection.flush(write)
            if connection.isClosed { return }
        }
        logger.debug("SMTP client went away")
    }

    /// Executes actions in order; answers from the authenticator and the submission go back into the session,
    /// whose new actions run next.
    private func execute(
        _ actions: [SMTPSession.Action], on connection: inout Connection, write: (ByteBuffer) async throws -> Void
    ) async throws {
        var pending = actions[...]
        while let action = pending.popFirst() {
            var next: [SMTPSession.Action] = []
            switch action {
            case .send(let reply):
                reply.write(into: &connection.output)
                if connection.output.readableBytes >= Self.maximumPendingOutput { try await connection.flush(write) }
            case .authenticate(let user, let password):
                let account = await self.authenticator.authenticate(
                    user: user, password: password, client: connection.client)
                if account == nil {
                    connection.logger.notice("SMTP authentication failed", metadata: ["user": "\(user)"])
                } else {
                    connection.logger.debug("SMTP authenticated", metadata: ["user": "\(user)"])
                }
                next = connection.session.receive(.authenticated(account))
            case .checkRecipient(let recipient, let user):
                let rejection = await self.submission.check(recipient: recipient, from: user)
                next = connection.session.receive(.recipientChecked(rejection))
            case .submit(let mail):
                var rejection: MailRejection?
                do throws(MailRejection) {
                    try await self.submission.submit(mail)
                    connection.logger.info(
                        "SMTP message submitted",
                        metadata: [
                            "user": "\(mail.user)", "size": "\(mail.content.count)",
                            "recipients": "\(mail.recipients.count)",
                        ])
                } catch {
                    rejection = error
                    connection.logger.notice(
                        "SMTP submission refused", metadata: ["user": "\(mail.user)", "reply": "\(error.code)"])
                }
                next = connection.session.receive(.submitted(rejection))
            case .close:
                connection.isClosed = true
            }
            if !next.isEmpty { pending = next[...] + pending }
        }
    }

    /// One connection's mutable state in the driver.
    private struct Connection {
        var session: SMTPSession
        var output: ByteBuffer
        var client: SocketAddress?
        var logger: Logger
        var isClosed = false

        mutating func flush(_ write: (ByteBuffer) async throws -> Void) async throws {
            guard self.output.readableBytes > 0 else { return }
            let buffer = self.output
            self.output.clear()
            try await write(buffer)
        }
    }
}
