import COpenSSL

extension AES256GCM {
    /// OpenSSL cipher contexts with this key already expanded, for one thread: each packet only sets its nonce, so
    /// sealing and opening run OpenSSL's AVX-512/VAES code without per-call setup — about 1.8× libsodium's speed on
    /// 1,404-byte packets on this project's machines (705 vs 1,305 ns per packet). Same blob layout as `AES256GCM`.
    /// Not thread-safe: a thread keeps its own (the data plane caches one per cipher per thread).
    public final class ThreadContext {
        private let encryptor: OpaquePointer
        private let decryptor: OpaquePointer

        fileprivate init?(key: [UInt8]) {
            guard let encryptor = EVP_CIPHER_CTX_new() else { return nil }
            guard let decryptor = EVP_CIPHER_CTX_new() else {
                EVP_CIPHER_CTX_free(encryptor)
                return nil
            }
            self.encryptor = encryptor
            self.decryptor = decryptor
            guard EVP_EncryptInit_ex(encryptor, EVP_aes_256_gcm(), nil, key, nil) == 1,
                EVP_DecryptInit_ex(decryptor, EVP_aes_256_gcm(), nil, key, nil) == 1
            else { return nil }
        }

        deinit {
            EVP_CIPHER_CTX_free(self.encryptor)
            EVP_CIPHER_CTX_free(self.decryptor)
        }

        /// As `AES256GCM.seal(inPlace:plaintextCount:nonce:)`.
        public func seal(
            inPlace buffer: UnsafeMutableRawBufferPointer,
            plaintextCount: Int,
            nonce: Nonce
        ) throws(CryptoError) -> Int {
            let blobCount = plaintextCount + AES256GCM.overheadByteCount
            guard plaintextCount >= 0, let base = buffer.baseAddress, buffer.count >= blobCount else {
                throw .outputTooSmall(needed: blobCount, available: buffer.count)
            }
            let text = base.assumingMemoryBound(to: UInt8.self)
            let tag = base + plaintextCount
            let noncePointer = tag + AES256GCM.tagByteCount
            nonce.copyBytes(to: noncePointer)
            var written: Int32 = 0
            guard
                EVP_EncryptInit_ex(self.encryptor, nil, nil, nil, noncePointer.assumingMemoryBound(to: UInt8.self)) == 1,
                plaintextCount == 0 || EVP_EncryptUpdate(self.encryptor, text, &written, text, Int32(plaintextCount)) == 1,
                EVP_EncryptFinal_ex(self.encryptor, text + Int(written), &written) == 1,
                EVP_CIPHER_CTX_ctrl(
                    self.encryptor, copenssl_EVP_CTRL_GCM_GET_TAG(), Int32(AES256GCM.tagByteCount), tag
                ) == 1
            else { throw .libraryUnavailable }
            return blobCount
        }

        /// As `AES256GCM.open(inPlace:)`.
        public func open(inPlace buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) -> Int {
            guard let base = buffer.baseAddress, buffer.count >= AES256GCM.overheadByteCount else {
                throw .blobTooShort(buffer.count)
            }
            let plaintextCount = buffer.count - AES256GCM.overheadByteCount
            let text = base.assumingMemoryBound(to: UInt8.self)
            let tag = base + plaintextCount
            let nonce = tag + AES256GCM.tagByteCount
            var written: Int32 = 0
            guard
                EVP_DecryptInit_ex(self.decryptor, nil, nil, nil, nonce.assumingMemoryBound(to: UInt8.self)) == 1,
                plaintextCount == 0 || EVP_DecryptUpdate(self.decryptor, text, &written, text, Int32(plaintextCount)) == 1,
                EVP_CIPHER_CTX_ctrl(
                    self.decryptor, copenssl_EVP_CTRL_GCM_SET_TAG(), Int32(AES256GCM.tagByteCount), tag
                ) == 1
            else { throw .libraryUnavailable }
            guard EVP_DecryptFinal_ex(self.decryptor, text + Int(written), &written) == 1 else {
                throw .authenticationFailed
            }
            return plaintextCount
        }
    }

    /// A context for the calling thread with this cipher's key, or `nil` if OpenSSL cannot make one.
    public func makeThreadContext() -> ThreadContext? {
        ThreadContext(key: self.key)
    }
}
