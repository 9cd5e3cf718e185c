import MyceliumCrypto

/// Fresh keys for tests.
enum X25519Key {
    static func random() -> X25519.PublicKey { X25519.SecretKey.generate().publicKey }
}
