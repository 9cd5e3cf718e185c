import MyceliumCrypto
import Testing

@Suite("X25519")
struct X25519Tests {
    static let secretA = X25519SecretBytes.range(1...32)
    static let secretB = X25519SecretBytes.range(33...64)

    @Test("public keys of the spec's secrets (§10)")
    func publicKeys() throws {
        let a = try X25519.SecretKey(rawBytes: Self.secretA)
        let b = try X25519.SecretKey(rawBytes: Self.secretB)
        #expect(a.publicKey.rawBytes == hex("07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"))
        #expect(b.publicKey.rawBytes == hex("5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b"))
    }

    @Test("the shared secret is the same from both sides (§10)")
    func sharedSecret() throws {
        let a = try X25519.SecretKey(rawBytes: Self.secretA)
        let b = try X25519.SecretKey(rawBytes: Self.secretB)
        let expected = hex("a84dc7c3c8f058b1b2dc4cd1e9b5dc0a7987f88b6a9564cde3391fc421159e77")
        #expect(try a.sharedSecret(with: b.publicKey).rawBytes == expected)
        #expect(try b.sharedSecret(with: a.publicKey).rawBytes == expected)
    }

    @Test("a low-order public key is refused, not trusted")
    func lowOrder() throws {
        let a = try X25519.SecretKey(rawBytes: Self.secretA)
        let zero = try X25519.PublicKey(rawBytes: [UInt8](repeating: 0, count: 32))
        #expect(throws: CryptoError.weakPublicKey) { try a.sharedSecret(with: zero) }
    }

    @Test("wrong key lengths are typed errors")
    func lengths() {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 33)) {
            _ = try X25519.SecretKey(rawBytes: [UInt8](repeating: 0, count: 33))
        }
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 0)) {
            _ = try X25519.PublicKey(rawBytes: [])
        }
    }

    @Test("generated keys differ and never print their bytes")
    func generate() {
        let first = X25519.SecretKey.generate()
        let second = X25519.SecretKey.generate()
        #expect(first.rawBytes != second.rawBytes)
        #expect("\(first)" == "X25519.SecretKey(<redacted>)")
    }
}

enum X25519SecretBytes {
    static func range(_ range: ClosedRange<UInt8>) -> [UInt8] { Array(range) }
}
