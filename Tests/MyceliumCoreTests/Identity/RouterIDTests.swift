import MyceliumCore
import MyceliumCrypto
import MyceliumTesting
import Testing

/// Router ids (spec §1, §12.2): 40 bytes = public key ‖ zone `00 00` ‖ 6 random bytes; text form
/// `<public key hex>-<zone hex>-<random hex>`.
@Suite("RouterID")
struct RouterIDTests {
    static let publicKeyHex = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"

    @Test func wireLayoutIsKeyZoneTail() throws {
        let key = try X25519.PublicKey(hexString: Self.publicKeyHex)
        let id = RouterID(publicKey: key, tail: 0x0A0B_0C0D_0E0F)
        let bytes = id.bytes
        #expect(bytes.count == 40)
        #expect(RouterID.byteCount == 40)
        #expect(Array(bytes[0..<32]) == key.rawBytes)
        #expect(Array(bytes[32..<34]) == [0x00, 0x00])
        #expect(Array(bytes[34..<40]) == [0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F])
        #expect(id.description == "\(Self.publicKeyHex)-0000-0a0b0c0d0e0f")
    }

    @Test func tailKeepsOnlySixBytes() throws {
        let key = try X25519.PublicKey(hexString: Self.publicKeyHex)
        let id = RouterID(publicKey: key, tail: 0x0102_0304_0506_0708)
        #expect(id.tail == 0x0304_0506_0708)
        #expect(Array(id.bytes[34...]) == [0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
    }

    @Test func randomRouterIDHasZeroZoneAndTextForm() throws {
        let identity = NodeIdentity(secretKey: try X25519.SecretKey(rawBytes: Array(1...32)))
        var generator = SeededGenerator(seed: 42)
        let id = identity.makeRouterID(using: &generator)
        let other = identity.makeRouterID(using: &generator)
        #expect(id.zone == 0)
        #expect(id.publicKey == identity.publicKey)
        #expect(id.overlayAddress == identity.address)
        #expect(id != other, "every start picks a fresh random tail")

        let parts = id.description.split(separator: "-", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(parts.first.map(String.init) == Self.publicKeyHex)
        #expect(parts.dropFirst().first == "0000")
        let tail = try #require(parts.last)
        #expect(tail.count == 12)
        #expect(Hex.decode(String(tail)) == Array(id.bytes[34...]))
    }

    @Test func parsesFortyBytesAndRoundTrips() throws {
        let bytes = (1...40).map { UInt8($0) }
        let id = try #require(RouterID(bytes: bytes))
        #expect(id.bytes == bytes)
        #expect(id.zone == 0x2122)
        #expect(id.tail == 0x2324_2526_2728)
        #expect(id.publicKey.rawBytes == Array(bytes[0..<32]))
        #expect(RouterID(bytes: id.bytes) == id)
    }

    @Test(arguments: [0, 1, 32, 39, 41, 80])
    func rejectsOtherByteCounts(_ count: Int) {
        #expect(RouterID(bytes: [UInt8](repeating: 7, count: count)) == nil)
    }
}
