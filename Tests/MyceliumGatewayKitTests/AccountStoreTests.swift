import Foundation
import GRDB
import Testing

@testable import MyceliumGatewayKit

/// A fresh directory under the system's temporary directory, removed at the end of the test.
private struct ScratchDirectory: ~Copyable {
    let path: String

    init() {
        self.path = NSTemporaryDirectory() + "account-store-test-" + UUID().uuidString
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}

@Suite("Account store")
struct AccountStoreTests {
    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("names are lowercased, then must be 1-64 of [a-z0-9._-], not starting with '.' or '-'")
    func names() throws {
        #expect(try AccountStore.canonicalName("Alice") == "alice")
        #expect(try AccountStore.canonicalName("bob.smith_2-x") == "bob.smith_2-x")
        #expect(try AccountStore.canonicalName("_x") == "_x")
        #expect(try AccountStore.canonicalName(String(repeating: "a", count: 64)).count == 64)
        for bad in ["", ".alice", "-alice", "al ice", "al@ice", "ällo", "a/b", String(repeating: "a", count: 65)] {
            #expect(throws: AccountStoreError.invalidName(bad)) { try AccountStore.canonicalName(bad) }
        }
    }

    @Test("add, list, contains, setPassword, remove; typed errors for duplicates, unknown users and bad passwords")
    func management() throws {
        let directory = ScratchDirectory()
        let store = try AccountStore(path: directory.path + "/accounts.sqlite")
        let before = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try store.add("Bob", password: Self.bytes("secret"))
        try store.add("alice", password: Self.bytes("pw"))
        #expect(throws: AccountStoreError.exists("alice")) { try store.add("ALICE", password: Self.bytes("x")) }
        #expect(throws: AccountStoreError.passwordEmpty) { try store.add("carol", password: []) }
        #expect(throws: AccountStoreError.passwordTooLong(maximum: AccountStore.maximumPasswordLength)) {
            try store.add("carol", password: [UInt8](repeating: 0x61, count: AccountStore.maximumPasswordLength + 1))
        }
        #expect(throws: AccountStoreError.invalidName("-x")) { try store.add("-x", password: Self.bytes("x")) }
        let accounts = try store.list()
        #expect(accounts.map(\.name) == ["alice", "bob"])
        #expect(accounts.allSatisfy { $0.created >= before && $0.created <= Date() })
        #expect(store.contains("BOB") && store.contains("alice") && !store.contains("carol") && !store.contains(".x"))
        try store.setPassword("bob", password: Self.bytes("new"))
        #expect(throws: AccountStoreError.noSuchUser("carol")) { try store.setPassword("carol", password: [1]) }
        try store.remove("Alice")
        #expect(throws: AccountStoreError.noSuchUser("alice")) { try store.remove("alice") }
        #expect(try store.list().map(\.name) == ["bob"])
    }

    @Test("authenticate returns the canonical name for the right password only")
    func authenticate() async throws {
        let directory = ScratchDirectory()
        let store = try AccountStore(path: directory.path + "/accounts.sqlite")
        try store.add("alice", password: Self.bytes("correct horse"))
        #expect(await store.authenticate("Alice", password: Self.bytes("correct horse")) == "alice")
        #expect(await store.authenticate("alice", password: Self.bytes("correct horse ")) == nil)
        #expect(await store.authenticate("alice", password: []) == nil)
        #expect(await store.authenticate("nobody", password: Self.bytes("correct horse")) == nil)
        #expect(await store.authenticate("../etc", password: Self.bytes("correct horse")) == nil)
    }

    @Test("a verified login is cached; a wrong password drops the entry; a password changed elsewhere invalidates it")
    func loginCache() async throws {
        let directory = ScratchDirectory()
        let path = directory.path + "/accounts.sqlite"
        let daemon = try AccountStore(path: path)
        try daemon.add("alice", password: Self.bytes("one"))
        #expect(daemon.cachedLoginCount == 0)
        #expect(await daemon.authenticate("alice", password: Self.bytes("one")) == "alice")
        #expect(daemon.cachedLoginCount == 1)
        #expect(daemon.verificationCount == 1)
        #expect(await daemon.authenticate("alice", password: Self.bytes("one")) == "alice")
        #expect(daemon.verificationCount == 1, "a cache hit skips Argon2id")
        #expect(await daemon.authenticate("alice", password: Self.bytes("two")) == nil)
        #expect(daemon.verificationCount == 2, "a wrong password is always verified")
        #expect(daemon.cachedLoginCount == 0, "a failed login drops the entry")
        #expect(await daemon.authenticate("alice", password: Self.bytes("one")) == "alice")
        #expect(daemon.verificationCount == 3)
        #expect(daemon.cachedLoginCount == 1)
        // `mycelium user passwd` in another process: a second store on the same file.
        let cli = try AccountStore(path: path)
        try cli.setPassword("alice", password: Self.bytes("two"))
        #expect(await daemon.authenticate("alice", password: Self.bytes("one")) == nil)
        #expect(daemon.verificationCount == 4, "the stored hash changed: no cache hit")
        #expect(await daemon.authenticate("alice", password: Self.bytes("two")) == "alice")
        #expect(await daemon.authenticate("alice", password: Self.bytes("two")) == "alice")
        #expect(daemon.verificationCount == 5)
        try cli.remove("alice")
        #expect(await daemon.authenticate("alice", password: Self.bytes("two")) == nil)
    }

    @Test("the file is 0600 in a 0700 directory, in WAL mode; accounts persist across opens")
    func fileModes() throws {
        let directory = ScratchDirectory()
        let path = directory.path + "/state/accounts.sqlite"
        do {
            let store = try AccountStore(path: path)
            try store.add("alice", password: Self.bytes("pw"))
        }
        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory.path + "/state")[
            .posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(directoryMode == 0o700)
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try AccountStore(path: path).list().map(\.name) == ["alice"])
    }

    @Test("a file that is not a database, or a newer schema, is refused with a clear error")
    func badFiles() throws {
        let directory = ScratchDirectory()
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        let garbage = directory.path + "/garbage.sqlite"
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: garbage))
        do {
            _ = try AccountStore(path: garbage)
            Issue.record("opening a garbage file succeeded")
        } catch {
            guard case .storage(let reason) = error else {
                Issue.record("expected .storage, got \(error)")
                return
            }
            #expect(reason.contains("not an accounts database"))
        }
        let newer = directory.path + "/newer.sqlite"
        _ = try AccountStore(path: newer)
        let queue = try DatabaseQueue(path: newer)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        do {
            _ = try AccountStore(path: newer)
            Issue.record("opening a newer schema succeeded")
        } catch {
            guard case .storage(let reason) = error else {
                Issue.record("expected .storage, got \(error)")
                return
            }
            #expect(reason.contains("newer version") && reason.contains("v99"))
        }
    }
}
