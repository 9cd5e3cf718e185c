import Foundation
import GRDB
import MyceliumCore

/// The durable part of the message bus: the outbox, the undelivered inbox and the delivery keys that keep a
/// receiver from delivering the same message twice, in one SQLite database in the node's state directory.
///
/// Durability (DESIGN §5): the database runs in WAL mode with `synchronous = FULL`, so a batch is on disk
/// (the WAL fsynced) when `apply(_:)` returns. A message accepted by `POST /api/v1/messages` (201) and data
/// acknowledged on the wire are therefore persisted before the reply or ACK goes out.
///
/// All calls are synchronous and block the calling thread (the bus driver calls from a dedicated thread);
/// the bus driver batches many writes into one `apply(_:)` call, which is one transaction (group commit).
/// The database closes when the last reference to the store goes away. There is deliberately no `close()`:
/// GRDB crashes (rather than throws) on a read after an explicit close.
public final class MessageStore: Sendable {
    /// `DatabaseQueue` is `Sendable`: it serializes every access on its own dispatch queue.
    private let queue: DatabaseQueue
    /// The database file, or `nil` for an in-memory store.
    public let path: String?

    private init(queue: DatabaseQueue, path: String?) {
        self.queue = queue
        self.path = path
    }

    /// Opens (creating if needed) the SQLite database at `path`.
    ///
    /// Missing parent directories are created with mode 0700 (existing ones are left alone); the database file
    /// is created with mode 0600 (and an existing one is restricted to 0600). Opening a file that is not an
    /// SQLite database throws `.corrupt`; a database written by a newer version throws `.unsupportedSchema`.
    public init(path: String) throws(MessageStoreError) {
        try Self.preparePrivateFile(at: path)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: Self.configuration(path: path))
        } catch {
            throw MessageStoreError(error, during: .open(path: path))
        }
        try Self.migrate(queue, path: path)
        self.queue = queue
        self.path = path
    }

    /// A private in-memory database (tests). Same schema; nothing survives the instance.
    public static func inMemory() throws(MessageStoreError) -> MessageStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: Self.configuration(path: nil))
        } catch {
            throw MessageStoreError(error, during: .open(path: ":memory:"))
        }
        try Self.migrate(queue, path: ":memory:")
        return MessageStore(queue: queue, path: nil)
    }

    // MARK: - Writing

    /// Applies all writes in one transaction (all or nothing) and returns one result per write, in order.
    ///
    /// When the call returns, the transaction is committed and on disk. When it throws, none of the writes
    /// was applied: `.invalidWrite(index:reason:)` names the write the schema rejected.
    public func apply(_ writes: [MessageStoreWrite]) throws(MessageStoreError) -> [MessageStoreWriteResult] {
        guard !writes.isEmpty else { return [] }
        do {
            return try self.queue.write { db in
                var results: [MessageStoreWriteResult] = []
                results.reserveCapacity(writes.count)
                for (index, write) in writes.enumerated() {
                    do {
                        results.append(try Self.perform(write, in: db))
                    } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_CONSTRAINT {
                        throw MessageStoreError.invalidWrite(index: index, reason: error.message ?? error.description)
                    }
                }
                return results
            }
        } catch {
            throw MessageStoreError(error, during: .write)
        }
    }

    private static func perform(_ write: MessageStoreWrite, in db: Database) throws -> MessageStoreWriteResult {
        switch write {
        case .saveOutgoing(let message):
            // An empty `Data` may bind with a nil pointer, which SQLite takes as NULL: the SQL coalesces to x''.
            let payload = message.state.isFinal ? nil : message.payload
            try db.cachedStatement(sql: MessageStoreSQL.saveOutgoing).execute(arguments: [
                Data(message.id.bytes), message.isReply, Data(message.destination.bytes), Data(message.topic),
                payload != nil, payload.map { Data($0) }, Int64(bitPattern: message.length), message.created,
                message.deadline, message.state.rawValue,
            ])
            return .done
        case .updateOutgoing(let id, let state):
            let sql = state.isFinal ? MessageStoreSQL.finishOutgoing : MessageStoreSQL.updateOutgoing
            try db.cachedStatement(sql: sql).execute(arguments: [state.rawValue, Data(id.bytes)])
            return .done
        case .deleteOutgoing(let id):
            try db.cachedStatement(sql: MessageStoreSQL.deleteOutgoing).execute(arguments: [Data(id.bytes)])
            return .done
        case .saveIncoming(let incoming):
            let message = incoming.message
            let source = Data(message.source.bytes)
            let id = Data(message.id.bytes)
            try db.cachedStatement(sql: MessageStoreSQL.recordDeliveryKey).execute(arguments: [
                source, id, incoming.isReply, incoming.receivedAt,
            ])
            guard db.changesCount == 1 else { return .duplicate }
            try db.cachedStatement(sql: MessageStoreSQL.saveIncoming).execute(arguments: [
                id, source, Data(message.sourceKey.rawBytes), Data(message.destination.bytes),
                Data(message.destinationKey.rawBytes), Data(message.topic), Data(message.payload),
                incoming.isReply, incoming.receivedAt,
            ])
            return .stored(sequence: db.lastInsertedRowID)
        case .deleteIncoming(let sequence):
            try db.cachedStatement(sql: MessageStoreSQL.deleteIncoming).execute(arguments: [sequence])
            return .done
        case .pruneDelivered(let before):
            try db.cachedStatement(sql: MessageStoreSQL.pruneDelivered).execute(arguments: [before])
            return .done
        case .pruneOutgoing(let finishedBefore):
            try db.cachedStatement(sql: MessageStoreSQL.pruneOutgoing).execute(arguments: [finishedBefore])
            return .done
        }
    }

    // MARK: - Reading

    /// Every outbox row, ordered by creation time, then id (as an unsigned number).
    public func loadOutbox() throws(MessageStoreError) -> [StoredOutgoingMessage] {
        try self.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: MessageStoreSQL.loadOutbox))
            var messages: [StoredOutgoingMessage] = []
            while let row = try rows.next() {
                messages.append(try row.storedOutgoingMessage())
            }
            return messages
        }
    }

    /// Every undelivered inbox message, in arrival (sequence) order.
    public func loadInbox() throws(MessageStoreError) -> [StoredIncomingMessage] {
        try self.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: MessageStoreSQL.loadInbox))
            var messages: [StoredIncomingMessage] = []
            while let row = try rows.next() {
                messages.append(try row.storedIncomingMessage())
            }
            return messages
        }
    }

    /// Every recorded delivery key, oldest first.
    public func loadDeliveryKeys() throws(MessageStoreError) -> [MessageDeliveryKey] {
        try self.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: MessageStoreSQL.loadDeliveryKeys))
            var keys: [MessageDeliveryKey] = []
            while let row = try rows.next() {
                keys.append(try row.messageDeliveryKey())
            }
            return keys
        }
    }

    /// The number of undelivered inbox messages and the sum of their payload sizes in bytes.
    public func inboxUsage() throws(MessageStoreError) -> (count: Int, bytes: Int) {
        try self.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: MessageStoreSQL.inboxUsage)) else { return (0, 0) }
            let count = try row.storeInt64(0, "count")
            let bytes = try row.storeInt64(1, "bytes")
            return (Int(truncatingIfNeeded: count), Int(truncatingIfNeeded: bytes))
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(MessageStoreError) -> T {
        do {
            return try self.queue.read(body)
        } catch {
            throw MessageStoreError(error, during: .read)
        }
    }

    /// The connection's effective settings (tests check them).
    func settings() throws(MessageStoreError) -> (journalMode: String, synchronous: Int64, foreignKeys: Int64) {
        try self.read { db in
            let journalMode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            let synchronous = try Int64.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            let foreignKeys = try Int64.fetchOne(db, sql: "PRAGMA foreign_keys") ?? -1
            return (journalMode, synchronous, foreignKeys)
        }
    }

    /// Runs raw SQL outside the store's rules (tests only: simulating damaged or newer databases).
    func executeForTesting(_ sql: String) throws(MessageStoreError) {
        do {
            try self.queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
        } catch {
            throw MessageStoreError(error, during: .write)
        }
    }
}
