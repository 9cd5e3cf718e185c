import CSodium

/// Argon2id password hashes in the standard encoded form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), through
/// libsodium's `crypto_pwhash_str*`. Used for the gateways' local accounts.
public enum PasswordHash {
    /// How much work a hash costs; stronger means slower logins and slower brute force.
    public enum Strength: Sendable {
        /// libsodium's "interactive" limits (2 passes, 64 MiB): for online logins.
        case interactive
        /// libsodium's "moderate" limits (3 passes, 256 MiB).
        case moderate

        var limits: (operations: UInt64, memory: Int) {
            switch self {
            case .interactive:
                (UInt64(crypto_pwhash_argon2id_opslimit_interactive()), crypto_pwhash_argon2id_memlimit_interactive())
            case .moderate:
                (UInt64(crypto_pwhash_argon2id_opslimit_moderate()), crypto_pwhash_argon2id_memlimit_moderate())
            }
        }
    }

    /// Longest password accepted, in bytes; longer input is refused rather than hashed.
    public static let maximumPasswordByteCount = 4096

    /// Hashes `password` with a fresh random salt.
    public static func hash(_ password: some Collection<UInt8>, strength: Strength = .interactive) throws(CryptoError)
        -> String
    {
        try Sodium.ensureInitialised()
        guard password.count <= maximumPasswordByteCount else { throw .passwordHashingFailed }
        let limits = strength.limits
        var output = [CChar](repeating: 0, count: Int(crypto_pwhash_argon2id_strbytes()))
        let result = withPasswordPointer(password) { pointer, count in
            crypto_pwhash_argon2id_str(&output, pointer, UInt64(count), limits.operations, limits.memory)
        }
        guard result == 0 else { throw .passwordHashingFailed }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches `encoded`. A malformed `encoded` string simply does not match.
    public static func verify(_ password: some Collection<UInt8>, against encoded: String) -> Bool {
        guard (try? Sodium.ensureInitialised()) != nil, password.count <= maximumPasswordByteCount,
            encoded.utf8.count < Int(crypto_pwhash_argon2id_strbytes())
        else { return false }
        return withPasswordPointer(password) { pointer, count in
            crypto_pwhash_argon2id_str_verify(encoded, pointer, UInt64(count))
        } == 0
    }

    /// Calls `body` with a C pointer to the password bytes and their count; the pointer is valid even for an empty
    /// password (libsodium wants a non-null pointer).
    private static func withPasswordPointer(
        _ password: some Collection<UInt8>,
        _ body: (UnsafePointer<CChar>, Int) -> Int32
    ) -> Int32 {
        var bytes = password.map { CChar(bitPattern: $0) }
        let count = bytes.count
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            return body(base, count)
        }
    }
}
