import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

/// Random and mutated inputs for the link decoders: no traps, no reader-index leaks, no values bigger than their
/// input (`CodecFuzzer`'s contract).
@Suite("Wire decoder fuzzing")
struct WireFuzzTests {
    typealias Fixtures = CoreWireFixtures

    /// Valid link packets of every kind plus upstream's vectors (including dropped ones).
    static func linkCorpus() throws -> [[UInt8]] {
        var corpus = try LinkPacketTests.samplePackets().map(Fixtures.encode)
        corpus += [
            Fixtures.controlLinkPacket(tlvType: 5, body: [3, 0, 1, 2, 0, 42, 7, 8, 9, 10, 11, 12, 13, 14]),
            Fixtures.controlLinkPacket(tlvType: 5, body: [4, 0, 0, 2, 0, 44, 2, 0, 0, 0, 0, 5, 0, 6]
                + (7...14).map { UInt8($0) }),
            Fixtures.controlLinkPacket(
                tlvType: 8,
                body: [3, 255, 64, 0, 3, 232, 0, 42, 3, 1, 0, 10, 0, 20, 0, 30, 0, 40] + [UInt8](repeating: 4, count: 40)
            ),
            Fixtures.controlLinkPacket(
                tlvType: 8, body: [0, 64, 0, 0, 0, 100, 0, 70, 2, 0] + [UInt8](repeating: 3, count: 40)
            ),
            Fixtures.controlLinkPacket(tlvType: 9, body: [24, 1, 24, 10, 15, 19]),
            Fixtures.controlLinkPacket(tlvType: 9, body: [4, 3, 64, 0, 10, 0, 20, 0, 30, 0, 40]),
            Fixtures.controlLinkPacket(tlvType: 10, body: [3, 64, 92, 0, 0, 0] + [UInt8](repeating: 4, count: 40)
                + [0, 10, 0, 20, 0, 30, 0, 40]),
            Fixtures.controlLinkPacket(tlvType: 77, body: [1, 2, 3]),
        ]
        return corpus
    }

    /// Bytes a decoded value holds on to: payloads and kept bodies (everything else has a fixed size).
    static func footprint(_ packet: LinkPacket) -> Int {
        switch packet {
        case .data(let data): data.payload.readableBytes
        case .control(let control): footprint(control)
        }
    }

    static func footprint(_ packet: ControlPacket) -> Int {
        guard case .unrecognized(let unrecognized) = packet else { return 0 }
        return unrecognized.body.readableBytes
    }

    @Test func readLinkPacket() throws {
        let report = CodecFuzzer().run("readLinkPacket", corpus: try Self.linkCorpus(), footprint: Self.footprint) {
            (buffer) throws(WireError) in try buffer.readLinkPacket()
        }
        report.expectContractKept(asksForMoreBytes: true)
    }

    @Test func readControlPacket() throws {
        let corpus = try Self.linkCorpus().filter { $0[1] == 1 }.map { Array($0.dropFirst(LinkHeader.byteCount)) }
        let report = CodecFuzzer().run("readControlPacket", corpus: corpus, footprint: Self.footprint) {
            (buffer) throws(WireError) in try buffer.readControlPacket()
        }
        report.expectContractKept(asksForMoreBytes: true)
    }

    @Test func readDataPacket() throws {
        var corpus = try Self.linkCorpus().filter { $0[1] == 0 }.map { Array($0.dropFirst(LinkHeader.byteCount)) }
        corpus.append([0, 0, 5, 64] + [UInt8](repeating: 5, count: 32) + Array("hello".utf8))
        let report = CodecFuzzer().run("readDataPacket", corpus: corpus, footprint: { (packet: DataPacket) in
            DataPacket.headerByteCount + packet.payload.readableBytes
        }) { (buffer) throws(WireError) in
            try buffer.readDataPacket()
        }
        report.expectContractKept(rejects: false, asksForMoreBytes: true)
    }
}
