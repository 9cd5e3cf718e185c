import MyceliumCore
import NIOCore
import Testing

/// Hello TLV (type 4, 6 bytes): `flags u16 | seqno u16 | interval u16`.
@Suite("Hello")
struct HelloTests {
    typealias Fixtures = CoreWireFixtures

    /// Spec §3.1's worked example: a Hello with seqno 5, the whole link packet.
    @Test func specExampleOnTheLink() throws {
        let packet = LinkPacket.control(.hello(Hello(seqno: SeqNo(5), interval: 2000)))
        let expected: [UInt8] = [0x01, 0x01, 0x00, 0x00, 0x2A, 0x03, 0x00, 0x08, 0x04, 0x06,
                                 0x80, 0x00, 0x00, 0x05, 0x07, 0xD0]
        #expect(try Fixtures.encode(packet) == expected)
        #expect(try Fixtures.decodeSingleLinkPacket(expected) == packet)
        #expect(expected.count == 16)
    }

    // Upstream's `hello.rs` unit-test vectors (TLV bodies).

    @Test(arguments: [
        (Hello(seqno: SeqNo(25), interval: 400, flags: 0), [0, 0, 0, 25, 1, 144] as [UInt8]),
        (Hello(seqno: SeqNo(16), interval: 4000), [128, 0, 0, 16, 15, 160]),
    ])
    func encodesUpstreamVectors(hello: Hello, body: [UInt8]) throws {
        #expect(try Fixtures.tlvBody(.hello(hello)) == body)
        #expect(try Fixtures.encode(.hello(hello)) == Fixtures.babelPacket(tlvType: 4, body: body))
    }

    @Test(arguments: [
        ([0b1000_0000, 0, 0, 19, 2, 1] as [UInt8], Hello(seqno: SeqNo(19), interval: 513)),
        ([0, 0, 1, 19, 200, 100], Hello(seqno: SeqNo(275), interval: 51300, flags: 0)),
        // Unknown flag bits are dropped, only the unicast bit survives.
        ([0b1000_1001, 0, 0, 100, 1, 144], Hello(seqno: SeqNo(100), interval: 400)),
        ([0b0000_1001, 0, 0, 100, 1, 144], Hello(seqno: SeqNo(100), interval: 400, flags: 0)),
    ])
    func decodesUpstreamVectors(body: [UInt8], hello: Hello) throws {
        let packet = try Fixtures.decodeSingleLinkPacket(Fixtures.controlLinkPacket(tlvType: 4, body: body))
        #expect(packet == .control(.hello(hello)))
    }

    @Test func initialiserKeepsOnlyTheUnicastFlag() {
        #expect(Hello(seqno: SeqNo(1), interval: 1, flags: 0xFFFF).flags == 0x8000)
        #expect(Hello(seqno: SeqNo(1), interval: 1, flags: 0x7FFF).flags == 0)
        #expect(Hello(seqno: SeqNo(1), interval: 1).flags == Hello.unicastFlag)
    }

    @Test(arguments: [0, 1, 5] as [Int])
    func shortBodyIsMalformed(length: Int) {
        var buffer = Fixtures.buffer(Fixtures.controlLinkPacket(tlvType: 4, body: [UInt8](repeating: 0, count: length)))
        #expect(throws: WireError.invalidTLVLength(type: 4, length: length)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }

    @Test func longerBodyIsConsumedWhole() throws {
        let bytes = Fixtures.controlLinkPacket(tlvType: 4, body: [0x80, 0, 0, 7, 0, 100, 0xAA, 0xBB])
            + (try Fixtures.encode(.control(.hello(Hello(seqno: SeqNo(8), interval: 100)))))
        var buffer = Fixtures.buffer(bytes)
        #expect(try buffer.readLinkPacket() == .control(.hello(Hello(seqno: SeqNo(7), interval: 100))))
        #expect(try buffer.readLinkPacket() == .control(.hello(Hello(seqno: SeqNo(8), interval: 100))))
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [0, 1, 0x7FFF, 0xFFFF] as [UInt16])
    func roundTrips(seqno: UInt16) throws {
        let packet = LinkPacket.control(.hello(Hello(seqno: SeqNo(seqno), interval: seqno &* 3)))
        #expect(try Fixtures.decodeSingleLinkPacket(try Fixtures.encode(packet)) == packet)
    }
}
