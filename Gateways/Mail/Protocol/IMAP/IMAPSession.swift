import NIOCore

/// One client's IMAP4rev1 session (RFC 3501 §3): the state machine over not authenticated → authenticated →
/// selected → logout, executing each command against the `MailStore` and writing the responses.
///
/// The session does no network I/O and reads no clock: the driver feeds it frames and the current time, and sends
/// what it writes into the `IMAPResponseWriter`.
public struct IMAPSession {
    /// What the session wants from the client next.
    public enum Expectation: Sendable, Equatable {
        /// A command (feed `IMAPFramer.next()` frames).
        case command
        /// One raw line: an AUTHENTICATE response or the `DONE` that ends IDLE (feed `IMAPFramer.nextLine()`).
        case line
        /// Close the connection (after LOGOUT or a BYE).
        case close
    }

    enum State {
        case notAuthenticated
        case authenticated(user: String)
        case selected(user: String, IMAPSelectedMailbox)
        case logout
    }

    enum Pending {
        case none
        case authenticate(tag: String)
        case idle(tag: String)
    }

    /// RFC 3501 §7.2.1 capabilities, offered in the greeting, on CAPABILITY and after login.
    public static let capabilities = [
        "IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "CHILDREN",
        "SPECIAL-USE", "LIST-EXTENDED", "LIST-STATUS", "UIDPLUS", "MOVE",
    ]
    /// Capabilities offered only before login.
    public static let preLoginCapabilities = ["AUTH=PLAIN"]
    /// Consecutive BAD responses after which the connection is closed (a client that sends garbage, or a flood).
    public static let maximumConsecutiveBadCommands = 20
    /// Largest SASL response line accepted for AUTHENTICATE.
    public static let maximumSASLResponseLength = 8 * 1024

    let store: MailStore
    let authenticator: any MailAuthenticator
    let client: SocketAddress?
    var state: State = .notAuthenticated
    var pending: Pending = .none
    var consecutiveBadCommands = 0

    public init(store: MailStore, authenticator: any MailAuthenticator, client: SocketAddress?) {
        self.store = store
        self.authenticator = authenticator
        self.client = client
    }

    /// The user after login.
    public var user: String? {
        switch self.state {
        case .authenticated(let user), .selected(let user, _): user
        case .notAuthenticated, .logout: nil
        }
    }

    /// The id of the selected mailbox, if any.
    public var selectedMailboxID: Int64? {
        if case .selected(_, let selected) = self.state { return selected.mailbox.id }
        return nil
    }

    /// Whether the session is in IDLE (the driver then pushes changes with `mailboxesChanged`).
    public var isIdling: Bool {
        if case .idle = self.pending { return true }
        return false
    }

    var capabilityText: String {
        (Self.capabilities + (self.user == nil ? Self.preLoginCapabilities : [])).joined(separator: " ")
    }

    // MARK: - Entry points

    /// RFC 3501 §7.1.1 greeting.
    public mutating func greeting(into writer: inout IMAPResponseWriter) {
        writer.untagged("OK [CAPABILITY \(self.capabilityText)] Mycelium IMAP gateway ready")
    }

    /// Runs one command; `now` (seconds since 1970) is APPEND's default date.
    public mutating func receive(_ command: IMAPCommand, now: Int64, writer: inout IMAPResponseWriter) async throws
        -> Expectation
    {
        let outcome: Outcome
        do {
            outcome = try await self.execute(command, now: now, writer: &writer)
        } catch let error as MailStoreError {
            outcome = .no(code: error.imapCode, error.imapText)
        } catch let error as IMAPCommandError {
            outcome = error.outcome
        }
        return try await self.finish(command, outcome, writer: &writer)
    }

    /// Answers a command the parser refused.
    public mutating func receive(_ error: IMAPParseError, writer: inout IMAPResponseWriter) -> Expectation {
        switch error.reason {
        case .badCharset:
            self.consecutiveBadCommands = 0
            self.write(error.tag, .no, code: "BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset", writer: &writer)
            return .command
        case .syntax(let message):
            return self.bad(error.tag, "Error in IMAP command: \(message)", writer: &writer)
        case .unknownCommand(let name):
            return self.bad(error.tag, "Unknown command \(name.prefix(32))", writer: &writer)
        }
    }

    /// Answers a command the framer refused.
    public mutating func receive(_ error: IMAPFramingError, writer: inout IMAPResponseWriter) -> Expectation {
        switch error {
        case .lineTooLong(let tag):
            return self.bad(tag, "Line too long", writer: &writer)
        case .literalTooLarge(let tag, let isAppend, let nonSynchronizing):
            if nonSynchronizing {
                _ = self.bad(tag, "Literal too large", writer: &writer)
                writer.untagged("BYE Literal too large")
                self.state = .logout
                return .close
            }
            if isAppend {
                self.write(tag, .no, code: "TOOBIG", "Message too large", writer: &writer)
                return .command
            }
            return self.bad(tag, "Literal too large", writer: &writer)
        case .literal8NotSupported(let tag, let nonSynchronizing):
            _ = self.bad(tag, "BINARY literals are not supported", writer: &writer)
            if nonSynchronizing {
                writer.untagged("BYE Unexpected literal data")
                self.state = .logout
                return .close
            }
            return .command
        }
    }

    /// Writes `* BYE` for a server shutdown.
    public mutating func shutdown(writer: inout IMAPResponseWriter) {
        writer.untagged("BYE Server shutting down")
        self.state = .logout
    }

    // MARK: - Outcomes

    /// How a command ended.
    enum Outcome {
        case ok(code: String?, String)
        case no(code: String?, String)
        case bad(String)
        /// The command wrote its own tagged response (or continuation) already.
        case handled(Expectation)
    }

    mutating func finish(_ command: IMAPCommand, _ outcome: Outcome, writer: inout IMAPResponseWriter) async throws
        -> Expectation
    {
        switch outcome {
        case .handled(let expectation):
            return expectation
        case .bad(let text):
            return self.bad(command.tag, text, writer: &writer)
        case .ok(let code, let text):
            try await self.reportChangesIfAllowed(after: command.kind, writer: &writer)
            self.consecutiveBadCommands = 0
            writer.tagged(command.tag, .ok, code: code, text)
            return .command
        case .no(let code, let text):
            try await self.reportChangesIfAllowed(after: command.kind, writer: &writer)
            self.consecutiveBadCommands = 0
            writer.tagged(command.tag, .no, code: code, text)
            return .command
        }
    }

    mutating func bad(_ tag: String?, _ text: String, writer: inout IMAPResponseWriter) -> Expectation {
        self.consecutiveBadCommands += 1
        self.write(tag, .bad, code: nil, text, writer: &writer)
        if self.consecutiveBadCommands >= Self.maximumConsecutiveBadCommands {
            writer.untagged("BYE Too many invalid commands")
            self.state = .logout
            return .close
        }
        return .command
    }

    func write(_ tag: String?, _ status: IMAPStatus, code: String?, _ text: String, writer: inout IMAPResponseWriter) {
        if let tag {
            writer.tagged(tag, status, code: code, text)
        } else {
            writer.untagged("\(status.rawValue) \(code.map { "[\($0)] " } ?? "")\(text)")
        }
    }
}

/// A command refused by the session itself (wrong state, bad argument); mapped once to its response.
enum IMAPCommandError: Error {
    case wrongState(String)
    case bad(String)
    case no(code: String?, String)

    var outcome: IMAPSession.Outcome {
        switch self {
        case .wrongState(let text): .bad(text)
        case .bad(let text): .bad(text)
        case .no(let code, let text): .no(code: code, text)
        }
    }
}

extension MailStoreError {
    /// RFC 5530 response code for this error.
    var imapCode: String? {
        switch self {
        case .noSuchMailbox: "NONEXISTENT"
        case .mailboxExists: "ALREADYEXISTS"
        case .invalidMailboxName, .notPermitted: "CANNOT"
        case .messageTooLarge: "TOOBIG"
        case .invalidFlags: "LIMIT"
        case .noSuchMessage: "EXPUNGEISSUED"
        case .storage: "SERVERBUG"
        }
    }

    var imapText: String {
        switch self {
        case .noSuchMailbox: "Mailbox doesn't exist"
        case .mailboxExists: "Mailbox already exists"
        case .invalidMailboxName: "Invalid mailbox name"
        case .notPermitted(let reason): "Not permitted: \(reason.prefix(200))"
        case .messageTooLarge(_, let limit): "Message larger than \(limit) bytes"
        case .invalidFlags: "Too many flags or a flag too long"
        case .noSuchMessage: "Message was expunged"
        case .storage: "Internal error occurred; refer to server log"
        }
    }
}
