import MyceliumCore
import NIOCore
import Testing

/// Route Request TLV (type 9): `generation | AE | plen | prefix` (generation first, unlike RFC 8966).
@Suite("RouteRequest")
struct RouteRequestTests {
    typealias Fixtures = CoreWireFixtures

    static func decode(body: [UInt8]) throws -> LinkPacket {
        try Fixtures.decodeSingleLinkPacket(Fixtures.controlLinkPacket(tlvType: 9, body: body))
    }

    // Upstream's `route_request.rs` unit-test vectors (TLV bodies).

    @Test func encodesIPv6Vector() throws {
        let request = RouteRequest(prefix: .ipv6(try Fixtures.subnet("200:19:1a:1b::/64")), generation: 2)
        #expect(try Fixtures.tlvBody(.routeRequest(request)) == [2, 2, 64, 2, 0, 0, 25, 0, 26, 0, 27])
    }

    @Test func encodesIPv4Vector() throws {
        let prefix = try #require(IPv4Prefix(address: Fixtures.ipv4(10, 101, 4, 1), prefixLength: 32))
        let request = RouteRequest(prefix: .ipv4(prefix), generation: 3)
        #expect(try Fixtures.tlvBody(.routeRequest(request)) == [3, 1, 32, 10, 101, 4, 1])
    }

    @Test func encodesWildcardVector() throws {
        #expect(try Fixtures.tlvBody(.routeRequest(RouteRequest(prefix: nil))) == [0, 0, 0])
        let bytes = try Fixtures.encode(.control(.routeRequest(RouteRequest(prefix: nil))))
        #expect(bytes == [1, 1, 0, 0, 0x2A, 3, 0, 5, 9, 3, 0, 0, 0])
    }

    @Test func decodesWildcardVector() throws {
        #expect(try Self.decode(body: [12, 0, 0]) == .control(.routeRequest(RouteRequest(prefix: nil, generation: 12))))
    }

    @Test func decodesIPv4Vector() throws {
        let prefix = try #require(IPv4Prefix(address: Fixtures.ipv4(10, 15, 19, 0), prefixLength: 24))
        #expect(try Self.decode(body: [24, 1, 24, 10, 15, 19])
            == .control(.routeRequest(RouteRequest(prefix: .ipv4(prefix), generation: 24))))
    }

    @Test func decodesIPv6Vector() throws {
        let prefix = BabelPrefix.ipv6(try Fixtures.subnet("a:14:1e:28::/64"))
        #expect(try Self.decode(body: [7, 2, 64, 0, 10, 0, 20, 0, 30, 0, 40])
            == .control(.routeRequest(RouteRequest(prefix: prefix, generation: 7))))
    }

    @Test func decodesLinkLocalVector() throws {
        let prefix = try #require(Subnet(address: try Fixtures.address("fe80::a:14:1e:28"), prefixLength: 64))
        #expect(try Self.decode(body: [4, 3, 64, 0, 10, 0, 20, 0, 30, 0, 40])
            == .control(.routeRequest(RouteRequest(prefix: .ipv6(prefix), generation: 4))))
    }

    @Test func unknownAddressEncodingIsDroppedAndTheLinkStaysUsable() throws {
        let body: [UInt8] = [0, 4, 64, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]
        let next = LinkPacket.control(.routeRequest(RouteRequest(prefix: nil, generation: 1)))
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 9, body: body) + (try Fixtures.encode(next)))
        let dropped = try #require(try buffer.readLinkPacket())
        #expect(Fixtures.unrecognizedReason(dropped) == .unknownAddressEncoding(4))
        #expect(try buffer.readLinkPacket() == next)
        #expect(buffer.readableBytes == 0)
    }

    /// Upstream reads no prefix for AE 0 whatever plen says; the body is consumed whole either way.
    @Test func wildcardIgnoresThePrefixLength() throws {
        #expect(try Self.decode(body: [5, 0, 64, 1, 2, 3, 4, 5, 6, 7, 8])
            == .control(.routeRequest(RouteRequest(prefix: nil, generation: 5))))
    }

    @Test(arguments: [(1, 33), (2, 129), (3, 48)] as [(UInt8, UInt8)])
    func invalidPrefixLengthIsDropped(ae: UInt8, plen: UInt8) throws {
        let packet = try Self.decode(body: [0, ae, plen] + [UInt8](repeating: 0, count: 16))
        #expect(Fixtures.unrecognizedReason(packet) == .invalidPrefixLength(addressEncoding: ae, prefixLength: plen))
    }

    @Test(arguments: [[] as [UInt8], [1], [1, 2], [1, 2, 64, 0, 0, 0, 0, 0, 0, 0], [1, 1, 24, 10, 15], [1, 3, 64, 1]])
    func truncatedBodyIsMalformed(body: [UInt8]) {
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 9, body: body))
        #expect(throws: WireError.invalidTLVLength(type: 9, length: body.count)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }

    @Test func slash64RequestIs21BytesOnTheLink() throws {
        let request = RouteRequest(prefix: .ipv6(try Fixtures.subnet("5a6:f0c6:f365:177d::/64")))
        let bytes = try Fixtures.encode(.control(.routeRequest(request)))
        #expect(bytes.count == 21)
        #expect(bytes == [1, 1, 0, 0, 0x2A, 3, 0, 13, 9, 11, 0, 2, 64, 0x05, 0xA6, 0xF0, 0xC6, 0xF3, 0x65, 0x17, 0x7D])
    }

    @Test func roundTrips() throws {
        let prefix = try #require(IPv4Prefix(address: Fixtures.ipv4(192, 0, 2, 0), prefixLength: 24))
        for request in [
            RouteRequest(prefix: nil, generation: 0),
            RouteRequest(prefix: .ipv6(try Fixtures.subnet("21f:4025:abcd:dead::/64")), generation: 27),
            RouteRequest(prefix: .ipv6(try Fixtures.subnet("400::/7")), generation: 255),
            RouteRequest(prefix: .ipv4(prefix), generation: 15),
        ] {
            let packet = LinkPacket.control(.routeRequest(request))
            #expect(try Fixtures.decodeSingleLinkPacket(try Fixtures.encode(packet)) == packet)
        }
    }
}
