/// One complete client command (RFC 3501 §6): the tag the client chose and what it asks for.
public struct IMAPCommand: Hashable, Sendable {
    /// The client's tag, echoed in the tagged completion response.
    public var tag: String
    public var kind: Kind

    public init(tag: String, kind: Kind) {
        self.tag = tag
        self.kind = kind
    }

    /// The commands the server understands.
    public enum Kind: Hashable, Sendable {
        // MARK: Any state (RFC 3501 §6.1)
        case capability
        case noop
        case logout
        /// RFC 2971: the client's identification (`nil` for `ID NIL`); pairs in the client's order.
        case id([IMAPIDParameter]?)
        /// RFC 5161: capabilities the client wants enabled.
        case enable([String])

        // MARK: Not authenticated (§6.2)
        case login(user: String, password: [UInt8])
        /// `AUTHENTICATE mech [initial-response]` (RFC 4959 SASL-IR); the response is the base64 text as sent
        /// (`=` for an empty one).
        case authenticate(mechanism: String, initialResponse: [UInt8]?)

        // MARK: Authenticated (§6.3)
        case select(mailbox: String)
        case examine(mailbox: String)
        case create(mailbox: String)
        case delete(mailbox: String)
        case rename(from: String, to: String)
        case subscribe(mailbox: String)
        case unsubscribe(mailbox: String)
        case list(IMAPListCommand)
        case lsub(reference: String, pattern: String)
        /// RFC 2342.
        case namespace
        case status(mailbox: String, items: [IMAPStatusItem])
        /// `date` is seconds since 1970 UTC, `nil` for "now".
        case append(mailbox: String, flags: [String], date: Int64?, message: [UInt8])

        // MARK: Selected (§6.4)
        case check
        case close
        /// RFC 3691.
        case unselect
        case expunge
        /// RFC 4315 `UID EXPUNGE set`.
        case uidExpunge(IMAPSequenceSet)
        case search(IMAPSearchKey, uid: Bool)
        case fetch(IMAPSequenceSet, [IMAPFetchAttribute], uid: Bool)
        case store(IMAPSequenceSet, IMAPStoreAction, uid: Bool)
        case copy(IMAPSequenceSet, mailbox: String, uid: Bool)
        /// RFC 6851.
        case move(IMAPSequenceSet, mailbox: String, uid: Bool)
        /// RFC 2177; the server then waits for `DONE`.
        case idle
    }
}

/// One `field value` pair of an RFC 2971 `ID` command.
public struct IMAPIDParameter: Hashable, Sendable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}

/// `LIST` with the RFC 5258 LIST-EXTENDED options this server supports.
public struct IMAPListCommand: Hashable, Sendable {
    public var reference: String
    /// One or more patterns (`LIST "" ("a" "b")`).
    public var patterns: [String]
    /// `(SUBSCRIBED)`: only subscribed mailboxes (RFC 5258 §3.1).
    public var selectSubscribed: Bool
    /// `RECURSIVEMATCH` was given (accepted; subscribed parents are reported as for plain SUBSCRIBED).
    public var recursiveMatch: Bool
    /// `RETURN (SUBSCRIBED)`.
    public var returnSubscribed: Bool
    /// `RETURN (CHILDREN)`.
    public var returnChildren: Bool
    /// `RETURN (SPECIAL-USE)` (RFC 6154 §5.1).
    public var returnSpecialUse: Bool
    /// `RETURN (STATUS (...))` (RFC 5819); `nil` when not asked.
    public var returnStatus: [IMAPStatusItem]?

    public init(
        reference: String,
        patterns: [String],
        selectSubscribed: Bool = false,
        recursiveMatch: Bool = false,
        returnSubscribed: Bool = false,
        returnChildren: Bool = false,
        returnSpecialUse: Bool = false,
        returnStatus: [IMAPStatusItem]? = nil
    ) {
        self.reference = reference
        self.patterns = patterns
        self.selectSubscribed = selectSubscribed
        self.recursiveMatch = recursiveMatch
        self.returnSubscribed = returnSubscribed
        self.returnChildren = returnChildren
        self.returnSpecialUse = returnSpecialUse
        self.returnStatus = returnStatus
    }
}

/// A `STATUS` data item (RFC 3501 §6.3.10, RFC 8438 `SIZE`).
public enum IMAPStatusItem: String, Hashable, Sendable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case size = "SIZE"
}

/// What `STORE` does (RFC 3501 §6.4.6).
public struct IMAPStoreAction: Hashable, Sendable {
    public var operation: FlagOperation
    /// `.SILENT`: no untagged FETCH in reply.
    public var silent: Bool
    /// The flags in the client's spelling.
    public var flags: [String]

    public init(operation: FlagOperation, silent: Bool, flags: [String]) {
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }
}

/// A FETCH data item (RFC 3501 §6.4.5); macros are expanded by the parser.
public enum IMAPFetchAttribute: Hashable, Sendable {
    case flags
    case uid
    case internalDate
    case rfc822Size
    /// `RFC822`: the whole message; sets `\Seen`.
    case rfc822
    /// `RFC822.HEADER`: like `BODY.PEEK[HEADER]`, labelled `RFC822.HEADER`.
    case rfc822Header
    /// `RFC822.TEXT`: like `BODY[TEXT]`; sets `\Seen`.
    case rfc822Text
    case envelope
    /// `BODY` (non-extensible) or `BODYSTRUCTURE` (extensible).
    case bodyStructure(extensible: Bool)
    /// `BODY[section]<partial>` or `BODY.PEEK[...]`.
    case section(MessageSection, partial: MessagePartial?, peek: Bool)
}
