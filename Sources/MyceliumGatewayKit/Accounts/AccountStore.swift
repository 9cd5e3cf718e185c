import Foundation
import GRDB
import MyceliumCrypto
import NIOPosix
import Synchronization

/// The local accounts clients log in with, shared by every gateway: `state_dir/accounts.sqlite`, passwords stored as
/// Argon2id hashes (`PasswordHash`, interactive strength).
///
/// The database runs in WAL mode with `synchronous = FULL`; the file is mode 0600 in a 0700 directory. The daemon
/// and `mycelium user …` may have it open at the same time: a password changed by the CLI takes effect for the next
/// login (see ``authenticate(_:password:)``).
///
/// The management calls (`add`, `remove`, `setPassword`, `list`, `contains`) block the calling thread (`add` and
/// `setPassword` hash the password, ~0.1 s); ``authenticate(_:password:)`` runs its work on `NIOThreadPool`.
public final class AccountStore: Sendable {
    /// Longest account name, in characters.
    public static let maximumNameLength = 64
    /// Longest password accepted, in bytes.
    public static let maximumPasswordLength = PasswordHash.maximumPasswordByteCount

    /// The database file.
    public let path: String
    /// `DatabaseQueue` is `Sendable`: it serializes every access on its own dispatch queue.
    private let queue: DatabaseQueue
    /// Recently verified logins (see ``VerifiedLoginCache``).
    private let cache: Mutex<VerifiedLoginCache>
    /// Full Argon2id verifications of stored hashes so far (tests observe cache hits through it).
    private let verifications = Atomic<Int>(0)

    /// Opens (creating if needed) the accounts database at `path`.
    ///
    /// Missing parent directories are created with mode 0700; the file gets mode 0600. A file that is not an SQLite
    /// database, or a database written by a newer version, throws `.storage` with the reason.
    public init(path: String) throws(AccountStoreError) {
        self.queue = try Self.openQueue(path: path)
        self.path = path
        self.cache = Mutex(VerifiedLoginCache())
    }

    /// `state_dir/accounts.sqlite`.
    public static func path(inStateDirectory stateDirectory: String) -> String {
        stateDirectory + "/accounts.sqlite"
    }

    // MARK: - Names and passwords

    /// The canonical form of an account name: lowercased, then 1–64 characters of `[a-z0-9._-]`, not starting with
    /// `.` or `-`.
    public static func canonicalName(_ name: String) throws(AccountStoreError) -> String {
        let lowered = name.lowercased()
        let bytes = Array(lowered.utf8)
        guard (1...Self.maximumNameLength).contains(bytes.count),
            bytes.allSatisfy(Self.isNameByte),
            let first = bytes.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-")
        else { throw .invalidName(name) }
        return lowered
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }

    private static func checkPassword(_ password: [UInt8]) throws(AccountStoreError) {
        guard !password.isEmpty else { throw .passwordEmpty }
        guard password.count <= Self.maximumPasswordLength else {
            throw .passwordTooLong(maximum: Self.maximumPasswordLength)
        }
    }

    private static func hash(_ password: [UInt8]) throws(AccountStoreError) -> String {
        try Self.checkPassword(password)
        do {
            return try PasswordHash.hash(password, strength: .interactive)
        } catch {
            throw .storage("cannot hash the password: \(error)")
        }
    }

    // MARK: - Management

    /// Creates the account `name` with `password`.
    public func add(_ name: String, password: [UInt8]) throws(AccountStoreError) {
        let canonical = try Self.canonicalName(name)
        let hash = try Self.hash(password)
        let created = Int64(Date().timeIntervalSince1970)
        try self.write { db in
            let exists = try Bool.fetchOne(
                db, sql: "SELECT EXISTS(SELECT 1 FROM account WHERE name = ?)", arguments: [canonical]) ?? false
            guard !exists else { throw AccountStoreError.exists(canonical) }
            do {
                try db.execute(
                    sql: "INSERT INTO account (name, password_hash, created) VALUES (?, ?, ?)",
                    arguments: [canonical, hash, created])
            } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_CONSTRAINT {
                // Another process added it between the check and the insert.
                throw AccountStoreError.exists(canonical)
            }
        }
        self.cache.withLock { $0.remove(name: canonical) }
    }

    /// Deletes the account `name`.
    public func remove(_ name: String) throws(AccountStoreError) {
        let canonical = try Self.canonicalName(name)
        try self.write { db in
            try db.execute(sql: "DELETE FROM account WHERE name = ?", arguments: [canonical])
            guard db.changesCount > 0 else { throw AccountStoreError.noSuchUser(canonical) }
        }
        self.cache.withLock { $0.remove(name: canonical) }
    }

    /// Replaces the password of the account `name`.
    public func setPassword(_ name: String, password: [UInt8]) throws(AccountStoreError) {
        let canonical = try Self.canonicalName(name)
        let hash = try Self.hash(password)
        try self.write { db in
            try db.execute(
                sql: "UPDATE account SET password_hash = ? WHERE name = ?", arguments: [hash, canonical])
            guard db.changesCount > 0 else { throw AccountStoreError.noSuchUser(canonical) }
        }
        self.cache.withLock { $0.remove(name: canonical) }
    }

    /// Every account, sorted by name.
    public func list() throws(AccountStoreError) -> [Account] {
        do {
            return try self.queue.read { db in
                try Row.fetchAll(db, sql: "SELECT name, created FROM account ORDER BY name").map { row in
                    let name: String = try row.decode(String.self, atIndex: 0)
                    let created: Int64 = try row.decode(Int64.self, atIndex: 1)
                    return Account(name: name, created: Date(timeIntervalSince1970: TimeInterval(created)))
                }
            }
        } catch {
            throw AccountStoreError(error, path: self.path)
        }
    }

    /// Whether an account `name` exists (`false` for an invalid name or an unreadable database).
    public func contains(_ name: String) -> Bool {
        guard let canonical = try? Self.canonicalName(name) else { return false }
        return (try? self.storedHash(of: canonical)) != nil
    }

    // MARK: - Logins

    /// The canonical account name if `password` is right for `name`, else `nil`.
    ///
    /// A full Argon2id verification runs on `NIOThreadPool.singleton`, never on the cooperative pool. A login
    /// verified less than ten minutes ago with the same password, against the same stored hash (re-read on every
    /// call), is accepted without one. An unknown name costs a verification too (against a dummy hash), so timing
    /// does not tell which accounts exist. This call does not throttle; the caller (`LoginThrottle`) does.
    public func authenticate(_ name: String, password: [UInt8]) async -> String? {
        guard let canonical = try? Self.canonicalName(name), (try? Self.checkPassword(password)) != nil else {
            return nil
        }
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                self.authenticateBlocking(canonical, password: password)
            }
        } catch {
            return nil
        }
    }

    /// ``authenticate(_:password:)``'s work, blocking the calling thread.
    private func authenticateBlocking(_ canonical: String, password: [UInt8]) -> String? {
        guard let storedHash = try? self.storedHash(of: canonical) else {
            if let dummy = Self.dummyHash { _ = PasswordHash.verify(password, against: dummy) }
            return nil
        }
        let mac = self.cache.withLock { $0.mac(of: password) }
        let cached = self.cache.withLock {
            $0.isVerified(name: canonical, storedHash: storedHash, passwordMAC: mac, now: .now)
        }
        if cached { return canonical }
        self.verifications.add(1, ordering: .relaxed)
        guard PasswordHash.verify(password, against: storedHash) else {
            self.cache.withLock { $0.remove(name: canonical) }
            return nil
        }
        self.cache.withLock { $0.insert(name: canonical, storedHash: storedHash, passwordMAC: mac, now: .now) }
        return canonical
    }

    /// The number of logins in the verified-login cache (tests).
    var cachedLoginCount: Int { self.cache.withLock { $0.count } }

    /// The number of full Argon2id verifications of stored hashes so far (tests).
    var verificationCount: Int { self.verifications.load(ordering: .relaxed) }

    /// A hash of a password nobody has, verified against for unknown names; computed on first use.
    private static let dummyHash: String? = try? PasswordHash.hash(SecureRandom.bytes(16), strength: .interactive)

    // MARK: - Database access

    /// The stored hash of `canonical`, `nil` if there is no such account.
    private func storedHash(of canonical: String) throws(AccountStoreError) -> String? {
        do {
            return try self.queue.read { db in
                try String.fetchOne(
                    db, sql: "SELECT password_hash FROM account WHERE name = ?", arguments: [canonical])
            }
        } catch {
            throw AccountStoreError(error, path: self.path)
        }
    }

    private func write(_ body: (Database) throws -> Void) throws(AccountStoreError) {
        do {
            try self.queue.write { db in try body(db) }
        } catch {
            throw AccountStoreError(error, path: self.path)
        }
    }
}
