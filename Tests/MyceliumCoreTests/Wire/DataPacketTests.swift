import MyceliumCore
import NIOCore
import Testing

/// Data packet body (spec §2.3): `00 | length u16 | hop limit | source 16 | destination 16 | payload`.
@Suite("DataPacket")
struct DataPacketTests {
    typealias Fixtures = CoreWireFixtures

    static let sourceBytes: [UInt8] = [0x05, 0xA6, 0xF0, 0xC6, 0xF3, 0x65, 0x17, 0x7D,
                                       0x66, 0xBE, 0x4A, 0x2B, 0xD9, 0xFD, 0xB5, 0x9E]
    static let destinationBytes: [UInt8] = [0x05, 0xE5, 0x21, 0x95, 0x7C, 0xC4, 0xBF, 0xB0,
                                            0xBB, 0x4D, 0x44, 0xF8, 0x0A, 0xFC, 0xD1, 0x4E]
    static let payload = Array("hello".utf8)
    /// Built by hand from the table in spec §2.3.
    static let body: [UInt8] = [0x00, 0x00, 0x05, 0x40] + sourceBytes + destinationBytes + payload

    static func packet() throws -> DataPacket {
        DataPacket(
            source: try Fixtures.address("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"),
            destination: try Fixtures.address("5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e"),
            hopLimit: 64,
            payload: ByteBuffer(bytes: payload)
        )
    }

    @Test func encodesTheHandBuiltVector() throws {
        var buffer = ByteBuffer()
        let written = try buffer.writeDataPacket(try Self.packet())
        #expect(written == 41)
        #expect(Array(buffer.readableBytesView) == Self.body)
        #expect(DataPacket.headerByteCount == 36)
    }

    @Test func decodesTheHandBuiltVector() throws {
        var buffer = ByteBuffer(bytes: Self.body + [0xEE])
        let packet = try #require(try buffer.readDataPacket())
        #expect(packet == (try Self.packet()))
        #expect(packet.source.description == "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e")
        #expect(packet.destination.description == "5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e")
        #expect(packet.hopLimit == 64)
        #expect(Array(packet.payload.readableBytesView) == Self.payload)
        #expect(buffer.readableBytes == 1, "only the announced payload is consumed")
    }

    /// Upstream reads the first 4 bytes as a u32 and masks the length to 16 bits, so byte 0 is ignored on read.
    @Test func reservedByteIsIgnoredOnRead() throws {
        var buffer = ByteBuffer(bytes: [0xFF] + Self.body.dropFirst())
        #expect(try buffer.readDataPacket() == (try Self.packet()))
        #expect(buffer.readableBytes == 0)
    }

    @Test func linkOverheadIs40Bytes() throws {
        let bytes = try Fixtures.encode(.data(try Self.packet()))
        #expect(bytes == Fixtures.dataLinkHeader + Self.body)
        #expect(bytes.count - Self.payload.count == 40)
        #expect(try Fixtures.decodeSingleLinkPacket(bytes) == .data(try Self.packet()))
    }

    @Test func waitsForTheWholePayload() throws {
        for count in 0..<Self.body.count {
            var buffer = ByteBuffer(bytes: Array(Self.body.prefix(count)))
            #expect(try buffer.readDataPacket() == nil)
            #expect(buffer.readerIndex == 0)
        }
    }

    @Test func payloadLongerThan65535BytesCannotBeEncoded() throws {
        var packet = try Self.packet()
        packet.payload = ByteBuffer(repeating: 0xAB, count: 65_536)
        var buffer = ByteBuffer()
        #expect(throws: WireError.lengthExceedsLimit(field: .dataPayloadLength, length: 65_536, limit: 65_535)) {
            try buffer.writeDataPacket(packet)
        }
        #expect(buffer.readableBytes == 0, "nothing is written")
        #expect(throws: WireError.self) { try buffer.writeLinkPacket(.data(packet)) }
        #expect(buffer.readableBytes == 0, "a failed link packet write leaves no stray link header behind")
    }

    @Test(arguments: [0, 1, 1400, 65_535])
    func roundTrips(payloadLength: Int) throws {
        var packet = try Self.packet()
        packet.hopLimit = UInt8(truncatingIfNeeded: payloadLength)
        packet.payload = ByteBuffer(bytes: (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let bytes = try Fixtures.encode(.data(packet))
        #expect(bytes.count == 40 + payloadLength)
        #expect(Array(bytes[5..<7]) == [UInt8(payloadLength >> 8), UInt8(payloadLength & 0xFF)])
        #expect(try Fixtures.decodeSingleLinkPacket(bytes) == .data(packet))
    }

    @Test func encodesTheSlicesReadableBytesOnly() throws {
        var payload = ByteBuffer(bytes: [0xFF, 0xFF, 1, 2, 3])
        payload.moveReaderIndex(forwardBy: 2)
        var packet = try Self.packet()
        packet.payload = payload
        var buffer = ByteBuffer()
        try buffer.writeDataPacket(packet)
        #expect(Array(buffer.readableBytesView.suffix(3)) == [1, 2, 3])
        #expect(buffer.getInteger(at: 1, as: UInt16.self) == 3)
    }
}
