import GRDB
import MyceliumGatewayKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mailbox row with its modification counter.
struct MailboxRow: Sendable {
    var mailbox: Mailbox
    var modseq: Int64
}

/// A message row with its blob.
struct MessageRow: Sendable {
    var message: StoredMessage
    var blob: BlobID
}

/// The mail store's reads and writes inside one database access (called from GRDB's queues, never on the
/// cooperative pool).
enum MailStoreRows {
    /// Most mailboxes one user may have.
    static let maximumMailboxCount = 10_000
    /// Above this many UIDs a lookup scans the mailbox once instead of looking each UID up.
    static let scanThreshold = 64
    /// Most message slots a snapshot reserves up front (it grows past this if needed).
    static let snapshotReserve = 65_536

    // MARK: Mailboxes

    static func mailbox(_ db: Database, user: String, name: String) throws -> MailboxRow? {
        let statement = try db.cachedStatement(sql: MailStoreSQL.mailboxByName)
        return try Row.fetchOne(statement, arguments: [user, MailboxName.normalized(name)]).map(Self.mailboxRow)
    }

    static func mailbox(_ db: Database, id: Int64) throws -> MailboxRow? {
        let statement = try db.cachedStatement(sql: MailStoreSQL.mailboxByID)
        return try Row.fetchOne(statement, arguments: [id]).map(Self.mailboxRow)
    }

    static func existingMailbox(_ db: Database, user: String, name: String) throws -> MailboxRow {
        guard let row = try Self.mailbox(db, user: user, name: name) else {
            throw MailStoreError.noSuchMailbox(name)
        }
        return row
    }

    static func existingMailbox(_ db: Database, id: Int64) throws -> MailboxRow {
        guard let row = try Self.mailbox(db, id: id) else { throw MailStoreError.noSuchMailbox("#\(id)") }
        return row
    }

    static func mailboxes(_ db: Database, user: String) throws -> [MailboxRow] {
        let statement = try db.cachedStatement(sql: MailStoreSQL.mailboxesOfUser)
        return try Row.fetchAll(statement, arguments: [user]).map(Self.mailboxRow)
    }

    /// Inserts a mailbox with a fresh UIDVALIDITY; the name must be validated and free.
    static func insertMailbox(
        _ db: Database, user: String, name: String, specialUse: SpecialUse?, subscribed: Bool, now: Int64
    ) throws -> MailboxRow {
        let count = try Int.fetchOne(db.cachedStatement(sql: MailStoreSQL.mailboxCount), arguments: [user]) ?? 0
        guard count < Self.maximumMailboxCount else {
            throw MailStoreError.notPermitted("more than \(Self.maximumMailboxCount) mailboxes")
        }
        let uidValidity = try Self.nextUIDValidity(db, now: now)
        try db.cachedStatement(sql: MailStoreSQL.insertMailbox).execute(arguments: [
            user, name, Int64(uidValidity), specialUse?.rawValue, subscribed,
        ])
        let mailbox = Mailbox(
            id: db.lastInsertedRowID, name: name, uidValidity: uidValidity, uidNext: 1, specialUse: specialUse,
            isSubscribed: subscribed)
        return MailboxRow(mailbox: mailbox, modseq: 1)
    }

    /// RFC 3501 §2.3.1.1: a new mailbox gets a UIDVALIDITY no earlier mailbox of this store had: the time in seconds,
    /// or one more than the last one given if that is later (so delete + create in the same second still differs).
    static func nextUIDValidity(_ db: Database, now: Int64) throws -> UInt32 {
        let last = try Int64.fetchOne(db.cachedStatement(sql: MailStoreSQL.lastUIDValidity)) ?? 0
        let next = max(last + 1, min(max(now, 1), Int64(UInt32.max)))
        guard next <= Int64(UInt32.max) else { throw MailStoreError.storage("UIDVALIDITY values exhausted") }
        try db.cachedStatement(sql: MailStoreSQL.setLastUIDValidity).execute(arguments: [next])
        return UInt32(next)
    }

    private static func mailboxRow(_ row: Row) throws -> MailboxRow {
        let specialUse: String? = try row.decode(atIndex: 4)
        let mailbox = Mailbox(
            id: try row.decode(atIndex: 0), name: try row.decode(atIndex: 1),
            uidValidity: try Self.uid(row.decode(atIndex: 2)), uidNext: try Self.uid(row.decode(atIndex: 3)),
            specialUse: specialUse.flatMap(SpecialUse.init(rawValue:)), isSubscribed: try row.decode(atIndex: 5))
        return MailboxRow(mailbox: mailbox, modseq: try row.decode(atIndex: 6))
    }

    // MARK: Messages

    /// The mailbox's messages with these UIDs (missing ones skipped), UID-ascending.
    static func messages(_ db: Database, mailboxID: Int64, uids: [UInt32]) throws -> [MessageRow] {
        let wanted = Set(uids)
        var rows: [MessageRow] = []
        if wanted.count > Self.scanThreshold {
            let statement = try db.cachedStatement(sql: MailStoreSQL.fullMessagesOfMailbox)
            let cursor = try Row.fetchCursor(statement, arguments: [mailboxID])
            while let row = try cursor.next() {
                let message = try Self.messageRow(row)
                if wanted.contains(message.message.uid) { rows.append(message) }
            }
        } else {
            let statement = try db.cachedStatement(sql: MailStoreSQL.message)
            for uid in wanted.sorted() {
                if let row = try Row.fetchOne(statement, arguments: [mailboxID, Int64(uid)]) {
                    rows.append(try Self.messageRow(row))
                }
            }
        }
        return rows
    }

    /// Inserts a message with the next UID of the mailbox and advances `uidNext` (bumping the modseq).
    static func insertMessage(
        _ db: Database, into mailbox: inout MailboxRow, flags: MessageFlags, internalDate: Int64, size: Int,
        blob: BlobID
    ) throws -> UInt32 {
        let uid = mailbox.mailbox.uidNext
        guard uid < UInt32.max else { throw MailStoreError.storage("mailbox UIDs exhausted") }
        try db.cachedStatement(sql: MailStoreSQL.insertMessage).execute(arguments: [
            mailbox.mailbox.id, Int64(uid), flags.storageString, internalDate, size, blob.rawValue,
        ])
        mailbox.mailbox.uidNext = uid + 1
        return uid
    }

    /// Stores `uidNext` of a mailbox after `insertMessage` calls and bumps its modseq.
    static func commitUIDNext(_ db: Database, _ mailbox: MailboxRow) throws {
        try db.cachedStatement(sql: MailStoreSQL.setUIDNext).execute(arguments: [
            Int64(mailbox.mailbox.uidNext), mailbox.mailbox.id,
        ])
    }

    static func bumpModseq(_ db: Database, mailboxID: Int64) throws {
        try db.cachedStatement(sql: MailStoreSQL.bumpModseq).execute(arguments: [mailboxID])
    }

    static func messageRow(_ row: Row) throws -> MessageRow {
        let blobText: String = try row.decode(atIndex: 4)
        guard let blob = BlobID(blobText) else {
            throw MailStoreError.storage("message row names an invalid blob \(blobText.debugDescription)")
        }
        let flags: String = try row.decode(atIndex: 1)
        let message = StoredMessage(
            uid: try Self.uid(row.decode(atIndex: 0)), flags: MessageFlags(storageString: flags),
            internalDate: try row.decode(atIndex: 2), size: try row.decode(atIndex: 3))
        return MessageRow(message: message, blob: blob)
    }

    /// A UID or counter column as `UInt32` (a damaged row is an error, not a trap).
    static func uid(_ value: Int64) throws -> UInt32 {
        guard let uid = UInt32(exactly: value) else { throw MailStoreError.storage("value \(value) out of range") }
        return uid
    }

    // MARK: Flags

    /// RFC 3501 §2.3.2: `\Recent` is the server's, never stored from a client; every other flag must fit the limits.
    static func validated(_ flags: MessageFlags) throws(MailStoreError) -> MessageFlags {
        var result = flags
        result.remove("\\Recent")
        guard result.flags.count <= MessageFlags.maximumCount else {
            throw .invalidFlags("more than \(MessageFlags.maximumCount) flags")
        }
        for flag in result.flags {
            let bytes = flag.utf8
            guard !bytes.isEmpty, bytes.count <= MessageFlags.maximumFlagByteCount,
                bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7f })
            else { throw .invalidFlags(flag) }
        }
        return result
    }

    /// The current time in seconds since 1970.
    static func now() -> Int64 {
        Int64(time(nil))
    }
}
