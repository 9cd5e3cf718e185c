import GRDB
import MyceliumGatewayKit

#if canImport(GRDBSQLite)
import GRDBSQLite
#else
import SQLite3
#endif

extension MailStoreRows {
    /// The mailbox and its messages, UID-ascending.
    ///
    /// The hot path of `SELECT` and `FETCH 1:* (FLAGS)`: the columns are read straight from the SQLite statement the
    /// cursor steps, and a flags string equal to the previous row's (the usual case) is not decoded again.
    static func snapshot(_ db: Database, mailboxID: Int64) throws -> MailboxSnapshot {
        let mailbox = try Self.existingMailbox(db, id: mailboxID)
        var messages: [StoredMessage] = []
        messages.reserveCapacity(min(Int(mailbox.mailbox.uidNext), Self.snapshotReserve))
        var flagSets: [String: MessageFlags] = [:]
        var previousText: [UInt8] = []
        var previousFlags = MessageFlags()
        let statement = try db.cachedStatement(sql: MailStoreSQL.messagesOfMailbox)
        let cursor = try Row.fetchCursor(statement, arguments: [mailboxID])
        let sqlite = statement.sqliteStatement
        while try cursor.next() != nil {
            let pointer = sqlite3_column_text(sqlite, 1)
            let count = pointer == nil ? 0 : max(0, Int(sqlite3_column_bytes(sqlite, 1)))
            let text = UnsafeRawBufferPointer(start: pointer, count: count)
            if !text.elementsEqual(previousText) {
                previousText = Array(text)
                let string = String(decoding: text, as: UTF8.self)
                if let known = flagSets[string] {
                    previousFlags = known
                } else {
                    previousFlags = MessageFlags(storageString: string)
                    flagSets[string] = previousFlags
                }
            }
            messages.append(
                StoredMessage(
                    uid: try Self.uid(sqlite3_column_int64(sqlite, 0)), flags: previousFlags,
                    internalDate: sqlite3_column_int64(sqlite, 2), size: Int(sqlite3_column_int64(sqlite, 3))))
        }
        return MailboxSnapshot(mailbox: mailbox.mailbox, messages: messages, modificationSequence: mailbox.modseq)
    }

    /// `FlagOperation` with validated flags.
    static func validated(_ operation: FlagOperation) throws(MailStoreError) -> FlagOperation {
        switch operation {
        case .add(let flags): .add(try Self.validated(flags))
        case .remove(let flags): .remove(try Self.validated(flags))
        case .replace(let flags): .replace(try Self.validated(flags))
        }
    }

    /// Applies a flag operation; returns the messages afterwards and whether any changed (the modseq is bumped then).
    static func updateFlags(
        _ db: Database, mailboxID: Int64, uids: [UInt32], _ operation: FlagOperation
    ) throws -> ([StoredMessage], Bool) {
        _ = try Self.existingMailbox(db, id: mailboxID)
        let rows = try Self.messages(db, mailboxID: mailboxID, uids: uids)
        let statement = try db.cachedStatement(sql: MailStoreSQL.setFlags)
        var result: [StoredMessage] = []
        result.reserveCapacity(rows.count)
        var changed = false
        for row in rows {
            var message = row.message
            switch operation {
            case .add(let flags): message.flags.formUnion(flags)
            case .remove(let flags): message.flags.subtract(flags)
            case .replace(let flags): message.flags = flags
            }
            guard message.flags.flags.count <= MessageFlags.maximumCount else {
                throw MailStoreError.invalidFlags("more than \(MessageFlags.maximumCount) flags")
            }
            if message.flags != row.message.flags {
                try statement.execute(arguments: [message.flags.storageString, mailboxID, Int64(message.uid)])
                changed = true
            }
            result.append(message)
        }
        if changed { try Self.bumpModseq(db, mailboxID: mailboxID) }
        return (result, changed)
    }

    /// Copies rows into `destination` with new UIDs, each with a hard link to the original's blob.
    static func copy(
        _ db: Database, mailboxID: Int64, uids: [UInt32], to destination: String, user: String, blobs: BlobStore
    ) throws -> (CopyResult, Int64) {
        _ = try Self.existingMailbox(db, id: mailboxID)
        var target = try Self.existingMailbox(db, user: user, name: destination)
        let rows = try Self.messages(db, mailboxID: mailboxID, uids: uids)
        guard !rows.isEmpty else {
            return (CopyResult(uidValidity: target.mailbox.uidValidity, sourceUIDs: [], destinationUIDs: []),
                target.mailbox.id)
        }
        try Self.checkUIDSpace(target, adding: rows.count)
        let links = try blobs.link(rows.map(\.blob))
        do {
            var destinationUIDs: [UInt32] = []
            destinationUIDs.reserveCapacity(rows.count)
            for (row, link) in zip(rows, links) {
                destinationUIDs.append(
                    try Self.insertMessage(
                        db, into: &target, flags: row.message.flags, internalDate: row.message.internalDate,
                        size: row.message.size, blob: link))
            }
            try Self.commitUIDNext(db, target)
            let result = CopyResult(
                uidValidity: target.mailbox.uidValidity, sourceUIDs: rows.map(\.message.uid),
                destinationUIDs: destinationUIDs)
            return (result, target.mailbox.id)
        } catch {
            for link in links { try? blobs.remove(link) }
            throw error
        }
    }

    /// RFC 6851 §3.3: moves rows into `destination` with new UIDs (the blobs stay), in one transaction.
    static func move(
        _ db: Database, mailboxID: Int64, uids: [UInt32], to destination: String, user: String
    ) throws -> (CopyResult, Int64) {
        let source = try Self.existingMailbox(db, id: mailboxID)
        var target = try Self.existingMailbox(db, user: user, name: destination)
        let rows = try Self.messages(db, mailboxID: mailboxID, uids: uids)
        guard !rows.isEmpty else {
            return (CopyResult(uidValidity: target.mailbox.uidValidity, sourceUIDs: [], destinationUIDs: []),
                target.mailbox.id)
        }
        try Self.checkUIDSpace(target, adding: rows.count)
        let statement = try db.cachedStatement(sql: MailStoreSQL.moveMessage)
        var destinationUIDs: [UInt32] = []
        destinationUIDs.reserveCapacity(rows.count)
        for row in rows {
            let uid = target.mailbox.uidNext
            try statement.execute(arguments: [
                target.mailbox.id, Int64(uid), source.mailbox.id, Int64(row.message.uid),
            ])
            target.mailbox.uidNext = uid + 1
            destinationUIDs.append(uid)
        }
        try Self.commitUIDNext(db, target)
        if source.mailbox.id != target.mailbox.id { try Self.bumpModseq(db, mailboxID: source.mailbox.id) }
        let result = CopyResult(
            uidValidity: target.mailbox.uidValidity, sourceUIDs: rows.map(\.message.uid),
            destinationUIDs: destinationUIDs)
        return (result, target.mailbox.id)
    }

    /// Deletes the rows flagged `\Deleted` (among `uids` if given); returns their UIDs and their blobs, to remove
    /// after the commit.
    static func expunge(_ db: Database, mailboxID: Int64, uids: [UInt32]?) throws -> ([UInt32], [BlobID]) {
        _ = try Self.existingMailbox(db, id: mailboxID)
        let wanted = uids.map(Set.init)
        var expunged: [UInt32] = []
        var blobs: [BlobID] = []
        let cursor = try Row.fetchCursor(
            db.cachedStatement(sql: MailStoreSQL.deletedMessages), arguments: [mailboxID])
        while let row = try cursor.next() {
            let uid = try Self.uid(row.decode(atIndex: 0))
            if let wanted, !wanted.contains(uid) { continue }
            expunged.append(uid)
            let blob: String = try row.decode(atIndex: 1)
            if let blob = BlobID(blob) { blobs.append(blob) }
        }
        guard !expunged.isEmpty else { return ([], []) }
        let statement = try db.cachedStatement(sql: MailStoreSQL.deleteMessage)
        for uid in expunged { try statement.execute(arguments: [mailboxID, Int64(uid)]) }
        try Self.bumpModseq(db, mailboxID: mailboxID)
        return (expunged, blobs)
    }

    /// RFC 3501 §6.3.5 RENAME; returns the ids of the mailboxes changed.
    ///
    /// "If the name has inferior hierarchical names, then the inferior hierarchical names MUST also be renamed." …
    /// "Renaming INBOX is permitted, and has special behavior. It moves all messages in INBOX to a new mailbox with
    /// the given name, leaving INBOX empty."
    static func rename(_ db: Database, user: String, from: String, to: String, now: Int64) throws -> [Int64] {
        let source = try Self.existingMailbox(db, user: user, name: from)
        guard try Self.mailbox(db, user: user, name: to) == nil else { throw MailStoreError.mailboxExists(to) }
        if source.mailbox.name == MailboxName.inbox {
            var target = try Self.insertMailbox(db, user: user, name: to, specialUse: nil, subscribed: false, now: now)
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: MailStoreSQL.fullMessagesOfMailbox), arguments: [source.mailbox.id])
            let statement = try db.cachedStatement(sql: MailStoreSQL.moveMessage)
            for row in rows {
                let uid = try Self.uid(row.decode(atIndex: 0))
                try statement.execute(arguments: [
                    target.mailbox.id, Int64(target.mailbox.uidNext), source.mailbox.id, Int64(uid),
                ])
                target.mailbox.uidNext += 1
            }
            try Self.commitUIDNext(db, target)
            try Self.bumpModseq(db, mailboxID: source.mailbox.id)
            return [source.mailbox.id, target.mailbox.id]
        }
        guard to != MailboxName.inbox else { throw MailStoreError.notPermitted("cannot rename a mailbox to INBOX") }
        guard !MailboxName.isInferior(to, of: from) else {
            throw MailStoreError.notPermitted("cannot rename a mailbox into its own hierarchy")
        }
        let inferiors = try Self.mailboxes(db, user: user).filter { MailboxName.isInferior($0.mailbox.name, of: from) }
        var renames = [(source.mailbox.id, to)]
        for inferior in inferiors {
            let name = MailboxName.replacingParent(of: inferior.mailbox.name, from, with: to)
            guard name.utf8.count <= MailboxName.maximumByteCount else { throw MailStoreError.invalidMailboxName(name) }
            renames.append((inferior.mailbox.id, name))
        }
        // A new name may be an old name of the renamed set (`A/B` → `A` moves `A/B/B` to `A/B`), never another's.
        let renamed = Set(renames.map(\.0))
        for (_, name) in renames.dropFirst() {
            if let existing = try Self.mailbox(db, user: user, name: name), !renamed.contains(existing.mailbox.id) {
                throw MailStoreError.mailboxExists(name)
            }
        }
        // Two passes, so no intermediate state collides with the UNIQUE (user, name) constraint.
        let statement = try db.cachedStatement(sql: MailStoreSQL.renameMailbox)
        for (id, _) in renames { try statement.execute(arguments: ["\u{1}renaming \(id)", id]) }
        for (id, name) in renames { try statement.execute(arguments: [name, id]) }
        return renames.map(\.0)
    }

    private static func checkUIDSpace(_ mailbox: MailboxRow, adding count: Int) throws {
        guard UInt64(mailbox.mailbox.uidNext) + UInt64(count) < UInt64(UInt32.max) else {
            throw MailStoreError.storage("mailbox UIDs exhausted")
        }
    }
}
