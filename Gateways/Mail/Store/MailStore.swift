import GRDB
import MyceliumGatewayKit

/// The mail gateway's store: every user's mailboxes and messages. Metadata lives in SQLite (`mail.sqlite`, WAL,
/// `synchronous=FULL`) and each message's bytes in a blob file beside it (`blobs/`), fsync'd before the row that names
/// it is committed, so a message the store has acknowledged survives a crash.
///
/// All methods are safe to call from any task; writes are serialised by the database. Database work runs on GRDB's
/// queues and blob writes on NIO's thread pool, never for long on the cooperative pool. One store per directory: on
/// open it removes blob files no row references (crash leftovers).
public final class MailStore: Sendable {
    /// The largest message `append` accepts, in bytes.
    public let maximumMessageSize: Int
    /// The store's directory.
    public let directory: String

    let pool: DatabasePool
    let blobs: BlobStore
    let broadcaster = MailChangeBroadcaster()

    /// The database file in the directory.
    public static let databaseFileName = "mail.sqlite"
    /// The blob directory in the directory.
    public static let blobDirectoryName = "blobs"

    /// Opens (creating if needed, mode 0700/0600) the store in `directory`.
    public init(directory: String, maximumMessageSize: Int = 50 << 20) throws(MailStoreError) {
        self.maximumMessageSize = maximumMessageSize
        self.directory = directory
        do {
            self.pool = try GatewayDatabase.open(
                path: directory + "/" + Self.databaseFileName, migrator: Self.migrator, label: "MailStore")
        } catch {
            throw .storage(error.description)
        }
        do {
            self.blobs = try BlobStore(
                directory: directory + "/" + Self.blobDirectoryName, maximumReadSize: max(maximumMessageSize, 1 << 30))
        } catch {
            throw .storage(error.description)
        }
        try self.sweepBlobs()
    }

    deinit {
        self.broadcaster.finishAll()
    }

    // MARK: Users

    /// Creates INBOX and the special-use mailboxes (Sent, Drafts, Trash, Junk, Archive), all subscribed, for a user
    /// that has none; does nothing for a user that has them.
    public func prepareUser(_ user: String) async throws(MailStoreError) {
        let prepared = try await self.read { db in
            try MailStoreRows.mailbox(db, user: user, name: MailboxName.inbox) != nil
        }
        guard !prepared else { return }
        let now = MailStoreRows.now()
        let created = try await self.write { db in
            let existing = Set(try MailStoreRows.mailboxes(db, user: user).map(\.mailbox.name))
            var created: [Int64] = []
            if !existing.contains(MailboxName.inbox) {
                created.append(
                    try MailStoreRows.insertMailbox(
                        db, user: user, name: MailboxName.inbox, specialUse: nil, subscribed: true, now: now
                    ).mailbox.id)
            }
            // A user who had mailboxes but no INBOX keeps their choice of special folders.
            guard existing.isEmpty else { return created }
            for use in SpecialUse.allCases {
                created.append(
                    try MailStoreRows.insertMailbox(
                        db, user: user, name: use.defaultMailboxName, specialUse: use, subscribed: true, now: now
                    ).mailbox.id)
            }
            return created
        }
        self.broadcaster.yield(created)
    }

    // MARK: Mailboxes

    /// The user's mailboxes, ordered by name.
    public func mailboxes(user: String) async throws(MailStoreError) -> [Mailbox] {
        try await self.read { db in try MailStoreRows.mailboxes(db, user: user).map(\.mailbox) }
    }

    /// The mailbox called `name` (`INBOX` in any case), or `nil`.
    public func mailbox(user: String, named name: String) async throws(MailStoreError) -> Mailbox? {
        try await self.read { db in try MailStoreRows.mailbox(db, user: user, name: name)?.mailbox }
    }

    /// Creates an empty, unsubscribed mailbox with a fresh UIDVALIDITY. Superior names are not created (LIST shows the
    /// holes as `\NonExistent`/`\Noselect`).
    public func createMailbox(user: String, name: String, specialUse: SpecialUse? = nil) async throws(MailStoreError)
        -> Mailbox
    {
        let name = try MailboxName.validated(name)
        let now = MailStoreRows.now()
        let row = try await self.write { db in
            guard try MailStoreRows.mailbox(db, user: user, name: name) == nil else {
                throw MailStoreError.mailboxExists(name)
            }
            return try MailStoreRows.insertMailbox(
                db, user: user, name: name, specialUse: specialUse, subscribed: false, now: now)
        }
        self.broadcaster.yield([row.mailbox.id])
        return row.mailbox
    }

    /// Deletes the mailbox and its messages (INBOX cannot be deleted); inferior mailboxes stay.
    public func deleteMailbox(user: String, name: String) async throws(MailStoreError) {
        guard !MailboxName.isInbox(name) else { throw .notPermitted("INBOX cannot be deleted") }
        let (mailboxID, removed) = try await self.write { db in
            let mailbox = try MailStoreRows.existingMailbox(db, user: user, name: name)
            let blobs = try String.fetchAll(
                db.cachedStatement(sql: MailStoreSQL.blobsOfMailbox), arguments: [mailbox.mailbox.id])
            try db.cachedStatement(sql: MailStoreSQL.deleteMailbox).execute(arguments: [mailbox.mailbox.id])
            return (mailbox.mailbox.id, blobs.compactMap(BlobID.init))
        }
        await self.removeBlobs(removed)
        self.broadcaster.yield([mailboxID])
    }

    /// Renames the mailbox and its inferiors. Renaming INBOX moves its messages to a new mailbox and leaves INBOX
    /// empty (RFC 3501 §6.3.5).
    public func renameMailbox(user: String, from: String, to: String) async throws(MailStoreError) {
        let target = try MailboxName.validated(to)
        let now = MailStoreRows.now()
        let changed = try await self.write { db in
            try MailStoreRows.rename(db, user: user, from: MailboxName.normalized(from), to: target, now: now)
        }
        self.broadcaster.yield(changed)
    }

    /// Subscribes or unsubscribes an existing mailbox (RFC 3501 §6.3.6–6.3.7).
    public func setSubscribed(user: String, name: String, _ subscribed: Bool) async throws(MailStoreError) {
        try await self.write { db in
            let mailbox = try MailStoreRows.existingMailbox(db, user: user, name: name)
            try db.cachedStatement(sql: MailStoreSQL.setSubscribed).execute(arguments: [
                subscribed, mailbox.mailbox.id,
            ])
        }
    }

    /// The mailbox's counts. `recent` is always 0: the store keeps no per-session state (RFC 9051 dropped `\Recent`).
    public func status(mailboxID: Int64) async throws(MailStoreError) -> MailboxStatus {
        try await self.read { db in
            let mailbox = try MailStoreRows.existingMailbox(db, id: mailboxID).mailbox
            let row = try Row.fetchOne(db.cachedStatement(sql: MailStoreSQL.status), arguments: [mailboxID])
            let messages: Int = try row?.decode(atIndex: 0) ?? 0
            let size: Int = try row?.decode(atIndex: 1) ?? 0
            let unseen: Int = try row?.decode(atIndex: 2) ?? 0
            return MailboxStatus(
                messages: messages, unseen: unseen, recent: 0, uidNext: mailbox.uidNext,
                uidValidity: mailbox.uidValidity, size: size)
        }
    }

    // MARK: Messages

    /// Every message of the mailbox, UID-ascending, with the mailbox's modification counter.
    public func snapshot(mailboxID: Int64) async throws(MailStoreError) -> MailboxSnapshot {
        try await self.read { db in try MailStoreRows.snapshot(db, mailboxID: mailboxID) }
    }

    /// The mailbox's modification counter (it grows on every change to the mailbox), or `nil` if the mailbox is gone:
    /// a cheap look before taking a whole `snapshot`.
    public func modificationSequence(mailboxID: Int64) async throws(MailStoreError) -> Int64? {
        try await self.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: MailStoreSQL.mailboxModseq), arguments: [mailboxID])
        }
    }

    /// Adds a message; it is on disk when this returns.
    public func append(
        user: String, mailbox name: String, message: [UInt8], flags: MessageFlags, internalDate: Int64
    ) async throws(MailStoreError) -> AppendResult {
        guard message.count <= self.maximumMessageSize else {
            throw .messageTooLarge(size: message.count, limit: self.maximumMessageSize)
        }
        let flags = try MailStoreRows.validated(flags)
        let blobs = self.blobs
        let blob = try await self.offload { try blobs.write(message) }
        let result: (AppendResult, Int64)
        do {
            result = try await self.write { db in
                var mailbox = try MailStoreRows.existingMailbox(db, user: user, name: name)
                let uid = try MailStoreRows.insertMessage(
                    db, into: &mailbox, flags: flags, internalDate: internalDate, size: message.count, blob: blob)
                try MailStoreRows.commitUIDNext(db, mailbox)
                return (AppendResult(uidValidity: mailbox.mailbox.uidValidity, uid: uid), mailbox.mailbox.id)
            }
        } catch {
            // Refused before the commit: the blob is nobody's. (Any other failure leaves it to the next sweep, in case
            // the row did commit.)
            if case .noSuchMailbox = error { await self.removeBlobs([blob]) }
            throw error
        }
        self.broadcaster.yield([result.1])
        return result.0
    }

    /// Delivers a message to the user's INBOX (preparing the user's mailboxes first if needed), for local delivery.
    public func deliver(to user: String, message: [UInt8], internalDate: Int64) async throws(MailStoreError)
        -> AppendResult
    {
        guard message.count <= self.maximumMessageSize else {
            throw .messageTooLarge(size: message.count, limit: self.maximumMessageSize)
        }
        try await self.prepareUser(user)
        return try await self.append(
            user: user, mailbox: MailboxName.inbox, message: message, flags: MessageFlags(), internalDate: internalDate)
    }

    /// The message's bytes exactly as appended.
    public func messageBytes(mailboxID: Int64, uid: UInt32) async throws(MailStoreError) -> [UInt8] {
        guard let bytes = try await self.messageBytes(mailboxID: mailboxID, uids: [uid]).first ?? nil else {
            throw .noSuchMessage(uid)
        }
        return bytes
    }

    /// The bytes of several messages, in the order of `uids`, with one trip to the database's reader queue for all of
    /// them (a bulk FETCH reads thousands); a message that is gone is `nil`.
    public func messageBytes(mailboxID: Int64, uids: [UInt32]) async throws(MailStoreError) -> [[UInt8]?] {
        guard !uids.isEmpty else { return [] }
        let blobs = self.blobs
        return try await self.read { db in
            let statement = try db.cachedStatement(sql: MailStoreSQL.messageBlob)
            var result: [[UInt8]?] = []
            result.reserveCapacity(uids.count)
            for uid in uids {
                guard let text = try String.fetchOne(statement, arguments: [mailboxID, Int64(uid)]) else {
                    result.append(nil)
                    continue
                }
                guard let blob = BlobID(text) else {
                    throw MailStoreError.storage("message \(uid) names an invalid blob \(text.debugDescription)")
                }
                do throws(BlobStoreError) {
                    result.append(try blobs.read(blob))
                } catch {
                    // Expunged (and its blob removed) between the lookup and the read.
                    guard case .notFound = error else { throw error }
                    result.append(nil)
                }
            }
            return result
        }
    }

    /// Changes the flags of the messages with these UIDs (missing UIDs are skipped) and returns those messages as they
    /// are afterwards, UID-ascending.
    public func updateFlags(mailboxID: Int64, uids: [UInt32], _ operation: FlagOperation) async throws(MailStoreError)
        -> [StoredMessage]
    {
        let operation = try MailStoreRows.validated(operation)
        let (messages, changed) = try await self.write { db in
            try MailStoreRows.updateFlags(db, mailboxID: mailboxID, uids: uids, operation)
        }
        if changed { self.broadcaster.yield([mailboxID]) }
        return messages
    }

    /// Copies the messages (missing UIDs skipped) into the user's mailbox `destination`, keeping flags and dates.
    public func copy(mailboxID: Int64, uids: [UInt32], to destination: String, user: String)
        async throws(MailStoreError) -> CopyResult
    {
        let blobs = self.blobs
        let (result, destinationID) = try await self.write { db in
            try MailStoreRows.copy(db, mailboxID: mailboxID, uids: uids, to: destination, user: user, blobs: blobs)
        }
        if !result.sourceUIDs.isEmpty { self.broadcaster.yield([destinationID]) }
        return result
    }

    /// Like `copy`, then removes the originals — one transaction.
    public func move(mailboxID: Int64, uids: [UInt32], to destination: String, user: String)
        async throws(MailStoreError) -> CopyResult
    {
        let (result, destinationID) = try await self.write { db in
            try MailStoreRows.move(db, mailboxID: mailboxID, uids: uids, to: destination, user: user)
        }
        if !result.sourceUIDs.isEmpty { self.broadcaster.yield(Set([mailboxID, destinationID])) }
        return result
    }

    /// Removes the messages flagged `\Deleted` (only those among `uids`, if given) and returns their UIDs ascending.
    public func expunge(mailboxID: Int64, uids: [UInt32]? = nil) async throws(MailStoreError) -> [UInt32] {
        let (expunged, removed) = try await self.write { db in
            try MailStoreRows.expunge(db, mailboxID: mailboxID, uids: uids)
        }
        await self.removeBlobs(removed)
        if !expunged.isEmpty { self.broadcaster.yield([mailboxID]) }
        return expunged
    }

    // MARK: Changes

    /// Yields a mailbox id after every committed change to that mailbox (by any session, delivery or APPEND), so
    /// IDLE can push EXISTS/EXPUNGE/FETCH at once. Ends when the consuming task is cancelled.
    public func changes() -> AsyncStream<Int64> {
        self.broadcaster.stream()
    }
}
