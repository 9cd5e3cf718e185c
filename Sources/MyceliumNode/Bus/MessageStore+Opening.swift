import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension MessageStore {
    /// Schema versions, oldest first. Add a migration for every change; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: MessageStoreSQL.schemaV1)
        }
        return migrator
    }

    /// Connection settings: WAL + `synchronous = FULL` on disk (a committed transaction is fsynced before
    /// `apply` returns), no foreign keys, a busy timeout for another process holding the write lock.
    static func configuration(path: String?) -> Configuration {
        var configuration = Configuration()
        configuration.label = "MessageStore"
        configuration.foreignKeysEnabled = false
        configuration.busyMode = .timeout(10)
        // Not `journalMode = .wal`: GRDB would then lower `synchronous` to NORMAL after our setup.
        configuration.journalMode = .default
        configuration.prepareDatabase { db in
            if let path {
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else {
                    throw MessageStoreError.cannotOpen(
                        path: path, reason: "cannot switch to WAL mode (journal mode is \(mode ?? "unknown"))")
                }
                // Do not let a checkpointed WAL stay larger than one maximal message.
                try db.execute(sql: "PRAGMA journal_size_limit = \(64 << 20)")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }

    /// Refuses databases written by a newer version, then applies the missing migrations.
    static func migrate(_ queue: DatabaseQueue, path: String) throws(MessageStoreError) {
        let migrator = Self.migrator
        do {
            let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
            let unknown = applied.subtracting(migrator.migrations)
            guard unknown.isEmpty else {
                throw MessageStoreError.unsupportedSchema(unknownVersions: unknown.sorted())
            }
            try migrator.migrate(queue)
        } catch {
            throw MessageStoreError(error, during: .open(path: path))
        }
    }

    /// Creates missing parent directories with mode 0700 and the file with mode 0600 (an existing file is
    /// restricted to 0600), so SQLite's `-wal` and `-shm` files, which copy the database's mode, are private too.
    static func preparePrivateFile(at path: String) throws(MessageStoreError) {
        guard !path.isEmpty else { throw .cannotOpen(path: path, reason: "empty path") }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try Self.createPrivateDirectory(parent, for: path)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: Self.lastErrorText()) }
        defer { _ = close(descriptor) }
        guard fchmod(descriptor, mode_t(0o600)) == 0 else {
            throw .cannotOpen(path: path, reason: "cannot restrict the file's mode to 0600: \(Self.lastErrorText())")
        }
    }

    /// Creates `directory` and its missing ancestors with mode 0700; an existing directory is left as it is.
    private static func createPrivateDirectory(_ directory: String, for path: String) throws(MessageStoreError) {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/" {
            var status = stat()
            if stat(current, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw .cannotOpen(path: path, reason: "\(current) is not a directory")
                }
                break
            }
            missing.append(current)
            current = URL(fileURLWithPath: current).deletingLastPathComponent().path
        }
        for component in missing.reversed() {
            if mkdir(component, mode_t(0o700)) != 0 {
                let error = errno
                guard error == EEXIST else {
                    throw .cannotOpen(path: path, reason: "cannot create \(component): \(String(cString: strerror(error)))")
                }
                continue
            }
            // mkdir's mode is filtered by the umask; set it exactly.
            guard chmod(component, mode_t(0o700)) == 0 else {
                throw .cannotOpen(path: path, reason: "cannot set \(component) to 0700: \(Self.lastErrorText())")
            }
        }
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}

