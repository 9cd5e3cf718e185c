import Foundation
import GRDB
import MyceliumGatewayKit
import Testing

@Suite("GatewayDatabase")
struct GatewayDatabaseTests {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "CREATE TABLE parent (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "CREATE TABLE child (parent INTEGER NOT NULL REFERENCES parent(id))")
        }
        return migrator
    }

    @Test("opens in WAL mode with synchronous=FULL, foreign keys on, private files and directory")
    func settingsAndModes() throws {
        let directory = try StoreTestDirectory("GatewayDatabase")
        defer { directory.remove() }
        let path = directory.path + "/nested/deeper/gateway.sqlite"
        let pool = try GatewayDatabase.open(path: path, migrator: Self.migrator)
        let (journal, synchronous, foreignKeys) = try pool.write { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(foreignKeys == 1)
        let readerForeignKeys = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(readerForeignKeys == 1)
        #expect(StoreTestDirectory.mode(of: path) == 0o600)
        #expect(StoreTestDirectory.mode(of: path + "-wal") == 0o600)
        #expect(StoreTestDirectory.mode(of: path + "-shm") == 0o600)
        #expect(StoreTestDirectory.mode(of: directory.path + "/nested") == 0o700)
        #expect(StoreTestDirectory.mode(of: directory.path + "/nested/deeper") == 0o700)
        // Foreign keys are enforced.
        #expect(throws: DatabaseError.self) {
            try pool.write { db in try db.execute(sql: "INSERT INTO child (parent) VALUES (42)") }
        }
    }

    @Test("migrations run once and data survives reopening")
    func reopen() throws {
        let directory = try StoreTestDirectory("GatewayDatabase")
        defer { directory.remove() }
        let path = directory.path + "/gateway.sqlite"
        do {
            let pool = try GatewayDatabase.open(path: path, migrator: Self.migrator)
            try pool.write { db in try db.execute(sql: "INSERT INTO parent (id) VALUES (7)") }
        }
        let pool = try GatewayDatabase.open(path: path, migrator: Self.migrator)
        let ids = try pool.read { db in try Int.fetchAll(db, sql: "SELECT id FROM parent") }
        #expect(ids == [7])
    }

    @Test("an existing file is restricted to 0600")
    func restrictsExistingFile() throws {
        let directory = try StoreTestDirectory("GatewayDatabase")
        defer { directory.remove() }
        let path = directory.path + "/gateway.sqlite"
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try GatewayDatabase.open(path: path, migrator: Self.migrator)
        #expect(StoreTestDirectory.mode(of: path) == 0o600)
    }

    @Test("a file that is not a database is a corrupt error")
    func garbage() throws {
        let directory = try StoreTestDirectory("GatewayDatabase")
        defer { directory.remove() }
        let path = directory.path + "/gateway.sqlite"
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        do {
            _ = try GatewayDatabase.open(path: path, migrator: Self.migrator)
            Issue.record("opened a garbage file")
        } catch {
            guard case .corrupt = error else {
                Issue.record("expected .corrupt, got \(error)")
                return
            }
        }
    }

    @Test("a schema newer than the migrator knows is refused and left untouched")
    func newerSchema() throws {
        let directory = try StoreTestDirectory("GatewayDatabase")
        defer { directory.remove() }
        let path = directory.path + "/gateway.sqlite"
        var newer = Self.migrator
        newer.registerMigration("v2") { db in try db.execute(sql: "CREATE TABLE later (x INTEGER)") }
        do { _ = try GatewayDatabase.open(path: path, migrator: newer) }
        do {
            _ = try GatewayDatabase.open(path: path, migrator: Self.migrator)
            Issue.record("opened a newer schema")
        } catch {
            #expect(error == .unsupportedSchema(path: path, unknownVersions: ["v2"]))
        }
        // Still fine for the newer version.
        let pool = try GatewayDatabase.open(path: path, migrator: newer)
        let count = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM later") }
        #expect(count == 0)
    }

    @Test("a path under a regular file cannot be opened")
    func parentIsFile() throws {
        let directory = try StoreTestDirectory("GatewayDatabase")
        defer { directory.remove() }
        let file = directory.path + "/file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1])))
        #expect(throws: GatewayDatabaseError.self) {
            _ = try GatewayDatabase.open(path: file + "/gateway.sqlite", migrator: Self.migrator)
        }
    }
}
