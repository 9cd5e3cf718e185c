import MyceliumCrypto
import Testing

@Suite("Argon2id password hashes")
struct PasswordHashTests {
    @Test("a hash verifies its password and nothing else")
    func roundTrip() throws {
        let encoded = try PasswordHash.hash(Array("correct horse".utf8))
        #expect(encoded.hasPrefix("$argon2id$v=19$"))
        #expect(PasswordHash.verify(Array("correct horse".utf8), against: encoded))
        #expect(!PasswordHash.verify(Array("correct horsf".utf8), against: encoded))
        #expect(!PasswordHash.verify([], against: encoded))
    }

    @Test("salts differ between hashes of the same password")
    func salted() throws {
        #expect(try PasswordHash.hash(Array("pw".utf8)) != PasswordHash.hash(Array("pw".utf8)))
    }

    @Test("empty passwords hash; malformed hashes never match")
    func edgeCases() throws {
        let encoded = try PasswordHash.hash([])
        #expect(PasswordHash.verify([], against: encoded))
        for garbage in ["", "$argon2id$", "plain text", String(repeating: "x", count: 4096)] {
            #expect(!PasswordHash.verify(Array("pw".utf8), against: garbage))
        }
    }

    @Test("overlong passwords are refused")
    func overlong() {
        let long = [UInt8](repeating: 0x61, count: PasswordHash.maximumPasswordByteCount + 1)
        #expect(throws: CryptoError.passwordHashingFailed) { try PasswordHash.hash(long) }
        #expect(!PasswordHash.verify(long, against: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA"))
    }
}
