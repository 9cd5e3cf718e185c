import MyceliumCore
import NIOCore
import Testing

/// IHU TLV (type 5): `AE | reserved | rx cost u16 | interval u16 | address`.
@Suite("IHU")
struct IHUTests {
    typealias Fixtures = CoreWireFixtures

    @Test func wildcardIHUIs16BytesOnTheLink() throws {
        let packet = LinkPacket.control(.ihu(IHU(rxCost: Metric(1010), interval: 6000)))
        let bytes = try Fixtures.encode(packet)
        #expect(bytes == [1, 1, 0, 0, 0x2A, 3, 0, 8, 5, 6, 0, 0, 0x03, 0xF2, 0x17, 0x70])
        #expect(bytes.count == 16)
        #expect(try Fixtures.decodeSingleLinkPacket(bytes) == packet)
    }

    // Upstream's `ihu.rs` unit-test vectors (TLV bodies).

    @Test func encodesIPv4Vector() throws {
        let ihu = IHU(rxCost: Metric(25), interval: 400, address: .ipv4(Fixtures.ipv4(1, 1, 1, 1)))
        #expect(try Fixtures.tlvBody(.ihu(ihu)) == [1, 0, 0, 25, 1, 144, 1, 1, 1, 1])
    }

    @Test func encodesIPv6Vector() throws {
        let address = try Fixtures.address("2:0:4d2:929:d80:11d7:162e:1")
        let ihu = IHU(rxCost: Metric(100), interval: 4000, address: .ipv6(address))
        #expect(
            try Fixtures.tlvBody(.ihu(ihu))
                == [2, 0, 0, 100, 15, 160, 0, 2, 0, 0, 4, 210, 9, 41, 13, 128, 17, 215, 22, 46, 0, 1]
        )
    }

    @Test(arguments: [
        ([0, 0, 0, 1, 1, 44] as [UInt8], 1 as UInt16, 300 as UInt16, nil as String?),
        ([1, 0, 0, 2, 0, 44, 3, 4, 5, 6], 2, 44, "3.4.5.6"),
        ([2, 0, 0, 2, 0, 44, 4, 0, 0, 0, 0, 5, 0, 6, 7, 8, 9, 10, 11, 12, 13, 14], 2, 44, "400:0:5:6:708:90a:b0c:d0e"),
        ([3, 0, 1, 2, 0, 42, 7, 8, 9, 10, 11, 12, 13, 14], 258, 42, "fe80::708:90a:b0c:d0e"),
    ])
    func decodesUpstreamVectors(body: [UInt8], rxCost: UInt16, interval: UInt16, address: String?) throws {
        let packet = try Fixtures.decodeSingleLinkPacket(Fixtures.controlLinkPacket(tlvType: 5, body: body))
        guard case .control(.ihu(let ihu)) = packet else {
            Issue.record("expected an IHU, got \(packet)")
            return
        }
        #expect(ihu.rxCost == Metric(rxCost))
        #expect(ihu.interval == interval)
        switch (ihu.address, address) {
        case (nil, nil): break
        case (.ipv4(let v4)?, let text?):
            let octets = [v4 >> 24, v4 >> 16 & 0xFF, v4 >> 8 & 0xFF, v4 & 0xFF].map(String.init)
            #expect(octets.joined(separator: ".") == text)
        case (.ipv6(let v6)?, let text?):
            #expect(v6 == (try Fixtures.address(text)))
        default:
            Issue.record("address \(String(describing: ihu.address)) does not match \(String(describing: address))")
        }
    }

    /// AE 4 (the first unassigned one): upstream drops the TLV and keeps the link.
    @Test func unknownAddressEncodingIsDroppedAndTheLinkStaysUsable() throws {
        let body: [UInt8] = [4, 0, 0, 2, 0, 44, 2, 0, 0, 0, 0, 5, 0, 6, 7, 8, 9, 10, 11, 12, 13, 14]
        let next = LinkPacket.control(.ihu(IHU(rxCost: Metric(3), interval: 6000)))
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 5, body: body) + (try Fixtures.encode(next)))
        let dropped = try #require(try buffer.readLinkPacket())
        #expect(Fixtures.unrecognizedReason(dropped) == .unknownAddressEncoding(4))
        #expect(try buffer.readLinkPacket() == next)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [
        [1, 0, 0, 2, 0, 44, 3, 4, 5] as [UInt8],
        [2, 0, 0, 2, 0, 44, 4, 0, 0, 0, 0, 5, 0, 6, 7, 8, 9, 10, 11, 12, 13],
        [3, 0, 1, 2, 0, 42, 7, 8, 9, 10, 11, 12, 13],
        [0, 0, 0, 1, 1],
    ])
    func truncatedAddressIsMalformed(body: [UInt8]) {
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 5, body: body))
        #expect(throws: WireError.invalidTLVLength(type: 5, length: body.count)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }

    @Test(arguments: [
        IHU(rxCost: Metric(16), interval: 400),
        IHU(rxCost: .infinite, interval: 1, address: .ipv4(0xC000_0201)),
        IHU(rxCost: Metric(16), interval: 400,
            address: .ipv6(IPv6Address(groups: [156, 5646, 4164, 1236, 872, 960, 10, 844]))),
    ])
    func roundTrips(_ ihu: IHU) throws {
        let packet = LinkPacket.control(.ihu(ihu))
        let bytes = try Fixtures.encode(packet)
        #expect(try Fixtures.decodeSingleLinkPacket(bytes) == packet)
    }
}
