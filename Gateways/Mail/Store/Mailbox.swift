/// A mailbox (folder) of one user.
public struct Mailbox: Hashable, Sendable {
    /// The store's row id; stable for the mailbox's life (a renamed mailbox keeps it).
    public var id: Int64
    /// The full name with `/` as the hierarchy delimiter, exactly as the client sent it (modified UTF-7 for IMAP4rev1
    /// clients); `INBOX` is always spelled in capitals.
    public var name: String
    /// RFC 3501 §2.3.1.1: changes only if UIDs could be reused (the mailbox was deleted and created again).
    public var uidValidity: UInt32
    /// The UID the next message added will get.
    public var uidNext: UInt32
    public var specialUse: SpecialUse?
    public var isSubscribed: Bool

    public init(
        id: Int64, name: String, uidValidity: UInt32, uidNext: UInt32, specialUse: SpecialUse?, isSubscribed: Bool
    ) {
        self.id = id
        self.name = name
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.specialUse = specialUse
        self.isSubscribed = isSubscribed
    }

    /// The hierarchy delimiter.
    public static let delimiter: Character = "/"
}

/// RFC 6154 special-use attributes of the default mailboxes.
public enum SpecialUse: String, Hashable, Sendable, CaseIterable {
    case sent = "\\Sent"
    case drafts = "\\Drafts"
    case trash = "\\Trash"
    case junk = "\\Junk"
    case archive = "\\Archive"

    /// The default mailbox with this use, created for every user beside INBOX.
    public var defaultMailboxName: String {
        switch self {
        case .sent: "Sent"
        case .drafts: "Drafts"
        case .trash: "Trash"
        case .junk: "Junk"
        case .archive: "Archive"
        }
    }
}

/// The counts `STATUS` and `SELECT` report.
public struct MailboxStatus: Hashable, Sendable {
    public var messages: Int
    public var unseen: Int
    public var recent: Int
    public var uidNext: UInt32
    public var uidValidity: UInt32
    /// Sum of the messages' sizes (RFC 8438 `SIZE`).
    public var size: Int

    public init(messages: Int, unseen: Int, recent: Int, uidNext: UInt32, uidValidity: UInt32, size: Int) {
        self.messages = messages
        self.unseen = unseen
        self.recent = recent
        self.uidNext = uidNext
        self.uidValidity = uidValidity
        self.size = size
    }
}
