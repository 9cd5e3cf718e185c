import CSodium

/// AES-256-GCM in upstream Mycelium's blob layout: `ciphertext ‖ tag (16) ‖ nonce (12)`, empty associated data
/// (spec §4.3).
///
/// The key schedule is expanded once, when the value is created, and then shared read-only: sealing and opening
/// never allocate and are safe from any number of threads at once. libsodium's AES-NI implementation is used
/// where the CPU has it; otherwise OpenSSL's EVP interface (see `AES256GCM+OpenSSL.swift`).
public final class AES256GCM: @unchecked Sendable {
    // @unchecked: `sodiumState` is written once in `init` and only read afterwards (libsodium's `_afternm`
    // functions take the state as `const`); nothing else is stored.

    public static let keyByteCount = 32
    public static let tagByteCount = 16
    public static let nonceByteCount = 12
    /// Bytes a sealed blob adds to its plaintext.
    public static let overheadByteCount = tagByteCount + nonceByteCount

    /// Which implementation a value uses.
    public enum Backend: Sendable {
        /// libsodium's AES-NI + PCLMUL code (`crypto_aead_aes256gcm_*`).
        case sodium
        /// OpenSSL 3's EVP interface: portable, used when the CPU lacks AES-NI.
        case openSSL
    }

    /// The backend chosen when none is asked for.
    public static var preferredBackend: Backend {
        (try? Sodium.ensureInitialised()) != nil && crypto_aead_aes256gcm_is_available() == 1 ? .sodium : .openSSL
    }

    public let backend: Backend
    private let sodiumState: UnsafeMutablePointer<crypto_aead_aes256gcm_state>?
    let key: [UInt8]

    /// Expands `key` (32 bytes; for Mycelium, the raw X25519 shared secret).
    public convenience init(
        key: some Collection<UInt8>,
        backend: Backend = AES256GCM.preferredBackend
    ) throws(CryptoError) {
        guard key.count == Self.keyByteCount else {
            throw .invalidKeyLength(expected: Self.keyByteCount, actual: key.count)
        }
        self.init(checkedKey: Array(key), backend: backend)
    }

    /// Uses an X25519 shared secret as the key, as Mycelium does (no KDF).
    public convenience init(sharedSecret: X25519.SharedSecret, backend: Backend = AES256GCM.preferredBackend) {
        // A shared secret always has 32 bytes.
        self.init(checkedKey: sharedSecret.rawBytes, backend: backend)
    }

    private init(checkedKey: [UInt8], backend: Backend) {
        self.key = checkedKey
        // libsodium is usable whenever it was chosen as the backend (`preferredBackend` checked it).
        if backend == .sodium, (try? Sodium.ensureInitialised()) != nil {
            let state = UnsafeMutablePointer<crypto_aead_aes256gcm_state>.allocate(capacity: 1)
            _ = crypto_aead_aes256gcm_beforenm(state, checkedKey)
            self.sodiumState = state
            self.backend = .sodium
        } else {
            self.sodiumState = nil
            self.backend = .openSSL
        }
    }

    deinit {
        if let sodiumState {
            sodium_memzero(sodiumState, MemoryLayout<crypto_aead_aes256gcm_state>.size)
            sodiumState.deallocate()
        }
    }

    // MARK: - In place

    /// Encrypts the first `plaintextCount` bytes of `buffer` in place and appends the tag and `nonce` behind them.
    ///
    /// - Returns: the blob's length, `plaintextCount + overheadByteCount`.
    public func seal(
        inPlace buffer: UnsafeMutableRawBufferPointer,
        plaintextCount: Int,
        nonce: Nonce
    ) throws(CryptoError) -> Int {
        let blobCount = plaintextCount + Self.overheadByteCount
        guard plaintextCount >= 0, let base = buffer.baseAddress, buffer.count >= blobCount else {
            throw .outputTooSmall(needed: blobCount, available: buffer.count)
        }
        let tag = base + plaintextCount
        let noncePointer = tag + Self.tagByteCount
        nonce.copyBytes(to: noncePointer)
        switch self.backend {
        case .sodium:
            guard let state = self.sodiumState else { throw .libraryUnavailable }
            let p = base.assumingMemoryBound(to: UInt8.self)
            _ = crypto_aead_aes256gcm_encrypt_detached_afternm(
                p, tag.assumingMemoryBound(to: UInt8.self), nil,
                p, UInt64(plaintextCount), nil, 0, nil,
                noncePointer.assumingMemoryBound(to: UInt8.self), state
            )
        case .openSSL:
            try OpenSSLGCM.seal(key: self.key, text: base, count: plaintextCount, tag: tag, nonce: noncePointer)
        }
        return blobCount
    }

    /// Verifies and decrypts the blob occupying all of `buffer` in place.
    ///
    /// - Returns: the plaintext's length; the plaintext starts at `buffer.baseAddress`.
    public func open(inPlace buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) -> Int {
        guard let base = buffer.baseAddress, buffer.count >= Self.overheadByteCount else {
            throw .blobTooShort(buffer.count)
        }
        let plaintextCount = buffer.count - Self.overheadByteCount
        let tag = base + plaintextCount
        let nonce = tag + Self.tagByteCount
        switch self.backend {
        case .sodium:
            guard let state = self.sodiumState else { throw .libraryUnavailable }
            let p = base.assumingMemoryBound(to: UInt8.self)
            let result = crypto_aead_aes256gcm_decrypt_detached_afternm(
                p, nil, p, UInt64(plaintextCount),
                tag.assumingMemoryBound(to: UInt8.self), nil, 0,
                nonce.assumingMemoryBound(to: UInt8.self), state
            )
            guard result == 0 else { throw .authenticationFailed }
        case .openSSL:
            try OpenSSLGCM.open(key: self.key, text: base, count: plaintextCount, tag: tag, nonce: nonce)
        }
        return plaintextCount
    }

    // MARK: - Arrays

    /// Returns `ciphertext ‖ tag ‖ nonce` for `plaintext`.
    public func seal(_ plaintext: some Collection<UInt8>, nonce: Nonce) -> [UInt8] {
        var blob = Array(plaintext)
        blob.append(contentsOf: repeatElement(0, count: Self.overheadByteCount))
        let count = plaintext.count
        // The array was sized for the blob, so sealing cannot run out of room.
        _ = try? blob.withUnsafeMutableBytes { (buffer) throws(CryptoError) in
            try self.seal(inPlace: buffer, plaintextCount: count, nonce: nonce)
        }
        return blob
    }

    /// Verifies and decrypts a `ciphertext ‖ tag ‖ nonce` blob.
    public func open(_ blob: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        var buffer = Array(blob)
        let result = buffer.withUnsafeMutableBytes { bytes in
            Result { () throws(CryptoError) in try self.open(inPlace: bytes) }
        }
        let count = try result.get()
        buffer.removeLast(buffer.count - count)
        return buffer
    }
}

extension AES256GCM {
    /// A 96-bit GCM nonce. Mycelium draws a fresh random one for every packet.
    public struct Nonce: Sendable, Hashable {
        var high: UInt64 = 0
        var low: UInt32 = 0

        /// A nonce from the system CSPRNG.
        public static func random() -> Nonce {
            var nonce = Nonce()
            withUnsafeMutableBytes(of: &nonce.high) { SecureRandom.fill($0) }
            withUnsafeMutableBytes(of: &nonce.low) { SecureRandom.fill($0) }
            return nonce
        }

        /// The nonce with these 12 bytes; throws for any other count.
        public init(bytes: some Collection<UInt8>) throws(CryptoError) {
            guard bytes.count == AES256GCM.nonceByteCount else {
                throw .invalidKeyLength(expected: AES256GCM.nonceByteCount, actual: bytes.count)
            }
            let array = Array(bytes)
            withUnsafeMutableBytes(of: &self.high) { $0.copyBytes(from: array[0..<8]) }
            withUnsafeMutableBytes(of: &self.low) { $0.copyBytes(from: array[8..<12]) }
        }

        private init() {}

        init(high: UInt64, low: UInt32) {
            self.high = high
            self.low = low
        }

        /// The 12 bytes in wire order.
        public var bytes: [UInt8] {
            withUnsafeBytes(of: self.high) { Array($0) } + withUnsafeBytes(of: self.low) { Array($0) }
        }

        func copyBytes(to destination: UnsafeMutableRawPointer) {
            destination.storeBytes(of: self.high, as: UInt64.self)
            destination.storeBytes(of: self.low, toByteOffset: 8, as: UInt32.self)
        }
    }
}
