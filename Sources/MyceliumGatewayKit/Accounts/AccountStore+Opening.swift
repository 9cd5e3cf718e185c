import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension AccountStore {
    /// Schema versions, oldest first. Add a migration for every change; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE account (
                        name TEXT NOT NULL PRIMARY KEY,
                        password_hash TEXT NOT NULL,
                        created INTEGER NOT NULL
                    )
                    """
            )
        }
        return migrator
    }

    /// Connection settings: WAL + `synchronous = FULL` (a change is on disk when the call returns), a busy timeout
    /// for another process (`mycelium user …`) holding the write lock.
    static func configuration(path: String) -> Configuration {
        var configuration = Configuration()
        configuration.label = "AccountStore"
        configuration.busyMode = .timeout(10)
        // Not `journalMode = .wal`: GRDB would then lower `synchronous` to NORMAL after our setup.
        configuration.journalMode = .default
        configuration.prepareDatabase { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode == "wal" else {
                throw AccountStoreError.storage(
                    "cannot switch \(path) to WAL mode (journal mode is \(mode ?? "unknown"))")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }

    /// Opens the queue, refuses a database written by a newer version, then applies the missing migrations.
    static func openQueue(path: String) throws(AccountStoreError) -> DatabaseQueue {
        try Self.preparePrivateFile(at: path)
        let migrator = Self.migrator
        do {
            let queue = try DatabaseQueue(path: path, configuration: Self.configuration(path: path))
            let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
            let unknown = applied.subtracting(migrator.migrations)
            guard unknown.isEmpty else {
                throw AccountStoreError.storage(
                    "\(path) was written by a newer version (unknown schema versions: "
                        + unknown.sorted().joined(separator: ", ") + ")")
            }
            try migrator.migrate(queue)
            return queue
        } catch {
            throw AccountStoreError(error, path: path)
        }
    }

    /// Creates missing parent directories with mode 0700 and the file with mode 0600 (an existing file is
    /// restricted to 0600), so SQLite's `-wal` and `-shm` files, which copy the database's mode, are private too.
    static func preparePrivateFile(at path: String) throws(AccountStoreError) {
        guard !path.isEmpty else { throw .storage("empty database path") }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try Self.createPrivateDirectory(parent)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else { throw .storage("cannot open \(path): \(Self.lastErrorText())") }
        defer { _ = close(descriptor) }
        guard fchmod(descriptor, mode_t(0o600)) == 0 else {
            throw .storage("cannot restrict \(path) to mode 0600: \(Self.lastErrorText())")
        }
    }

    /// Creates `directory` and its missing ancestors with mode 0700; an existing directory is left as it is.
    private static func createPrivateDirectory(_ directory: String) throws(AccountStoreError) {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/" {
            var status = stat()
            if stat(current, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else { throw .storage("\(current) is not a directory") }
                break
            }
            missing.append(current)
            current = URL(fileURLWithPath: current).deletingLastPathComponent().path
        }
        for component in missing.reversed() {
            if mkdir(component, mode_t(0o700)) != 0 {
                let error = errno
                guard error == EEXIST else {
                    throw .storage("cannot create \(component): \(String(cString: strerror(error)))")
                }
                continue
            }
            // mkdir's mode is filtered by the umask; set it exactly.
            guard chmod(component, mode_t(0o700)) == 0 else {
                throw .storage("cannot set \(component) to mode 0700: \(Self.lastErrorText())")
            }
        }
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}

extension AccountStoreError {
    /// Maps any error thrown inside a database access to an `AccountStoreError`, in one place.
    init(_ error: any Error, path: String) {
        if let error = error as? AccountStoreError {
            self = error
            return
        }
        if let error = error as? DatabaseError {
            let primary = error.resultCode.primaryResultCode
            if primary == .SQLITE_NOTADB || primary == .SQLITE_CORRUPT {
                self = .storage("\(path) is not an accounts database (\(error.message ?? error.description))")
                return
            }
            self = .storage("\(path): \(error.message ?? error.description)")
            return
        }
        self = .storage("\(path): \(error)")
    }
}
