import MyceliumCore
import NIOCore
import Testing

/// Seqno Request TLV (type 10): `AE | plen | seqno u16 | hop count | reserved | router id 40 | prefix`.
@Suite("SeqnoRequest")
struct SeqnoRequestTests {
    typealias Fixtures = CoreWireFixtures

    static func decode(body: [UInt8]) throws -> LinkPacket {
        try Fixtures.decodeSingleLinkPacket(Fixtures.controlLinkPacket(tlvType: 10, body: body))
    }

    // Upstream's `seqno_request.rs` unit-test vectors (TLV bodies).

    @Test func encodesIPv6Vector() throws {
        let request = SeqnoRequest(prefix: .ipv6(try Fixtures.subnet("200:19:1a:1b::/64")), seqno: SeqNo(17),
                                   routerID: try Fixtures.routerID(repeating: 1))
        #expect(request.hopCount == 64, "the default hop count")
        let body = try Fixtures.tlvBody(.seqnoRequest(request))
        #expect(body == [2, 64, 0, 17, 64, 0] + [UInt8](repeating: 1, count: 40) + [2, 0, 0, 25, 0, 26, 0, 27])
        #expect(body.count == 54)
    }

    @Test func encodesIPv4Vector() throws {
        let prefix = try #require(IPv4Prefix(address: Fixtures.ipv4(10, 101, 4, 1), prefixLength: 32))
        let request = SeqnoRequest(prefix: .ipv4(prefix), seqno: SeqNo(170),
                                   routerID: try Fixtures.routerID(repeating: 2), hopCount: 111)
        let body = try Fixtures.tlvBody(.seqnoRequest(request))
        #expect(body == [1, 32, 0, 170, 111, 0] + [UInt8](repeating: 2, count: 40) + [10, 101, 4, 1])
        #expect(body.count == 50)
    }

    @Test func decodesWildcardVector() throws {
        let packet = try Self.decode(body: [0, 0, 0, 0, 1, 0] + [UInt8](repeating: 3, count: 40))
        let expected = SeqnoRequest(prefix: .ipv6(try Fixtures.subnet("::/0")), seqno: SeqNo(0),
                                    routerID: try Fixtures.routerID(repeating: 3), hopCount: 1)
        #expect(packet == .control(.seqnoRequest(expected)))
    }

    @Test func decodesLinkLocalVector() throws {
        let packet = try Self.decode(
            body: [3, 64, 0, 42, 232, 0] + [UInt8](repeating: 4, count: 40) + [0, 10, 0, 20, 0, 30, 0, 40]
        )
        let prefix = try #require(Subnet(address: try Fixtures.address("fe80::a:14:1e:28"), prefixLength: 64))
        let expected = SeqnoRequest(prefix: .ipv6(prefix), seqno: SeqNo(42),
                                    routerID: try Fixtures.routerID(repeating: 4), hopCount: 232)
        #expect(packet == .control(.seqnoRequest(expected)))
    }

    @Test func zeroHopCountIsDroppedAndTheLinkStaysUsable() throws {
        let body = [3, 64, 92, 0, 0, 0] + [UInt8](repeating: 4, count: 40) + [0, 10, 0, 20, 0, 30, 0, 40]
        let next = LinkPacket.control(.hello(Hello(seqno: SeqNo(1), interval: 2000)))
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 10, body: body) + (try Fixtures.encode(next)))
        let dropped = try #require(try buffer.readLinkPacket())
        #expect(Fixtures.unrecognizedReason(dropped) == .zeroHopCount)
        #expect(try buffer.readLinkPacket() == next)
        #expect(buffer.readableBytes == 0)
    }

    @Test func unknownAddressEncodingIsDroppedAndTheLinkStaysUsable() throws {
        let body: [UInt8] = [4, 64, 0, 0, 44, 0] + [UInt8](repeating: 5, count: 40) + (6...21).map { UInt8($0) }
        let next = LinkPacket.control(.ihu(IHU(rxCost: Metric(7), interval: 6000)))
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 10, body: body) + (try Fixtures.encode(next)))
        let dropped = try #require(try buffer.readLinkPacket())
        #expect(Fixtures.unrecognizedReason(dropped) == .unknownAddressEncoding(4))
        #expect(try buffer.readLinkPacket() == next)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [(0, 64), (1, 40), (2, 200), (3, 0)] as [(UInt8, UInt8)])
    func invalidPrefixLengthIsDropped(ae: UInt8, plen: UInt8) throws {
        let body = [ae, plen, 0, 1, 64, 0] + [UInt8](repeating: 8, count: 40) + [UInt8](repeating: 0, count: 16)
        let packet = try Self.decode(body: body)
        #expect(Fixtures.unrecognizedReason(packet) == .invalidPrefixLength(addressEncoding: ae, prefixLength: plen))
    }

    @Test(arguments: [0, 5, 6, 45, 46, 53] as [Int])
    func truncatedBodyIsMalformed(length: Int) {
        let full = [2, 64, 0, 17, 64, 0] + [UInt8](repeating: 1, count: 40) + [2, 0, 0, 25, 0, 26, 0, 27]
        let body = Array(full.prefix(length))
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 10, body: body))
        #expect(throws: WireError.invalidTLVLength(type: 10, length: length)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }

    @Test func slash64RequestIs64BytesOnTheLink() throws {
        let request = SeqnoRequest(prefix: .ipv6(try Fixtures.subnet("5a6:f0c6:f365:177d::/64")), seqno: SeqNo(3),
                                   routerID: try Fixtures.routerID(repeating: 9))
        let bytes = try Fixtures.encode(.control(.seqnoRequest(request)))
        #expect(bytes.count == 64)
        #expect(Array(bytes.prefix(10)) == [1, 1, 0, 0, 0x2A, 3, 0, 56, 10, 54])
    }

    @Test func roundTrips() throws {
        let prefix = try #require(IPv4Prefix(address: Fixtures.ipv4(10, 0, 0, 0), prefixLength: 8))
        for request in [
            SeqnoRequest(prefix: .ipv6(try Fixtures.subnet("21f:4025:abcd:dead::/64")), seqno: SeqNo(64),
                         routerID: try Fixtures.routerID(repeating: 6)),
            SeqnoRequest(prefix: .ipv6(try Fixtures.subnet("::/0")), seqno: SeqNo(65535),
                         routerID: try Fixtures.routerID(repeating: 0), hopCount: 1),
            SeqnoRequest(prefix: .ipv4(prefix), seqno: SeqNo(0), routerID: try Fixtures.routerID(repeating: 0xFF),
                         hopCount: 255),
        ] {
            let packet = LinkPacket.control(.seqnoRequest(request))
            #expect(try Fixtures.decodeSingleLinkPacket(try Fixtures.encode(packet)) == packet)
        }
    }
}
