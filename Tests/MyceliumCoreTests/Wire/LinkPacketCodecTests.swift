import MyceliumCore
import MyceliumTesting
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// `LinkPacketDecoder` / `LinkPacketEncoder` in a NIO pipeline.
@Suite("LinkPacketCodec")
struct LinkPacketCodecTests {
    typealias Fixtures = CoreWireFixtures

    /// NIO's verifier feeds the decoder each input whole, byte by byte and all at once, and checks the outputs.
    @Test func decoderPassesNIOsVerifier() throws {
        let packets = try LinkPacketTests.samplePackets()
        let pairs = try packets.map { packet in (ByteBuffer(bytes: try Fixtures.encode(packet)), [packet]) }
        // Two packets in one input, too.
        let twoInOne = (ByteBuffer(bytes: try Fixtures.encode(packets[0]) + (try Fixtures.encode(packets[4]))),
                        [packets[0], packets[4]])
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs + [twoInOne]) {
            LinkPacketDecoder()
        }
    }

    @Test func controlBodyDecoderPassesNIOsVerifier() throws {
        let controls = try LinkPacketTests.samplePackets().compactMap { packet -> ControlPacket? in
            guard case .control(let control) = packet else { return nil }
            return control
        }
        let pairs = try controls.map { control in (ByteBuffer(bytes: try Fixtures.encode(control)), [control]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            WireFrameDecoder { (buffer) throws(WireError) in try buffer.readControlPacket() }
        }
    }

    @Test func embeddedChannelRoundTrip() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(LinkPacketDecoder()),
            MessageToByteHandler(LinkPacketEncoder()),
        ])
        let packets = try LinkPacketTests.samplePackets()
        var wire = ByteBuffer()
        for packet in packets {
            try channel.writeOutbound(packet)
            var frame = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(Array(frame.readableBytesView) == (try Fixtures.encode(packet)))
            wire.writeBuffer(&frame)
        }
        // Fed back in two uneven halves, the same packets come out.
        let split = wire.readableBytes / 3
        let firstSlice = wire.readSlice(length: split)
        let first = try #require(firstSlice)
        try channel.writeInbound(first)
        try channel.writeInbound(wire)
        var decoded: [LinkPacket] = []
        while let packet = try channel.readInbound(as: LinkPacket.self) { decoded.append(packet) }
        #expect(decoded == packets)
        #expect(try channel.finish().isClean)
    }

    @Test func garbageInputRaisesAnError() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(LinkPacketDecoder()),
            MessageToByteHandler(LinkPacketEncoder()),
        ])
        let hello = LinkPacket.control(.hello(Hello(seqno: SeqNo(1), interval: 2000)))
        try channel.writeInbound(ByteBuffer(bytes: try Fixtures.encode(hello)))
        #expect(try channel.readInbound(as: LinkPacket.self) == hello)

        #expect(throws: WireError.unsupportedLinkVersion(0x47)) {
            try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        }
        #expect(try channel.readInbound(as: LinkPacket.self) == nil)
        _ = try? channel.finish()
    }

    @Test func unknownPacketTypeRaisesAnError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LinkPacketDecoder()))
        #expect(throws: WireError.unknownPacketType(7)) {
            try channel.writeInbound(ByteBuffer(bytes: [1, 7, 0, 0, 0, 0, 0, 0]))
        }
        _ = try? channel.finish()
    }

    @Test func encoderFailsOversizedDataPackets() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(LinkPacketEncoder()))
        let packet = LinkPacket.data(DataPacket(source: .unspecified, destination: .unspecified, hopLimit: 1,
                                                payload: ByteBuffer(repeating: 0, count: 70_000)))
        #expect(throws: WireError.self) { try channel.writeOutbound(packet) }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try? channel.finish()
    }
}
