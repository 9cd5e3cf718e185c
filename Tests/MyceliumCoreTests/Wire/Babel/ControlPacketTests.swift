import MyceliumCore
import NIOCore
import Testing

/// The Babel packet around every TLV (spec §3.1): `2A 03 | body length u16 | type | length | body`.
@Suite("ControlPacket")
struct ControlPacketTests {
    typealias Fixtures = CoreWireFixtures

    static let hello = LinkPacket.control(.hello(Hello(seqno: SeqNo(5), interval: 2000)))

    /// Spec §3.1: full control-packet sizes on the link.
    @Test func linkSizesMatchTheSpec() throws {
        let subnet = try Fixtures.subnet("5a6:f0c6:f365:177d::/64")
        let routerID = try Fixtures.routerID(repeating: 1)
        let sizes: [(ControlPacket, Int)] = [
            (.hello(Hello(seqno: SeqNo(1), interval: 2000)), 16),
            (.ihu(IHU(rxCost: Metric(1000), interval: 6000)), 16),
            (.routeRequest(RouteRequest(prefix: .ipv6(subnet))), 21),
            (.routeRequest(RouteRequest(prefix: nil)), 13),
            (.seqnoRequest(SeqnoRequest(prefix: .ipv6(subnet), seqno: SeqNo(1), routerID: routerID)), 64),
            (.update(Update(prefix: .ipv6(subnet), seqno: SeqNo(1), metric: .zero, interval: 30000,
                            routerID: routerID)), 68),
        ]
        for (packet, size) in sizes {
            let bytes = try Fixtures.encode(.control(packet))
            #expect(bytes.count == size, "\(packet)")
            // The Babel header announces the TLV plus its 2-byte header; the TLV length is the rest.
            #expect(Array(bytes[4..<6]) == [0x2A, 0x03])
            #expect(Int(bytes[6]) << 8 | Int(bytes[7]) == size - 8)
            #expect(Int(bytes[9]) == size - 10)
        }
    }

    @Test(arguments: [(0x2A, 0x02), (0x2A, 0x04), (0x2B, 0x03), (0x00, 0x00)] as [(UInt8, UInt8)])
    func foreignHeaderSkipsExactlyTheAnnouncedBody(magic: UInt8, version: UInt8) throws {
        let foreignBody: [UInt8] = [0x04, 0x06, 0x80, 0x00, 0x00, 0x05, 0x07, 0xD0, 0xEE]
        let foreign = Fixtures.controlLinkHeader + [magic, version, 0x00, UInt8(foreignBody.count)] + foreignBody
        var buffer = Fixtures.buffer(foreign + (try Fixtures.encode(Self.hello)))
        let packet = try #require(try buffer.readLinkPacket())
        guard case .control(.unrecognized(let unrecognized)) = packet else {
            Issue.record("expected an unrecognized packet, got \(packet)")
            return
        }
        #expect(unrecognized.reason == .foreignHeader)
        #expect(unrecognized.magic == magic)
        #expect(unrecognized.version == version)
        #expect(Array(unrecognized.body.readableBytesView) == foreignBody)
        #expect(buffer.readerIndex == foreign.count, "exactly the announced body is consumed")
        #expect(try buffer.readLinkPacket() == Self.hello)
        #expect(buffer.readableBytes == 0)

        // It re-encodes byte for byte.
        #expect(try Fixtures.encode(packet) == foreign)
    }

    @Test func foreignHeaderWithEmptyBody() throws {
        let bytes = Fixtures.controlLinkHeader + [0x2A, 0x02, 0x00, 0x00]
        #expect(Fixtures.unrecognizedReason(try Fixtures.decodeSingleLinkPacket(bytes)) == .foreignHeader)
    }

    @Test(arguments: [0, 1, 2, 3, 6, 7, 11, 12, 255] as [UInt8])
    func unknownTLVTypeIsSkipped(type: UInt8) throws {
        let body: [UInt8] = [1, 2, 3, 4, 5]
        let unknown = Fixtures.controlLinkPacket(tlvType: type, body: body)
        var buffer = Fixtures.buffer(unknown + (try Fixtures.encode(Self.hello)))
        let packet = try #require(try buffer.readLinkPacket())
        #expect(Fixtures.unrecognizedReason(packet) == .unknownTLVType(type))
        #expect(buffer.readerIndex == unknown.count)
        #expect(try buffer.readLinkPacket() == Self.hello)
        #expect(try Fixtures.encode(packet) == unknown, "kept byte for byte")
    }

    @Test func unknownTLVTypeWithEmptyBody() throws {
        let packet = try Fixtures.decodeSingleLinkPacket(Fixtures.controlLinkPacket(tlvType: 42, body: []))
        #expect(Fixtures.unrecognizedReason(packet) == .unknownTLVType(42))
    }

    /// Bytes after the TLV but inside the announced body are consumed with it, so they cannot desynchronise the
    /// stream.
    @Test func trailingBytesInsideTheBodyAreConsumed() throws {
        let tlv: [UInt8] = [4, 6, 0x80, 0, 0, 5, 0x07, 0xD0]
        let trailing: [UInt8] = [9, 2, 0xAA, 0xBB]
        let length = UInt8(tlv.count + trailing.count)
        let packet = Fixtures.controlLinkHeader + [0x2A, 0x03, 0x00, length] + tlv + trailing
        var buffer = Fixtures.buffer(packet + (try Fixtures.encode(Self.hello)))
        #expect(try buffer.readLinkPacket() == Self.hello)
        #expect(buffer.readerIndex == packet.count)
        #expect(try buffer.readLinkPacket() == Self.hello)
    }

    @Test(arguments: [(7, 6), (255, 6), (7, 0)] as [(UInt8, Int)])
    func tlvLongerThanTheBodyThrows(tlvLength: UInt8, available: Int) {
        let body = [UInt8](repeating: 0, count: available)
        let bytes = Fixtures.controlLinkHeader + [0x2A, 0x03, 0x00, UInt8(available + 2), 4, tlvLength] + body
        var buffer = Fixtures.buffer(bytes)
        #expect(throws: WireError.invalidTLVLength(type: 4, length: Int(tlvLength))) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0, "a failed decode leaves the buffer untouched")
    }

    @Test(arguments: [0, 1] as [UInt8])
    func bodyTooShortForATLVHeaderThrows(bodyLength: UInt8) {
        let body = [UInt8](repeating: 4, count: Int(bodyLength))
        let bytes = Fixtures.controlLinkHeader + [0x2A, 0x03, 0x00, bodyLength] + body
        var buffer = Fixtures.buffer(bytes)
        #expect(throws: WireError.self) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }

    @Test func incompleteBodyWaitsForMoreBytes() throws {
        let bytes = try Fixtures.encode(Self.hello)
        for count in 0..<bytes.count {
            var buffer = Fixtures.buffer(Array(bytes.prefix(count)))
            #expect(try buffer.readLinkPacket() == nil)
            #expect(buffer.readerIndex == 0)
        }
        var control = Fixtures.buffer(Array(bytes.dropFirst(4).dropLast()))
        #expect(try control.readControlPacket() == nil)
        #expect(control.readerIndex == 0)
    }

    @Test func readControlPacketReadsTheBodyAlone() throws {
        var buffer = Fixtures.buffer(Fixtures.babelPacket(tlvType: 4, body: [0x80, 0, 0, 5, 0x07, 0xD0]))
        #expect(try buffer.readControlPacket() == .hello(Hello(seqno: SeqNo(5), interval: 2000)))
        #expect(buffer.readableBytes == 0)
    }

    @Test func oversizedUnrecognizedBodyCannotBeEncoded() throws {
        let decoded = try Fixtures.decodeSingleLinkPacket(Fixtures.controlLinkHeader + [0x2A, 0x02, 0x00, 0x00])
        guard case .control(.unrecognized(var unrecognized)) = decoded else {
            Issue.record("expected an unrecognized packet, got \(decoded)")
            return
        }
        unrecognized.body = ByteBuffer(repeating: 0, count: 65_536)
        var buffer = ByteBuffer()
        #expect(throws: WireError.lengthExceedsLimit(field: .babelBodyLength, length: 65_536, limit: 65_535)) {
            try buffer.writeControlPacket(.unrecognized(unrecognized))
        }
        #expect(buffer.readableBytes == 0)
    }
}
