/// One message's metadata in a mailbox (its bytes are a blob file, read with `MailStore.messageBytes`).
public struct StoredMessage: Hashable, Sendable {
    public var uid: UInt32
    public var flags: MessageFlags
    /// When the message arrived (APPEND's date-time or delivery time), seconds since 1970-01-01 UTC.
    public var internalDate: Int64
    /// RFC822.SIZE: the message's length in bytes, exactly as stored (CRLF line ends).
    public var size: Int

    public init(uid: UInt32, flags: MessageFlags, internalDate: Int64, size: Int) {
        self.uid = uid
        self.flags = flags
        self.internalDate = internalDate
        self.size = size
    }
}

/// A selected mailbox's messages at one moment, UID-ascending (index + 1 is the sequence number), and the mailbox's
/// modification counter at that moment: a session compares counters to know when to look again.
public struct MailboxSnapshot: Sendable {
    public var mailbox: Mailbox
    public var messages: [StoredMessage]
    /// Grows on every change to the mailbox (message added, removed, flags changed).
    public var modificationSequence: Int64

    public init(mailbox: Mailbox, messages: [StoredMessage], modificationSequence: Int64) {
        self.mailbox = mailbox
        self.messages = messages
        self.modificationSequence = modificationSequence
    }
}

/// What `append` reports (RFC 4315 `APPENDUID`).
public struct AppendResult: Hashable, Sendable {
    public var uidValidity: UInt32
    public var uid: UInt32

    public init(uidValidity: UInt32, uid: UInt32) {
        self.uidValidity = uidValidity
        self.uid = uid
    }
}

/// What `copy` and `move` report (RFC 4315 `COPYUID`): the destination's UIDVALIDITY and the UIDs pairwise, in
/// source-UID order.
public struct CopyResult: Hashable, Sendable {
    public var uidValidity: UInt32
    public var sourceUIDs: [UInt32]
    public var destinationUIDs: [UInt32]

    public init(uidValidity: UInt32, sourceUIDs: [UInt32], destinationUIDs: [UInt32]) {
        self.uidValidity = uidValidity
        self.sourceUIDs = sourceUIDs
        self.destinationUIDs = destinationUIDs
    }
}
