import Foundation
import GRDB
import MyceliumCore
import MyceliumGatewayKit

/// The mail gateway's durable queues, in `queue.sqlite` beside the mail store:
/// - `outbound`: messages for other nodes, kept (content included) until their gateway reports or they expire, so a
///   message SMTP acknowledged survives restarts of either node;
/// - `received`: the envelopes this gateway delivered, by (sending node, envelope id), with the report it sent, so a
///   delivery handed over again is answered with the same report and never stored twice.
public final class MailQueue: Sendable {
    private let database: DatabasePool

    /// Remembered deliveries are forgotten after this long (a sender stops resending long before).
    public static let receivedRetention: Int64 = 30 * 86_400_000

    public init(path: String) throws(MailStoreError) {
        do {
            self.database = try GatewayDatabase.open(path: path, migrator: Self.migrator, label: "MailQueue")
        } catch {
            throw .storage("\(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbound (
                        id INTEGER PRIMARY KEY,
                        destination TEXT NOT NULL,
                        sender TEXT NOT NULL,
                        reversePath TEXT NOT NULL,
                        recipients TEXT NOT NULL,
                        content BLOB NOT NULL,
                        createdAt INTEGER NOT NULL,
                        expiresAt INTEGER NOT NULL,
                        nextAttemptAt INTEGER NOT NULL,
                        attempts INTEGER NOT NULL,
                        lastError TEXT
                    );
                    CREATE INDEX outboundDue ON outbound(nextAttemptAt);
                    CREATE TABLE received (
                        source TEXT NOT NULL,
                        id INTEGER NOT NULL,
                        report BLOB NOT NULL,
                        receivedAt INTEGER NOT NULL,
                        PRIMARY KEY (source, id)
                    );
                    CREATE INDEX receivedAge ON received(receivedAt);
                    """
            )
        }
        return migrator
    }

    // MARK: Outbound

    /// Commits every item in one transaction: when this returns, all are on disk.
    public func enqueue(_ items: [QueuedMail]) async throws(MailStoreError) {
        try await self.write { db in
            for item in items {
                try db.execute(
                    sql: """
                        INSERT INTO outbound (id, destination, sender, reversePath, recipients, content, createdAt,
                            expiresAt, nextAttemptAt, attempts, lastError) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        Int64(bitPattern: item.id), "\(item.destination)", item.sender, item.reversePath,
                        Self.encode(item.recipients), Data(item.content), item.createdAt, item.expiresAt,
                        item.nextAttemptAt, item.attempts, item.lastError,
                    ]
                )
            }
        }
    }

    /// Items whose next attempt is due at `now`, oldest first, at most `limit`.
    public func due(now: Int64, limit: Int = 64) async throws(MailStoreError) -> [QueuedMail] {
        try await self.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outbound WHERE nextAttemptAt <= ? ORDER BY nextAttemptAt LIMIT ?",
                arguments: [now, limit]
            ).compactMap(Self.item)
        }
    }

    /// When the earliest item falls due, or `nil` when the queue is empty.
    public func nextAttemptAt() async throws(MailStoreError) -> Int64? {
        try await self.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(nextAttemptAt) FROM outbound") }
    }

    public func item(id: UInt64) async throws(MailStoreError) -> QueuedMail? {
        try await self.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbound WHERE id = ?", arguments: [Int64(bitPattern: id)])
                .flatMap(Self.item)
        }
    }

    /// All queued items (for `mailq`-style listings and tests), oldest first.
    public func all() async throws(MailStoreError) -> [QueuedMail] {
        try await self.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbound ORDER BY createdAt, id").compactMap(Self.item)
        }
    }

    /// Records a hand-over to the bus (or its failure) and when to try next.
    public func recordAttempt(id: UInt64, nextAttemptAt: Int64, error: String?) async throws(MailStoreError) {
        try await self.write { db in
            try db.execute(
                sql: "UPDATE outbound SET attempts = attempts + 1, nextAttemptAt = ?, lastError = ? WHERE id = ?",
                arguments: [nextAttemptAt, error, Int64(bitPattern: id)]
            )
        }
    }

    /// Keeps only `recipients` of an item (the others were settled by a report).
    public func replaceRecipients(id: UInt64, with recipients: [MailAddress]) async throws(MailStoreError) {
        try await self.write { db in
            try db.execute(
                sql: "UPDATE outbound SET recipients = ? WHERE id = ?",
                arguments: [Self.encode(recipients), Int64(bitPattern: id)]
            )
        }
    }

    /// Removes an item (reported or expired) and returns it; `nil` if it was not queued (a repeated report).
    public func remove(id: UInt64) async throws(MailStoreError) -> QueuedMail? {
        try await self.write { db in
            let key = Int64(bitPattern: id)
            let item = try Row.fetchOne(db, sql: "SELECT * FROM outbound WHERE id = ?", arguments: [key])
                .flatMap(Self.item)
            try db.execute(sql: "DELETE FROM outbound WHERE id = ?", arguments: [key])
            return item
        }
    }

    // MARK: Received

    /// The report already sent for this delivery, if it was delivered before.
    public func report(source: IPv6Address, id: UInt64) async throws(MailStoreError) -> [UInt8]? {
        try await self.read { db in
            try Data.fetchOne(
                db, sql: "SELECT report FROM received WHERE source = ? AND id = ?",
                arguments: ["\(source)", Int64(bitPattern: id)]
            ).map { Array($0) }
        }
    }

    /// Remembers a delivery's report, and forgets those older than `receivedRetention`.
    public func recordReceived(source: IPv6Address, id: UInt64, report: [UInt8], now: Int64)
        async throws(MailStoreError)
    {
        try await self.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO received (source, id, report, receivedAt) VALUES (?, ?, ?, ?)",
                arguments: ["\(source)", Int64(bitPattern: id), Data(report), now]
            )
            try db.execute(
                sql: "DELETE FROM received WHERE receivedAt < ?", arguments: [now - Self.receivedRetention]
            )
        }
    }

    // MARK: Rows

    private static func encode(_ recipients: [MailAddress]) -> String {
        recipients.map { "\($0.localPart)\t\($0.domain)" }.joined(separator: "\n")
    }

    private static func decode(_ text: String) -> [MailAddress] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return MailAddress(localPart: String(parts[0]), domain: String(parts[1]))
        }
    }

    private static func item(_ row: Row) -> QueuedMail? {
        guard let destinationText: String = row["destination"], let destination = IPv6Address(destinationText),
            let id: Int64 = row["id"], let content: Data = row["content"]
        else { return nil }
        return QueuedMail(
            id: UInt64(bitPattern: id), destination: destination, sender: row["sender"] ?? "",
            reversePath: row["reversePath"] ?? "", recipients: Self.decode(row["recipients"] ?? ""),
            content: Array(content), createdAt: row["createdAt"] ?? 0, expiresAt: row["expiresAt"] ?? 0,
            nextAttemptAt: row["nextAttemptAt"] ?? 0, attempts: row["attempts"] ?? 0, lastError: row["lastError"]
        )
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(MailStoreError) -> T
    {
        do {
            return try await self.database.read(body)
        } catch {
            throw .storage("\(error)")
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(MailStoreError)
        -> T
    {
        do {
            return try await self.database.write(body)
        } catch {
            throw .storage("\(error)")
        }
    }
}
