import GRDB

/// Opens a gateway's SQLite database the way every gateway needs it: a GRDB `DatabasePool` in WAL mode with
/// `synchronous = FULL` (a transaction is fsync'd when `write` returns), a busy timeout, foreign keys on, the file (and
/// its `-wal`/`-shm` companions) private to the owner (0600) in a private directory (0700), and the schema brought up
/// to date by the gateway's `DatabaseMigrator`.
///
/// A file that is not an SQLite database throws `.corrupt`; a database that lists migrations the migrator does not know
/// (written by a newer version) throws `.unsupportedSchema` and is left untouched.
public enum GatewayDatabase {
    /// How long a connection waits for another process holding the write lock, in seconds.
    public static let busyTimeout: Double = 10
    /// A checkpointed WAL is truncated back to at most this many bytes.
    public static let journalSizeLimit = 64 << 20
    /// Most reader connections of one pool.
    public static let maximumReaderCount = 8

    /// Opens (creating if needed) the database at `path` and runs `migrator`.
    /// - Parameter label: names the connections in GRDB's diagnostics (e.g. `"MailStore"`).
    public static func open(
        path: String, migrator: DatabaseMigrator, label: String = "GatewayDatabase"
    ) throws(GatewayDatabaseError) -> DatabasePool {
        guard !path.isEmpty else { throw .cannotOpen(path: path, reason: "empty path") }
        if let reason = PrivateFiles.createDirectory(PrivateFiles.parent(of: path)) {
            throw .cannotOpen(path: path, reason: reason)
        }
        // SQLite gives `-wal` and `-shm` the database file's mode, so a 0600 database keeps them private too.
        if let reason = PrivateFiles.createPrivateFile(path) { throw .cannotOpen(path: path, reason: reason) }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration(label: label))
            // GRDB lowers `synchronous` to NORMAL on the writer when it switches to WAL, after `prepareDatabase`.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw Self.mapped(error, path: path)
        }
        for suffix in ["-wal", "-shm"] {
            if let reason = PrivateFiles.restrictIfPresent(path + suffix) { throw .cannotOpen(path: path, reason: reason) }
        }
        try Self.migrate(pool, with: migrator, path: path)
        return pool
    }

    /// Connection settings shared by the writer and the readers.
    static func configuration(label: String) -> Configuration {
        var configuration = Configuration()
        configuration.label = label
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.maximumReaderCount = Self.maximumReaderCount
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA journal_size_limit = \(Self.journalSizeLimit)")
        }
        return configuration
    }

    /// Refuses databases written by a newer version, then applies the missing migrations.
    static func migrate(
        _ pool: DatabasePool, with migrator: DatabaseMigrator, path: String
    ) throws(GatewayDatabaseError) {
        let applied: Set<String>
        do {
            applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
        } catch {
            throw Self.mapped(error, path: path)
        }
        let unknown = applied.subtracting(migrator.migrations)
        guard unknown.isEmpty else { throw .unsupportedSchema(path: path, unknownVersions: unknown.sorted()) }
        do {
            try migrator.migrate(pool)
        } catch {
            if case .corrupt = Self.mapped(error, path: path) { throw Self.mapped(error, path: path) }
            throw .migrationFailed(path: path, reason: String(describing: error))
        }
    }

    /// Maps an error of GRDB or SQLite met while opening to a `GatewayDatabaseError`, in one place.
    static func mapped(_ error: any Error, path: String) -> GatewayDatabaseError {
        if let error = error as? GatewayDatabaseError { return error }
        if let error = error as? DatabaseError {
            let primary = error.resultCode.primaryResultCode
            if primary == .SQLITE_NOTADB || primary == .SQLITE_CORRUPT {
                return .corrupt(path: path, reason: error.message ?? error.description)
            }
            return .cannotOpen(path: path, reason: error.description)
        }
        return .cannotOpen(path: path, reason: String(describing: error))
    }
}
