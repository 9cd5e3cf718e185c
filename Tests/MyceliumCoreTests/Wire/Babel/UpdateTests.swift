import MyceliumCore
import NIOCore
import Testing

/// Update TLV (type 8): `AE | flags | plen | omitted | interval | seqno | metric | prefix | router id 40`.
@Suite("Update")
struct UpdateTests {
    typealias Fixtures = CoreWireFixtures

    static func decode(body: [UInt8]) throws -> LinkPacket {
        try Fixtures.decodeSingleLinkPacket(Fixtures.controlLinkPacket(tlvType: 8, body: body))
    }

    // Upstream's `update.rs` unit-test vectors (TLV bodies).

    @Test func encodesIPv6Vector() throws {
        let update = Update(
            prefix: .ipv6(try Fixtures.subnet("200:19:1a:1b::/64")),
            seqno: SeqNo(17),
            metric: Metric(25),
            interval: 400,
            routerID: try Fixtures.routerID(repeating: 1),
            flags: 0xC0
        )
        let body = try Fixtures.tlvBody(.update(update))
        #expect(body == [2, 192, 64, 0, 1, 144, 0, 17, 0, 25, 2, 0, 0, 25, 0, 26, 0, 27]
            + [UInt8](repeating: 1, count: 40))
        #expect(body.count == 58)
    }

    /// Upstream encodes the prefix straight from an address with host bits (`200:19:1a:1b:1c::1d/64`); only the
    /// first 8 bytes go on the wire either way.
    @Test func hostBitsNeverReachTheWire() throws {
        let address = IPv6Address(groups: [512, 25, 26, 27, 28, 0, 0, 29])
        let withHostBits = try #require(Subnet(address: address, prefixLength: 64))
        let update = Update(prefix: .ipv6(withHostBits), seqno: SeqNo(17), metric: Metric(25), interval: 400,
                            routerID: try Fixtures.routerID(repeating: 1), flags: 0xC0)
        #expect(Array(try Fixtures.tlvBody(.update(update))[10..<18]) == [2, 0, 0, 25, 0, 26, 0, 27])
    }

    @Test func encodesIPv4Vector() throws {
        let prefix = try #require(IPv4Prefix(address: Fixtures.ipv4(10, 101, 4, 1), prefixLength: 23))
        let update = Update(
            prefix: .ipv4(prefix),
            seqno: SeqNo(170),
            metric: Metric(256),
            interval: 600,
            routerID: try Fixtures.routerID(repeating: 2)
        )
        let body = try Fixtures.tlvBody(.update(update))
        #expect(body == [1, 0, 23, 0, 2, 88, 0, 170, 1, 0, 10, 101, 4] + [UInt8](repeating: 2, count: 40))
        #expect(body.count == 53)
    }

    @Test func decodesWildcardVector() throws {
        let packet = try Self.decode(body: [0, 64, 0, 0, 0, 100, 0, 70, 2, 0] + [UInt8](repeating: 3, count: 40))
        let expected = Update(
            prefix: .ipv6(try Fixtures.subnet("::/0")),
            seqno: SeqNo(70),
            metric: Metric(512),
            interval: 100,
            routerID: try Fixtures.routerID(repeating: 3),
            flags: 0x40
        )
        #expect(packet == .control(.update(expected)))
    }

    @Test func decodesLinkLocalVector() throws {
        let packet = try Self.decode(
            body: [3, 0, 64, 0, 3, 232, 0, 42, 3, 1, 0, 10, 0, 20, 0, 30, 0, 40] + [UInt8](repeating: 4, count: 40)
        )
        let prefix = try #require(Subnet(address: try Fixtures.address("fe80::a:14:1e:28"), prefixLength: 64))
        let expected = Update(prefix: .ipv6(prefix), seqno: SeqNo(42), metric: Metric(769), interval: 1000,
                              routerID: try Fixtures.routerID(repeating: 4))
        #expect(packet == .control(.update(expected)))
        // Our `Subnet` clears host bits: upstream keeps `fe80::a:14:1e:28/64`, which is the same /64.
        #expect(prefix.description == "fe80::/64")
    }

    @Test func decodingMasksTheFlags() throws {
        let packet = try Self.decode(
            body: [3, 255, 64, 0, 3, 232, 0, 42, 3, 1, 0, 10, 0, 20, 0, 30, 0, 40] + [UInt8](repeating: 4, count: 40)
        )
        guard case .control(.update(let update)) = packet else {
            Issue.record("expected an Update, got \(packet)")
            return
        }
        #expect(update.flags == 0xC0)
        #expect(update.metric == Metric(769))
        #expect(Update(prefix: update.prefix, seqno: SeqNo(0), metric: .zero, interval: 1, routerID: update.routerID,
                       flags: 0xFF).flags == 0xC0)
    }

    @Test func unknownAddressEncodingIsDroppedAndTheLinkStaysUsable() throws {
        let body: [UInt8] = [4, 0, 64, 0, 0, 44, 2, 0, 0, 10, 10, 5, 0, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
            + [UInt8](repeating: 5, count: 40)
        let next = LinkPacket.control(.hello(Hello(seqno: SeqNo(9), interval: 2000)))
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 8, body: body) + (try Fixtures.encode(next)))
        let dropped = try #require(try buffer.readLinkPacket())
        #expect(Fixtures.unrecognizedReason(dropped) == .unknownAddressEncoding(4))
        #expect(try buffer.readLinkPacket() == next)
        #expect(buffer.readableBytes == 0)
    }

    /// AE 0 needs plen 0, AE 1 plen ≤ 32, AE 2 plen ≤ 128, AE 3 plen 64; anything else is dropped, not fatal.
    @Test(arguments: [(0, 8), (1, 33), (2, 129), (2, 255), (3, 63), (3, 128)] as [(UInt8, UInt8)])
    func invalidPrefixLengthIsDropped(ae: UInt8, plen: UInt8) throws {
        let prefixBytes = [UInt8](repeating: 0, count: min(16, (Int(plen) + 7) / 8))
        let body = [ae, 0, plen, 0, 0, 100, 0, 1, 0, 1] + prefixBytes + [UInt8](repeating: 7, count: 40)
        let packet = try Self.decode(body: body)
        #expect(Fixtures.unrecognizedReason(packet) == .invalidPrefixLength(addressEncoding: ae, prefixLength: plen))
    }

    @Test(arguments: [9, 10, 17, 57] as [Int])
    func truncatedBodyIsMalformed(length: Int) {
        let full: [UInt8] = [2, 0, 64, 0, 1, 144, 0, 17, 0, 25, 2, 0, 0, 25, 0, 26, 0, 27]
            + [UInt8](repeating: 1, count: 40)
        let body = Array(full.prefix(length))
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 8, body: body))
        #expect(throws: WireError.invalidTLVLength(type: 8, length: length)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }

    @Test func slash64UpdateIs68BytesOnTheLink() throws {
        let update = Update(prefix: .ipv6(try Fixtures.subnet("5a6:f0c6:f365:177d::/64")), seqno: SeqNo(0),
                            metric: .zero, interval: 30000, routerID: try Fixtures.routerID(repeating: 9))
        let bytes = try Fixtures.encode(.control(.update(update)))
        #expect(bytes.count == 68)
        #expect(Array(bytes.prefix(10)) == [1, 1, 0, 0, 0x2A, 3, 0, 60, 8, 58])
    }

    @Test(arguments: ["::/0", "400::/7", "5a6:f0c6:f365:177d::/64", "5a6:f0c6:f365:177d:8000::/65",
                      "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e/128"])
    func roundTripsIPv6(prefix: String) throws {
        let update = Update(prefix: .ipv6(try Fixtures.subnet(prefix)), seqno: SeqNo(65535), metric: .infinite,
                            interval: 30000, routerID: try Fixtures.routerID(repeating: 6), flags: 0x80)
        #expect(update.isRetraction)
        let packet = LinkPacket.control(.update(update))
        let bytes = try Fixtures.encode(packet)
        #expect(try Fixtures.decodeSingleLinkPacket(bytes) == packet)
    }

    @Test(arguments: [0, 1, 8, 23, 24, 32] as [UInt8])
    func roundTripsIPv4(prefixLength: UInt8) throws {
        let prefix = try #require(IPv4Prefix(address: Fixtures.ipv4(10, 101, 4, 1), prefixLength: prefixLength))
        let packet = LinkPacket.control(.update(Update(prefix: .ipv4(prefix), seqno: SeqNo(1), metric: Metric(2),
                                                       interval: 3, routerID: try Fixtures.routerID(repeating: 2))))
        #expect(try Fixtures.decodeSingleLinkPacket(try Fixtures.encode(packet)) == packet)
    }
}
