import CSodium

/// X25519 Diffie–Hellman (RFC 7748) through libsodium.
///
/// Mycelium uses one static X25519 key pair per node both as its identity and for end-to-end encryption
/// (spec §1, §4.3). The secret key is stored exactly as generated — unclamped — and clamping happens inside the
/// scalar multiplication, as x25519-dalek's `StaticSecret` does.
public enum X25519 {
    public static let keyByteCount = 32

    /// A 32-byte X25519 secret scalar.
    public struct SecretKey: Sendable {
        /// The raw scalar, as stored in a key file.
        public let rawBytes: [UInt8]

        /// Wraps a raw 32-byte scalar.
        public init(rawBytes: some Collection<UInt8>) throws(CryptoError) {
            guard rawBytes.count == X25519.keyByteCount else {
                throw .invalidKeyLength(expected: X25519.keyByteCount, actual: rawBytes.count)
            }
            self.rawBytes = Array(rawBytes)
        }

        /// A new secret key from the system CSPRNG.
        public static func generate() -> SecretKey {
            // 32 random bytes always have the right length.
            SecretKey(uncheckedRawBytes: SecureRandom.bytes(X25519.keyByteCount))
        }

        private init(uncheckedRawBytes: [UInt8]) {
            self.rawBytes = uncheckedRawBytes
        }

        /// The public key: the scalar multiplied with the curve's base point.
        public var publicKey: PublicKey {
            var output = [UInt8](repeating: 0, count: X25519.keyByteCount)
            _ = try? Sodium.ensureInitialised()
            // crypto_scalarmult_base only fails for the all-zero result, which a (clamped) scalar cannot produce.
            _ = crypto_scalarmult_curve25519_base(&output, self.rawBytes)
            return PublicKey(uncheckedRawBytes: output)
        }

        /// The raw X25519 shared secret with `peer` (no KDF: Mycelium uses it directly as the AES-256-GCM key).
        ///
        /// - Throws: `CryptoError.weakPublicKey` when the result is all zeros (a low-order peer key).
        public func sharedSecret(with peer: PublicKey) throws(CryptoError) -> SharedSecret {
            try Sodium.ensureInitialised()
            var output = [UInt8](repeating: 0, count: X25519.keyByteCount)
            guard crypto_scalarmult_curve25519(&output, self.rawBytes, peer.rawBytes) == 0 else {
                throw .weakPublicKey
            }
            return SharedSecret(rawBytes: output)
        }
    }

    /// A 32-byte X25519 public key (a Montgomery u-coordinate).
    public struct PublicKey: Hashable, Sendable {
        public let rawBytes: [UInt8]

        /// Wraps 32 raw bytes; any 32 bytes are a valid public key encoding.
        public init(rawBytes: some Collection<UInt8>) throws(CryptoError) {
            guard rawBytes.count == X25519.keyByteCount else {
                throw .invalidKeyLength(expected: X25519.keyByteCount, actual: rawBytes.count)
            }
            self.rawBytes = Array(rawBytes)
        }

        init(uncheckedRawBytes: [UInt8]) {
            self.rawBytes = uncheckedRawBytes
        }
    }

    /// The raw 32-byte output of X25519.
    public struct SharedSecret: Hashable, Sendable {
        public let rawBytes: [UInt8]
    }
}

extension X25519.SecretKey: CustomStringConvertible {
    /// Never prints key material.
    public var description: String { "X25519.SecretKey(<redacted>)" }
}
