/// Failures of the cryptographic primitives. None of them is a programming error: each one can be caused by input
/// that came from outside (a peer's public key, a received blob, a stored password hash).
public enum CryptoError: Error, Hashable, Sendable {
    /// libsodium could not be initialised (no usable entropy source).
    case libraryUnavailable
    /// A key had the wrong number of bytes.
    case invalidKeyLength(expected: Int, actual: Int)
    /// X25519 produced the all-zero shared secret: the peer's public key is a low-order point.
    case weakPublicKey
    /// An encrypted blob is shorter than its tag and nonce.
    case blobTooShort(Int)
    /// The authentication tag did not verify: wrong key, or the blob was altered.
    case authenticationFailed
    /// An output buffer cannot hold the result.
    case outputTooSmall(needed: Int, available: Int)
    /// Password hashing failed (out of memory for Argon2id's working set).
    case passwordHashingFailed
}
