import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface, for CPUs on which libsodium's AES-NI code is unavailable.
/// A cipher context is created per call, so this path is slower than the libsodium one, but it is safe to use
/// from any thread.
enum OpenSSLGCM {
    static func seal(
        key: [UInt8],
        text: UnsafeMutableRawPointer,
        count: Int,
        tag: UnsafeMutableRawPointer,
        nonce: UnsafeMutableRawPointer
    ) throws(CryptoError) {
        guard let context = EVP_CIPHER_CTX_new() else { throw .libraryUnavailable }
        defer { EVP_CIPHER_CTX_free(context) }
        let bytes = text.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        guard
            EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce.assumingMemoryBound(to: UInt8.self)) == 1,
            count == 0 || EVP_EncryptUpdate(context, bytes, &written, bytes, Int32(count)) == 1,
            EVP_EncryptFinal_ex(context, bytes + Int(written), &written) == 1,
            EVP_CIPHER_CTX_ctrl(context, copenssl_EVP_CTRL_GCM_GET_TAG(), Int32(AES256GCM.tagByteCount), tag) == 1
        else { throw .libraryUnavailable }
    }

    static func open(
        key: [UInt8],
        text: UnsafeMutableRawPointer,
        count: Int,
        tag: UnsafeMutableRawPointer,
        nonce: UnsafeMutableRawPointer
    ) throws(CryptoError) {
        guard let context = EVP_CIPHER_CTX_new() else { throw .libraryUnavailable }
        defer { EVP_CIPHER_CTX_free(context) }
        let bytes = text.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        guard
            EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce.assumingMemoryBound(to: UInt8.self)) == 1,
            count == 0 || EVP_DecryptUpdate(context, bytes, &written, bytes, Int32(count)) == 1,
            EVP_CIPHER_CTX_ctrl(context, copenssl_EVP_CTRL_GCM_SET_TAG(), Int32(AES256GCM.tagByteCount), tag) == 1
        else { throw .libraryUnavailable }
        guard EVP_DecryptFinal_ex(context, bytes + Int(written), &written) == 1 else {
            throw .authenticationFailed
        }
    }
}
