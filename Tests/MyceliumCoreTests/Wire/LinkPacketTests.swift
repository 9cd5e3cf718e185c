import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

/// Whole link packets: header plus data or control body, in a stream.
@Suite("LinkPacket")
struct LinkPacketTests {
    typealias Fixtures = CoreWireFixtures

    /// One packet of every kind, as a node sends them (and a few it only receives).
    static func samplePackets() throws -> [LinkPacket] {
        let subnet = try Fixtures.subnet("5a6:f0c6:f365:177d::/64")
        let routerID = try Fixtures.routerID(repeating: 0x5A)
        let v4 = try #require(IPv4Prefix(address: Fixtures.ipv4(10, 101, 4, 1), prefixLength: 23))
        return [
            .control(.hello(Hello(seqno: SeqNo(5), interval: 2000))),
            .control(.ihu(IHU(rxCost: Metric(1010), interval: 6000))),
            .control(.ihu(IHU(rxCost: Metric(25), interval: 400, address: .ipv4(Fixtures.ipv4(1, 1, 1, 1))))),
            .control(.ihu(IHU(rxCost: Metric(100), interval: 4000,
                              address: .ipv6(try Fixtures.address("2:0:4d2:929:d80:11d7:162e:1"))))),
            .control(.update(Update(prefix: .ipv6(subnet), seqno: SeqNo(17), metric: Metric(25), interval: 30000,
                                    routerID: routerID))),
            .control(.update(Update(prefix: .ipv6(subnet), seqno: SeqNo(18), metric: .infinite, interval: 30000,
                                    routerID: routerID, flags: 0xC0))),
            .control(.update(Update(prefix: .ipv4(v4), seqno: SeqNo(170), metric: Metric(256), interval: 600,
                                    routerID: routerID))),
            .control(.routeRequest(RouteRequest(prefix: .ipv6(subnet), generation: 2))),
            .control(.routeRequest(RouteRequest(prefix: nil))),
            .control(.seqnoRequest(SeqnoRequest(prefix: .ipv6(subnet), seqno: SeqNo(17), routerID: routerID))),
            .control(.seqnoRequest(SeqnoRequest(prefix: .ipv4(v4), seqno: SeqNo(0), routerID: routerID, hopCount: 1))),
            // A foreign Babel version, kept byte for byte.
            try Fixtures.decodeSingleLinkPacket(
                Fixtures.controlLinkHeader + [0x2A, 0x02, 0, 8, 4, 6, 1, 2, 3, 4, 5, 6]
            ),
            .data(DataPacket(source: try Fixtures.address("5a6:f0c6:f365:177d::1"),
                             destination: try Fixtures.address("5e5:2195:7cc4:bfb0::2"), hopLimit: 64,
                             payload: ByteBuffer(bytes: Array(0..<100)))),
            .data(DataPacket(source: .unspecified, destination: .unspecified, hopLimit: 0, payload: ByteBuffer())),
        ]
    }

    @Test func everyKindRoundTrips() throws {
        for packet in try Self.samplePackets() {
            let bytes = try Fixtures.encode(packet)
            var buffer = ByteBuffer()
            #expect(try buffer.writeLinkPacket(packet) == bytes.count, "the written count is the byte count")
            #expect(try Fixtures.decodeSingleLinkPacket(bytes) == packet)
        }
    }

    @Test func aStreamOfPacketsDecodesInOrder() throws {
        let packets = try Self.samplePackets()
        var buffer = ByteBuffer()
        for packet in packets { try buffer.writeLinkPacket(packet) }
        var decoded: [LinkPacket] = []
        while let packet = try buffer.readLinkPacket() { decoded.append(packet) }
        #expect(decoded == packets)
        #expect(buffer.readableBytes == 0)
    }

    @Test func everyKindDecodesByteAtATime() throws {
        for packet in try Self.samplePackets() {
            let outcome = DripFeed.byteAtATime(try Fixtures.encode(packet)) { (buffer) throws(WireError) in
                try buffer.readLinkPacket()
            }
            #expect(outcome.value == packet)
            #expect(outcome.misbehavedAt.isEmpty, "\(packet): \(outcome.misbehavedAt)")
            #expect(outcome.leftover == 0)
        }
    }

    @Test func upstreamVectorsDecodeByteAtATime() throws {
        let vectors: [[UInt8]] = [
            Fixtures.controlLinkPacket(tlvType: 5, body: [3, 0, 1, 2, 0, 42, 7, 8, 9, 10, 11, 12, 13, 14]),
            Fixtures.controlLinkPacket(tlvType: 8, body: [3, 0, 64, 0, 3, 232, 0, 42, 3, 1, 0, 10, 0, 20, 0, 30, 0, 40]
                + [UInt8](repeating: 4, count: 40)),
            Fixtures.controlLinkPacket(tlvType: 9, body: [24, 1, 24, 10, 15, 19]),
            Fixtures.controlLinkPacket(tlvType: 10, body: [0, 0, 0, 0, 1, 0] + [UInt8](repeating: 3, count: 40)),
            Fixtures.controlLinkPacket(tlvType: 9, body: [0, 4, 64] + (6...21).map { UInt8($0) }),
        ]
        for bytes in vectors {
            let outcome = DripFeed.byteAtATime(bytes) { (buffer) throws(WireError) in try buffer.readLinkPacket() }
            #expect(outcome.value != nil)
            #expect(outcome.misbehavedAt.isEmpty)
            #expect(outcome.leftover == 0)
        }
    }

    @Test func controlAndDataBodiesDecodeByteAtATime() throws {
        for packet in try Self.samplePackets() {
            let body = Array(try Fixtures.encode(packet).dropFirst(LinkHeader.byteCount))
            switch packet {
            case .control(let control):
                let outcome = DripFeed.byteAtATime(body) { (buffer) throws(WireError) in
                    try buffer.readControlPacket()
                }
                #expect(outcome.value == control)
                #expect(outcome.misbehavedAt.isEmpty)
            case .data(let data):
                let outcome = DripFeed.byteAtATime(body) { (buffer) throws(WireError) in try buffer.readDataPacket() }
                #expect(outcome.value == data)
                #expect(outcome.misbehavedAt.isEmpty)
            }
        }
    }

    @Test func errorsLeaveTheReaderIndexAlone() throws {
        let good = try Fixtures.encode(.control(.hello(Hello(seqno: SeqNo(1), interval: 1))))
        var buffer = ByteBuffer(bytes: good + [2, 1, 0, 0, 0])
        #expect(try buffer.readLinkPacket() != nil)
        let before = buffer.readerIndex
        #expect(throws: WireError.unsupportedLinkVersion(2)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == before)
    }
}
