import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

@Suite("User-data header (§4.3)")
struct UserDataHeaderTests {
    typealias Fixtures = DataPlaneCodecFixtures

    static func decode(_ buffer: inout ByteBuffer) throws(WireError) -> UserDataType? {
        try buffer.readUserDataHeader()
    }

    /// `01 | type | 00 00` for the three types of spec §4.3.
    static let vectors: [([UInt8], UserDataType)] = [
        ([0x01, 0x00, 0x00, 0x00], .ipv6Packet),
        ([0x01, 0x01, 0x00, 0x00], .message),
        ([0x01, 0x02, 0x00, 0x00], .outOfBandICMP),
    ]

    @Test("encodes and decodes the spec's bytes", arguments: vectors)
    func vector(bytes: [UInt8], type: UserDataType) throws {
        #expect(try Fixtures.encoded { (buffer) throws(WireError) in buffer.writeUserDataHeader(type) } == bytes)
        #expect(try Fixtures.decodeExactly(bytes, Self.decode) == type)
    }

    @Test("the §10 plaintext starts with an IPv6-packet header and leaves the body unread")
    func specPlaintext() throws {
        var buffer = ByteBuffer(bytes: [0x01, 0x00, 0x00, 0x00] + Array("hello".utf8))
        #expect(try buffer.readUserDataHeader() == .ipv6Packet)
        #expect(Array(buffer.readableBytesView) == Array("hello".utf8))
    }

    @Test("round trips every type")
    func roundTrip() throws {
        for type in [UserDataType.ipv6Packet, .message, .outOfBandICMP] {
            let bytes = try Fixtures.encoded { (buffer) throws(WireError) in buffer.writeUserDataHeader(type) }
            #expect(try Fixtures.decodeExactly(bytes, Self.decode) == type)
        }
    }

    @Test("the reserved bytes are ignored, as upstream ignores them")
    func reservedIgnored() throws {
        #expect(try Fixtures.decodeExactly([0x01, 0x01, 0xAB, 0xCD], Self.decode) == .message)
    }

    @Test("byte-at-a-time feeding asks for more until the fourth byte")
    func dripFeed() throws {
        for (bytes, type) in Self.vectors {
            Fixtures.expectDripFeed(bytes, decodesTo: type, Self.decode)
            try Fixtures.expectIncompleteForEveryPrefix(bytes, Self.decode)
        }
    }

    @Test("NIO's ByteToMessageDecoderVerifier accepts the decoder")
    func nioVerifier() throws {
        try Fixtures.verifyWithNIO(Self.vectors, decode: Self.decode)
    }

    @Test("a version other than 1 is rejected")
    func badVersion() {
        Fixtures.expectRejection([0x00, 0x00, 0x00, 0x00], .invalidField(.userDataVersion), Self.decode)
        Fixtures.expectRejection([0x02, 0x01, 0x00, 0x00], .invalidField(.userDataVersion), Self.decode)
        Fixtures.expectRejection([0xFF, 0x02, 0x00, 0x00], .invalidField(.userDataVersion), Self.decode)
    }

    @Test("an unknown type is rejected")
    func badType() {
        Fixtures.expectRejection([0x01, 0x03, 0x00, 0x00], .invalidField(.userDataType), Self.decode)
        Fixtures.expectRejection([0x01, 0xFF, 0x00, 0x00], .invalidField(.userDataType), Self.decode)
    }

    @Test("fuzzing keeps the decoder contract")
    func fuzz() {
        let report = CodecFuzzer().run(
            "UserDataHeader",
            corpus: Self.vectors.map(\.0),
            // The decoded type holds no bytes beyond the 4 it was read from.
            footprint: { (_: UserDataType) in UserDataHeader.byteCount },
            decode: Self.decode
        )
        report.expectContractKept()
    }
}
