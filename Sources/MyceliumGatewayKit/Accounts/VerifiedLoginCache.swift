import MyceliumCrypto

/// Recently verified logins, so a client that logs in again and again (IMAP clients open several connections, and
/// reconnect every few minutes) does not pay an Argon2id verification (~0.1 s, 64 MiB) each time.
///
/// An entry remembers the stored hash string it was verified against and a keyed BLAKE3 of the password (the key is
/// random per process, so the cache holds nothing an attacker could test passwords against offline). A hit needs
/// the same stored hash (a changed password invalidates it, even when changed by another process), the same password
/// MAC and an entry younger than ``lifetime``. Pure: time is passed in.
struct VerifiedLoginCache: Sendable {
    /// How long a verified login is trusted without a new Argon2id verification.
    static let lifetime: Duration = .seconds(600)
    /// Most entries kept; the oldest is evicted first.
    static let maximumEntryCount = 1024

    struct Entry: Sendable {
        var storedHash: String
        var passwordMAC: [UInt8]
        var verifiedAt: ContinuousClock.Instant
    }

    private var entries: [String: Entry] = [:]
    /// The key of the keyed BLAKE3 over passwords.
    private let key: [UInt8]

    init(key: [UInt8] = SecureRandom.bytes(BLAKE3.keyByteCount)) {
        self.key = key
    }

    var count: Int { self.entries.count }

    /// The keyed BLAKE3 of `password`.
    func mac(of password: [UInt8]) -> [UInt8] {
        // The key is exactly `BLAKE3.keyByteCount` bytes, so keyed construction succeeds; fall back to an unkeyed
        // hash (still never a false hit, only a weaker cache) if it ever did not.
        var hasher = BLAKE3(key: self.key) ?? BLAKE3()
        hasher.update(password)
        return hasher.finalize()
    }

    /// Whether `name` logged in with this password (MAC) against this stored hash less than ``lifetime`` ago.
    func isVerified(name: String, storedHash: String, passwordMAC: [UInt8], now: ContinuousClock.Instant) -> Bool {
        guard let entry = self.entries[name], entry.storedHash == storedHash,
            now - entry.verifiedAt < Self.lifetime, now >= entry.verifiedAt
        else { return false }
        return Self.constantTimeEqual(entry.passwordMAC, passwordMAC)
    }

    /// Records a successful Argon2id verification.
    mutating func insert(name: String, storedHash: String, passwordMAC: [UInt8], now: ContinuousClock.Instant) {
        if self.entries[name] == nil, self.entries.count >= Self.maximumEntryCount {
            self.entries = self.entries.filter { now - $0.value.verifiedAt < Self.lifetime }
            if self.entries.count >= Self.maximumEntryCount,
                let oldest = self.entries.min(by: { $0.value.verifiedAt < $1.value.verifiedAt })
            {
                self.entries[oldest.key] = nil
            }
        }
        self.entries[name] = Entry(storedHash: storedHash, passwordMAC: passwordMAC, verifiedAt: now)
    }

    /// Forgets `name` (a failed login, a changed password, a removed account).
    mutating func remove(name: String) {
        self.entries[name] = nil
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
