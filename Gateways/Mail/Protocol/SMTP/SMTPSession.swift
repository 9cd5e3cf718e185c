/// The SMTP submission server's protocol core (RFC 6409 over RFC 5321, with RFC 4954 AUTH): a pure state machine.
///
/// The driver feeds it framed input lines and the answers to the questions it asks, and executes the actions it
/// returns, in order: send a reply, ask the authenticator, ask whether a recipient is accepted, submit a message,
/// close. It does no I/O and keeps no clock (the idle timeout is the listener's).
///
/// Flow: greeting → EHLO/HELO → AUTH → MAIL → RCPT+ → DATA → content → (back to after EHLO). After an answer action
/// (`authenticate`, `checkRecipient`, `submit`) the driver must deliver the matching event before the next line.
public struct SMTPSession: Sendable {
    /// The longest command line taken (RFC 5321 §4.5.3.1.4 allows 512 octets; real clients stay far below, but some
    /// send long AUTH lines). Longer lines are discarded up to their end and answered `500 5.5.2 Line too long`.
    public static let maximumCommandLineLength = 4096

    /// Settings of one server.
    public struct Configuration: Sendable {
        /// The name in the greeting and the EHLO reply.
        public var hostName: String
        /// The SIZE advertised (RFC 1870): larger messages are refused with `552 5.3.4`.
        public var maximumMessageSize: Int
        /// RCPTs taken per message; more are answered `452 4.5.3` (RFC 5321 §4.5.3.1.10 requires at least 100).
        public var maximumRecipients: Int
        /// Error replies after which the session says `421 4.7.0 Too many errors` and closes.
        public var maximumErrors: Int

        public static let defaultMaximumMessageSize = 25 * 1024 * 1024
        public static let defaultMaximumRecipients = 100
        public static let defaultMaximumErrors = 20

        public init(
            hostName: String,
            maximumMessageSize: Int = Self.defaultMaximumMessageSize,
            maximumRecipients: Int = Self.defaultMaximumRecipients,
            maximumErrors: Int = Self.defaultMaximumErrors
        ) {
            self.hostName = hostName
            self.maximumMessageSize = max(0, maximumMessageSize)
            self.maximumRecipients = max(1, maximumRecipients)
            self.maximumErrors = max(1, maximumErrors)
        }
    }

    /// Input to the session.
    public enum Event: Sendable {
        /// A framed input line (command, AUTH response or message content).
        case line(SMTPLine)
        /// The authenticator's answer to ``Action/authenticate(user:password:)``: the canonical account name or `nil`.
        case authenticated(String?)
        /// The answer to ``Action/checkRecipient(_:user:)``: `nil` accepts.
        case recipientChecked(MailRejection?)
        /// The answer to ``Action/submit(_:)``: `nil` when the message was taken.
        case submitted(MailRejection?)
    }

    /// What the driver does, in order.
    public enum Action: Sendable {
        case send(SMTPReply)
        case authenticate(user: String, password: [UInt8])
        case checkRecipient(MailAddress, user: String)
        case submit(SubmittedMail)
        case close
    }

    enum State: Sendable {
        case command
        case authenticating(SMTPAuthStep)
        case awaitingAuthentication
        case awaitingRecipientCheck(MailAddress)
        case data
        case awaitingSubmission
        case closed
    }

    /// MAIL FROM's path and the RCPTs accepted so far.
    struct Transaction: Sendable {
        var reversePath: MailAddress?
        var recipients: [MailAddress] = []
    }

    public let configuration: Configuration
    var state: State = .command
    /// The EHLO/HELO argument; `nil` before the client said hello.
    private(set) var clientName: String?
    /// The authenticated account; `nil` before a successful AUTH.
    public private(set) var user: String?
    var transaction: Transaction?
    var message: SMTPMessageContent?
    private(set) var errorCount = 0
    /// Set while the rest of an over-long command line is being thrown away.
    private var isDiscardingLine = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Whether the session ended (QUIT or too many errors); the driver closes the connection.
    public var isClosed: Bool {
        if case .closed = self.state { return true }
        return false
    }

    /// The greeting, sent once when the connection opens. RFC 5321 §4.3.1 / RFC 2034 §3: no enhanced status code.
    public func start() -> [Action] {
        [.send(SMTPReply(code: 220, nil, "\(self.configuration.hostName) ESMTP Mycelium mail gateway ready"))]
    }

    /// Feeds one event; returns the actions to execute, in order.
    public mutating func receive(_ event: Event) -> [Action] {
        switch event {
        case .line(let line):
            return self.receiveLine(line)
        case .authenticated(let account):
            guard case .awaitingAuthentication = self.state else { return [] }
            return self.finishAuthentication(account: account)
        case .recipientChecked(let rejection):
            guard case .awaitingRecipientCheck(let recipient) = self.state else { return [] }
            self.state = .command
            if let rejection { return [.send(SMTPReply(rejection))] }
            self.transaction?.recipients.append(recipient)
            return [.send(SMTPReply(code: 250, "2.1.5", "Recipient OK"))]
        case .submitted(let rejection):
            guard case .awaitingSubmission = self.state else { return [] }
            self.state = .command
            self.transaction = nil
            if let rejection { return [.send(SMTPReply(rejection))] }
            return [.send(SMTPReply(code: 250, "2.0.0", "Message accepted for delivery"))]
        }
    }

    private mutating func receiveLine(_ line: SMTPLine) -> [Action] {
        switch self.state {
        case .closed:
            return []
        case .awaitingAuthentication, .awaitingRecipientCheck, .awaitingSubmission:
            // The driver waits for the answer before reading on; a line now is its bug, not the client's.
            return [.send(SMTPReply(code: 451, "4.3.0", "Server busy, try again"))]
        case .data:
            return self.receiveContent(line)
        case .command, .authenticating:
            break
        }
        let bytes: [UInt8]
        switch line {
        case .part:
            self.isDiscardingLine = true
            return []
        case .complete(let complete):
            bytes = complete
        }
        if self.isDiscardingLine {
            // RFC 5321 §4.5.3.1.4 / §4.2.4: an over-long line gets 500 (RFC 3463 5.5.2: syntax error).
            self.isDiscardingLine = false
            if case .authenticating = self.state { self.state = .command }
            return self.error(SMTPReply(code: 500, "5.5.2", "Line too long"))
        }
        if case .authenticating(let step) = self.state {
            return self.receiveAuthResponse(bytes, step: step)
        }
        let command: SMTPCommand
        do throws(SMTPCommandError) {
            command = try SMTPCommand(parsing: bytes)
        } catch {
            return self.error(error.reply)
        }
        return self.execute(command)
    }

    private mutating func execute(_ command: SMTPCommand) -> [Action] {
        switch command {
        case .ehlo(let name):
            // RFC 5321 §4.1.4: EHLO resets the transaction as RSET does.
            self.clientName = name
            self.transaction = nil
            return [.send(SMTPReply(code: 250, enhancedStatus: nil, lines: self.extensions))]
        case .helo(let name):
            self.clientName = name
            self.transaction = nil
            return [.send(SMTPReply(code: 250, nil, self.configuration.hostName))]
        case .auth(let mechanism, let initialResponse):
            return self.startAuthentication(mechanism: mechanism, initialResponse: initialResponse)
        case .mail(let from, let parameters):
            return self.startTransaction(from: from, parameters: parameters)
        case .rcpt(let recipient):
            guard let transaction = self.transaction else {
                return self.error(SMTPReply(code: 503, "5.5.1", "Need MAIL command"))
            }
            // RFC 5321 §4.5.3.1.10: "452 Too many recipients" (RFC 3463 4.5.3).
            guard transaction.recipients.count < self.configuration.maximumRecipients else {
                return [.send(SMTPReply(code: 452, "4.5.3", "Too many recipients"))]
            }
            self.state = .awaitingRecipientCheck(recipient)
            return [.checkRecipient(recipient, user: self.user ?? "")]
        case .data:
            guard let transaction = self.transaction else {
                return self.error(SMTPReply(code: 503, "5.5.1", "Need MAIL command"))
            }
            guard !transaction.recipients.isEmpty else {
                return self.error(SMTPReply(code: 503, "5.5.1", "Need RCPT command"))
            }
            self.state = .data
            self.message = SMTPMessageContent(maximumSize: self.configuration.maximumMessageSize)
            return [.send(SMTPReply(code: 354, nil, "End data with <CR><LF>.<CR><LF>"))]
        case .rset:
            self.transaction = nil
            return [.send(SMTPReply(code: 250, "2.0.0", "OK"))]
        case .noop:
            return [.send(SMTPReply(code: 250, "2.0.0", "OK"))]
        case .quit:
            self.state = .closed
            return [.send(SMTPReply(code: 221, "2.0.0", "Bye")), .close]
        case .vrfy:
            // RFC 5321 §3.5.3: 252 when the server will not verify but will try delivery.
            return [
                .send(SMTPReply(code: 252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"))
            ]
        case .help:
            return [
                .send(
                    SMTPReply(
                        code: 214, enhancedStatus: "2.0.0",
                        lines: [
                            "Commands: EHLO HELO AUTH MAIL RCPT DATA RSET NOOP QUIT VRFY HELP",
                            "See RFC 5321 and RFC 4954",
                        ]))
            ]
        }
    }

    /// The EHLO reply lines (RFC 5321 §4.1.1.1): the host name, then one extension per line. CHUNKING and STARTTLS
    /// are not offered because BDAT and TLS are not implemented.
    var extensions: [String] {
        [
            self.configuration.hostName,
            "PIPELINING",
            "SIZE \(self.configuration.maximumMessageSize)",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "AUTH PLAIN LOGIN",
        ]
    }

    private mutating func startTransaction(from: MailAddress?, parameters: SMTPMailParameters) -> [Action] {
        if self.transaction != nil { return self.error(SMTPReply(code: 503, "5.5.1", "Nested MAIL command")) }
        // RFC 6409 §4.3 / RFC 4954 §6: submission requires authentication.
        guard self.user != nil else {
            return self.error(SMTPReply(code: 530, "5.7.0", "Authentication required"))
        }
        // RFC 1870 §6.3: a declared size over the fixed maximum gets 552 (RFC 3463 5.3.4).
        if let size = parameters.size, size > self.configuration.maximumMessageSize {
            return [.send(SMTPReply(code: 552, "5.3.4", "Message size exceeds fixed maximum message size"))]
        }
        self.transaction = Transaction(reversePath: from)
        return [.send(SMTPReply(code: 250, "2.1.0", "Sender OK"))]
    }

    private mutating func receiveContent(_ line: SMTPLine) -> [Action] {
        guard var message = self.message else {
            self.state = .command
            return []
        }
        self.message = nil  // keep the bytes uniquely referenced while appending
        guard message.append(line) else {
            self.message = message
            return []
        }
        let transaction = self.transaction ?? Transaction()
        guard !message.isOverLimit else {
            // RFC 1870 §6.2 / RFC 5321 §4.5.3.1.10: 552, and the transaction is over.
            self.state = .command
            self.transaction = nil
            return [.send(SMTPReply(code: 552, "5.3.4", "Message too big for system"))]
        }
        self.state = .awaitingSubmission
        let mail = SubmittedMail(
            user: self.user ?? "",
            reversePath: transaction.reversePath,
            recipients: transaction.recipients,
            content: message.bytes,
            clientName: self.clientName ?? "")
        return [.submit(mail)]
    }

    /// An error reply, counted; at the limit it is followed by `421 4.7.0 Too many errors` and the close.
    mutating func error(_ reply: SMTPReply) -> [Action] {
        self.errorCount += 1
        guard self.errorCount >= self.configuration.maximumErrors else { return [.send(reply)] }
        self.state = .closed
        return [.send(reply), .send(SMTPReply(code: 421, "4.7.0", "Too many errors")), .close]
    }

    mutating func setUser(_ user: String) {
        self.user = user
    }
}
