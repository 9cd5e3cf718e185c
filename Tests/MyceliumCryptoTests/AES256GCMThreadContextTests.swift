import MyceliumCrypto
import Testing

/// The per-thread OpenSSL contexts must produce exactly the blobs the shared cipher does, in both directions.
@Suite struct AES256GCMThreadContextTests {
    let cipher = try! AES256GCM(key: (0..<32).map { UInt8($0) })

    @Test(arguments: [0, 1, 15, 16, 17, 1404, 9000])
    func contextAndCipherAgree(length: Int) throws {
        let context = try #require(self.cipher.makeThreadContext())
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let nonce = AES256GCM.Nonce.random()

        var blob = plaintext + [UInt8](repeating: 0, count: AES256GCM.overheadByteCount)
        let count = try blob.withUnsafeMutableBytes { (bytes) throws(CryptoError) -> Int in
            try context.seal(inPlace: bytes, plaintextCount: length, nonce: nonce)
        }
        #expect(count == blob.count)
        #expect(blob == self.cipher.seal(plaintext, nonce: nonce))

        // And back: the context opens what the cipher sealed, and refuses a flipped bit.
        var sealed = self.cipher.seal(plaintext, nonce: nonce)
        let opened = try sealed.withUnsafeMutableBytes { (bytes) throws(CryptoError) -> Int in
            try context.open(inPlace: bytes)
        }
        #expect(Array(sealed.prefix(opened)) == plaintext)
        var tampered = self.cipher.seal(plaintext, nonce: nonce)
        tampered[tampered.count - 20] ^= 1
        #expect(throws: CryptoError.authenticationFailed) {
            _ = try tampered.withUnsafeMutableBytes { (bytes) throws(CryptoError) -> Int in try context.open(inPlace: bytes) }
        }
    }

    @Test func oneContextSealsManyPackets() throws {
        let context = try #require(self.cipher.makeThreadContext())
        for round in 0..<100 {
            let plaintext = [UInt8](repeating: UInt8(round), count: 100 + round)
            let nonce = AES256GCM.Nonce.random()
            var blob = plaintext + [UInt8](repeating: 0, count: AES256GCM.overheadByteCount)
            _ = try blob.withUnsafeMutableBytes { (bytes) throws(CryptoError) -> Int in
                try context.seal(inPlace: bytes, plaintextCount: plaintext.count, nonce: nonce)
            }
            #expect(try self.cipher.open(blob) == plaintext)
        }
    }
}
