import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

@Suite("Discovery beacon (§2.4)")
struct DiscoveryBeaconTests {
    typealias Fixtures = DataPlaneCodecFixtures

    static func decode(_ buffer: inout ByteBuffer) throws(WireError) -> DiscoveryBeacon? {
        try buffer.readDiscoveryBeacon()
    }

    static func encode(_ beacon: DiscoveryBeacon) throws(WireError) -> [UInt8] {
        try Fixtures.encoded { (buffer) throws(WireError) in buffer.writeDiscoveryBeacon(beacon) }
    }

    /// "mycelium" ‖ port 9651 ‖ router id (key 32 × 0x11, zone 0, tail 01…06).
    static let vectorBytes = Fixtures.bytes(
        """
        6d7963656c69756d
        25b3
        1111111111111111111111111111111111111111111111111111111111111111 0000 010203040506
        """
    )

    static func vectorBeacon() throws -> DiscoveryBeacon {
        DiscoveryBeacon(tcpPort: 9651, routerID: try Fixtures.routerID(keyByte: 0x11))
    }

    static func otherBeacons() throws -> [DiscoveryBeacon] {
        [
            DiscoveryBeacon(tcpPort: 0, routerID: try Fixtures.routerID(keyByte: 0x00)),
            DiscoveryBeacon(tcpPort: 65535, routerID: try Fixtures.routerID(keyByte: 0xFF)),
            DiscoveryBeacon(tcpPort: 9651, routerID: try Fixtures.routerID(keyByte: 0x6D)),
        ]
    }

    @Test("constants: 50 bytes to [ff02::cafe]:9650")
    func constants() {
        #expect(DiscoveryBeacon.byteCount == 50)
        #expect(DiscoveryBeacon.multicastGroup.description == "ff02::cafe")
        #expect(DiscoveryBeacon.port == 9650)
        #expect(Self.vectorBytes.count == 50)
    }

    @Test("encodes and decodes the spec layout byte for byte")
    func vector() throws {
        let beacon = try Self.vectorBeacon()
        #expect(try Self.encode(beacon) == Self.vectorBytes)
        #expect(try Fixtures.decodeExactly(Self.vectorBytes, Self.decode) == beacon)
        #expect(try DiscoveryBeacon(datagram: ByteBuffer(bytes: Self.vectorBytes)) == beacon)
    }

    @Test("round trips")
    func roundTrip() throws {
        for beacon in try Self.otherBeacons() {
            let bytes = try Self.encode(beacon)
            #expect(bytes.count == 50)
            #expect(try Fixtures.decodeExactly(bytes, Self.decode) == beacon)
        }
    }

    @Test("byte-at-a-time feeding waits for all 50 bytes")
    func dripFeed() throws {
        Fixtures.expectDripFeed(Self.vectorBytes, decodesTo: try Self.vectorBeacon(), Self.decode)
        try Fixtures.expectIncompleteForEveryPrefix(Self.vectorBytes, Self.decode)
    }

    @Test("fewer than 50 bytes are incomplete even when the magic is already wrong")
    func shortWithWrongMagic() throws {
        var buffer = ByteBuffer(bytes: Array("notmycelium".utf8))
        #expect(try buffer.readDiscoveryBeacon() == nil)
        #expect(buffer.readerIndex == 0)
    }

    @Test("NIO's ByteToMessageDecoderVerifier accepts the decoder")
    func nioVerifier() throws {
        let others = try Self.otherBeacons().map { (try Self.encode($0), $0) }
        let pairs = [(Self.vectorBytes, try Self.vectorBeacon())] + others
        try Fixtures.verifyWithNIO(pairs, decode: Self.decode)
    }

    @Test("a wrong magic is rejected")
    func wrongMagic() {
        for index in 0..<8 {
            var bytes = Self.vectorBytes
            bytes[index] ^= 0x20
            Fixtures.expectRejection(bytes, .invalidField(.beaconMagic), Self.decode)
        }
        var zeros = Self.vectorBytes
        zeros.replaceSubrange(0..<8, with: [UInt8](repeating: 0, count: 8))
        Fixtures.expectRejection(zeros, .invalidField(.beaconMagic), Self.decode)
    }

    @Test("a datagram of any other length than 50 is rejected")
    func datagramLength() {
        for bytes in [[], Array(Self.vectorBytes.dropLast()), Self.vectorBytes + [0]] {
            #expect(throws: WireError.invalidField(.beaconLength)) {
                try DiscoveryBeacon(datagram: ByteBuffer(bytes: bytes))
            }
        }
        var wrongMagic = Self.vectorBytes
        wrongMagic[0] = 0x4D
        #expect(throws: WireError.invalidField(.beaconMagic)) {
            try DiscoveryBeacon(datagram: ByteBuffer(bytes: wrongMagic))
        }
    }

    @Test("a stream reader consumes exactly one beacon")
    func consumesExactlyFifty() throws {
        var buffer = ByteBuffer(bytes: Self.vectorBytes + [0xAA, 0xBB])
        #expect(try buffer.readDiscoveryBeacon() == (try Self.vectorBeacon()))
        #expect(Array(buffer.readableBytesView) == [0xAA, 0xBB])
    }

    @Test("fuzzing keeps the decoder contract")
    func fuzz() throws {
        let corpus = [Self.vectorBytes] + (try Self.otherBeacons().map { try Self.encode($0) })
        let report = CodecFuzzer().run(
            "DiscoveryBeacon",
            corpus: corpus,
            footprint: { (_: DiscoveryBeacon) in DiscoveryBeacon.byteCount },
            decode: Self.decode
        )
        report.expectContractKept()
    }
}
