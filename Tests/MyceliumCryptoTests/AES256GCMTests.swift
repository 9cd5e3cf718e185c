import MyceliumCrypto
import Testing

@Suite("AES-256-GCM in upstream's blob layout")
struct AES256GCMTests {
    /// Spec §10: shared secret of the two test identities, plaintext `01 00 00 00 ‖ "hello"`, nonce 00…0b.
    static let key = hex("a84dc7c3c8f058b1b2dc4cd1e9b5dc0a7987f88b6a9564cde3391fc421159e77")
    static let plaintext: [UInt8] = [0x01, 0x00, 0x00, 0x00] + Array("hello".utf8)
    static let nonceBytes: [UInt8] = Array(0...11)
    static let blob = hex("b6ade40adbf6ad4f9b3be1bd38b19346d368c3c3172a8bbadb000102030405060708090a0b")

    @Test("seals the spec vector byte for byte", arguments: [AES256GCM.Backend.sodium, .openSSL])
    func sealVector(backend: AES256GCM.Backend) throws {
        let cipher = try AES256GCM(key: Self.key, backend: backend)
        #expect(cipher.backend == backend)
        #expect(cipher.seal(Self.plaintext, nonce: try .init(bytes: Self.nonceBytes)) == Self.blob)
    }

    @Test("opens the spec vector", arguments: [AES256GCM.Backend.sodium, .openSSL])
    func openVector(backend: AES256GCM.Backend) throws {
        let cipher = try AES256GCM(key: Self.key, backend: backend)
        #expect(try cipher.open(Self.blob) == Self.plaintext)
    }

    @Test("rejects a blob with any bit flipped", arguments: [AES256GCM.Backend.sodium, .openSSL])
    func tamper(backend: AES256GCM.Backend) throws {
        let cipher = try AES256GCM(key: Self.key, backend: backend)
        for index in Self.blob.indices {
            var tampered = Self.blob
            tampered[index] ^= 0x01
            #expect(throws: CryptoError.authenticationFailed) { try cipher.open(tampered) }
        }
    }

    @Test("rejects blobs shorter than tag and nonce")
    func shortBlob() throws {
        let cipher = try AES256GCM(key: Self.key)
        for length in 0..<AES256GCM.overheadByteCount {
            #expect(throws: CryptoError.blobTooShort(length)) { try cipher.open([UInt8](repeating: 0, count: length)) }
        }
    }

    @Test("both backends interoperate on random sizes and nonces")
    func crossBackend() throws {
        let sodium = try AES256GCM(key: Self.key, backend: .sodium)
        let openSSL = try AES256GCM(key: Self.key, backend: .openSSL)
        for length in [0, 1, 15, 16, 17, 1404, 4096] {
            let plaintext = SecureRandom.bytes(length)
            let nonce = AES256GCM.Nonce.random()
            let blob = sodium.seal(plaintext, nonce: nonce)
            #expect(blob.count == length + 28)
            #expect(blob.suffix(12) == ArraySlice(nonce.bytes))
            #expect(blob == openSSL.seal(plaintext, nonce: nonce))
            #expect(try openSSL.open(blob) == plaintext)
            #expect(try sodium.open(blob) == plaintext)
        }
    }

    @Test("in-place sealing needs room for tag and nonce")
    func inPlaceRoom() throws {
        let cipher = try AES256GCM(key: Self.key)
        var buffer = [UInt8](repeating: 0, count: 30)
        #expect(throws: CryptoError.outputTooSmall(needed: 31, available: 30)) {
            _ = try buffer.withUnsafeMutableBytes { (bytes) throws(CryptoError) in
                try cipher.seal(inPlace: bytes, plaintextCount: 3, nonce: .random())
            }
        }
    }

    @Test("keys must be 32 bytes")
    func keyLength() {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 31)) {
            _ = try AES256GCM(key: [UInt8](repeating: 1, count: 31))
        }
    }
}

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}
