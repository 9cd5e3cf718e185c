import MyceliumCore
import MyceliumCrypto
import MyceliumTesting
import Testing

/// The identity vectors of spec §10, byte for byte: secret key → public key → overlay address → /64, and the
/// shared secret of the two vector keys.
@Suite("Identity vectors (spec §10)")
struct IdentityVectorTests {
    /// One secret key of spec §10 and what it must derive.
    struct KeyVector: Sendable, CustomTestStringConvertible {
        let secret: [UInt8]
        let publicKey: String
        let address: String
        let subnet: String

        var testDescription: String { "secret \(Hex.encode(secret.prefix(2)))… → \(address)" }
    }

    static let keyVectors: [KeyVector] = [
        KeyVector(
            secret: Array(1...32),
            publicKey: "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c",
            address: "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e",
            subnet: "5a6:f0c6:f365:177d::/64"
        ),
        KeyVector(
            secret: Array(33...64),
            publicKey: "5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b",
            address: "5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e",
            subnet: "5e5:2195:7cc4:bfb0::/64"
        ),
    ]

    @Test(arguments: keyVectors)
    func secretKeyDerivesPublicKeyAddressAndSubnet(_ vector: KeyVector) throws {
        let identity = NodeIdentity(secretKey: try X25519.SecretKey(rawBytes: vector.secret))
        #expect(identity.publicKey.hexString == vector.publicKey)
        #expect(identity.address.description == vector.address)
        #expect(identity.address == (try #require(IPv6Address(vector.address))))
        #expect(identity.subnet.description == vector.subnet)
        #expect(identity.subnet.prefixLength == 64)
        #expect(identity.subnet.contains(identity.address))
        #expect(Subnet.overlay.contains(identity.address))
        // The public key's own derivations agree with the identity's.
        #expect(identity.publicKey.overlayAddress == identity.address)
        #expect(identity.publicKey.nodeSubnet == identity.subnet)
    }

    @Test func sharedSecretIsTheSameInBothDirections() throws {
        let first = try X25519.SecretKey(rawBytes: Array(1...32))
        let second = try X25519.SecretKey(rawBytes: Array(33...64))
        let expected = "a84dc7c3c8f058b1b2dc4cd1e9b5dc0a7987f88b6a9564cde3391fc421159e77"
        #expect(Hex.encode(try first.sharedSecret(with: second.publicKey).rawBytes) == expected)
        #expect(Hex.encode(try second.sharedSecret(with: first.publicKey).rawBytes) == expected)
    }

    /// The public keys shown in upstream's README, with the addresses the current (BLAKE3) derivation gives them.
    /// The README itself prints pre-BLAKE3 addresses, which must *not* come out.
    @Test(arguments: [
        (
            "a47c1d6f2a15b2c670d3a88fbe0aeb301ced12f7bcb4c8e3aa877b20f8559c02",
            "548:c783:d7ce:74a3:9ba1:a0cb:ae21:338d", "47f:b2c5:a944:4dad:9cb1:da4:8bf7:7e65"
        ),
        (
            "955bf6bea5e1150fd8e270c12e5b2fc08f08f7c5f3799d10550096cc137d671b",
            "514:74ce:dd13:296f:ada7:4d2e:9335:acac", "54f:b680:ba6e:7ced:355f:346f:d97b:eecb"
        ),
        (
            "abd16194646defe7ad2318a0f0a69eb2e3fe939c3b0b51cf0bb88bb8028ecd1d",
            "597:d890:a254:dd45:2bc6:9a47:40d5:ed83", "5c4:c176:bf44:b2ab:5e7e:f6a:b7e2:11ca"
        ),
        (
            String(repeating: "0", count: 64),
            "5da:83c1:819a:5372:dae1:238f:c1de:d123", "::"
        ),
    ])
    func readmePublicKeysDeriveCurrentAddresses(publicKey: String, address: String, staleReadmeAddress: String) throws {
        let key = try X25519.PublicKey(hexString: publicKey)
        #expect(key.overlayAddress.description == address)
        #expect(key.overlayAddress.description != staleReadmeAddress)
        #expect(key.hexString == publicKey)
    }

    /// Byte 0 of every address is `0x04 | parity`, so every address lies in `400::/7`.
    @Test func everyAddressIsInsideTheOverlayRange() throws {
        var generator = SeededGenerator(seed: 7)
        var parities: Set<UInt8> = []
        for _ in 0..<64 {
            let key = try X25519.PublicKey(rawBytes: generator.bytes(32))
            let address = key.overlayAddress
            #expect(address.byte(0) == 0x04 || address.byte(0) == 0x05)
            #expect(Subnet.overlay.contains(address))
            #expect(key.nodeSubnet.address.low == 0)
            #expect(key.nodeSubnet.address.high == address.high)
            parities.insert(address.byte(0) & 1)
        }
        #expect(parities == [0, 1], "both parities occur among 64 keys")
    }

    @Test func publicKeyHexParsing() throws {
        let lower = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
        let key = try X25519.PublicKey(hexString: lower.uppercased())
        #expect(key.hexString == lower, "upper case is accepted, text form is lower case")
        #expect(throws: IdentityError.invalidHex) { try X25519.PublicKey(hexString: "zz" + lower.dropFirst(2)) }
        #expect(throws: IdentityError.invalidHex) { try X25519.PublicKey(hexString: String(lower.dropFirst())) }
        #expect(throws: IdentityError.invalidKeyLength(31)) {
            try X25519.PublicKey(hexString: String(lower.dropFirst(2)))
        }
        #expect(throws: IdentityError.invalidKeyLength(33)) { try X25519.PublicKey(hexString: lower + "00") }
        #expect(throws: IdentityError.invalidKeyLength(0)) { try X25519.PublicKey(hexString: "") }
    }
}
