import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

@Suite("Message packets (§5.1)")
struct MessagePacketTests {
    typealias Fixtures = DataPlaneCodecFixtures

    static func decode(_ buffer: inout ByteBuffer) throws(WireError) -> MessagePacket? {
        try buffer.readMessagePacket()
    }

    static func encode(_ packet: MessagePacket) throws(WireError) -> [UInt8] {
        try Fixtures.encoded { (buffer) throws(WireError) in try buffer.writeMessagePacket(packet) }
    }

    static let id = MessageID(rawValue: 0x0102_0304_0506_0708)
    static let hello = ByteBuffer(bytes: Array("hello".utf8))
    /// BLAKE3 of the one-byte message `00` (the `input_len: 1` case of the official BLAKE3 test vectors).
    static let checksum = MessageChecksum(hashing: [0x00])

    static let initial = MessagePacket(id: id, body: .initial(length: 5, topic: Array("chat".utf8), isReply: false))
    static let initialReply = MessagePacket(id: id, body: .initial(length: 1300, topic: [], isReply: true))
    static let initialAck = MessagePacket(id: id, body: .initialAck(length: 5, topicLength: 4, isReply: false))
    static let initialReplyAck = MessagePacket(id: id, body: .initialAck(length: 1300, topicLength: 0, isReply: true))
    static let chunk = MessagePacket(id: id, body: .chunk(index: 1, offset: 1300, data: hello))
    static let chunkAck = MessagePacket(id: id, body: .chunkAck(index: 1, offset: 1300, size: 5))
    static let done = MessagePacket(id: id, body: .done(chunkCount: 1, checksum: checksum))
    static let doneAck = MessagePacket(id: id, body: .doneAck(chunkCount: 1, checksum: checksum))
    static let read = MessagePacket(id: id, body: .read)
    static let aborted = MessagePacket(id: id, body: .aborted)

    /// Every form, written out byte for byte: id ‖ flags ‖ 00 00 ‖ body.
    static let vectors: [(name: String, bytes: [UInt8], packet: MessagePacket)] = [
        ("INIT", Fixtures.bytes("0102030405060708 8000 0000  0000000000000005 04 63686174"), initial),
        ("INIT+REPLY", Fixtures.bytes("0102030405060708 8400 0000  0000000000000514 00"), initialReply),
        ("INIT-ACK", Fixtures.bytes("0102030405060708 8100 0000  0000000000000005 04"), initialAck),
        ("INIT-ACK+REPLY", Fixtures.bytes("0102030405060708 8500 0000  0000000000000514 00"), initialReplyAck),
        (
            "CHUNK",
            Fixtures.bytes(
                "0102030405060708 1000 0000  0000000000000001 0000000000000514 0000000000000005 68656c6c6f"
            ),
            chunk
        ),
        (
            "CHUNK-ACK",
            Fixtures.bytes("0102030405060708 1100 0000  0000000000000001 0000000000000514 0000000000000005"),
            chunkAck
        ),
        (
            "DONE",
            Fixtures.bytes(
                "0102030405060708 4000 0000  0000000000000001"
                    + " 2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"
            ),
            done
        ),
        (
            "DONE-ACK",
            Fixtures.bytes(
                "0102030405060708 4100 0000  0000000000000001"
                    + " 2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"
            ),
            doneAck
        ),
        ("READ", Fixtures.bytes("0102030405060708 0800 0000"), read),
        ("ABORTED", Fixtures.bytes("0102030405060708 2000 0000"), aborted),
    ]

    /// The largest chunk a 1400-byte packet holds, and the longest topic.
    static let largest: [MessagePacket] = [
        MessagePacket(
            id: id,
            body: .chunk(index: 0, offset: 0, data: ByteBuffer(repeating: 0xA5, count: 1364))
        ),
        MessagePacket(
            id: id,
            body: .initial(length: 1 << 40, topic: [UInt8](repeating: 0x74, count: 255), isReply: false)
        ),
    ]

    // MARK: - Vectors

    @Test("flag bits are the spec's")
    func flagBits() {
        #expect(MessageFlags.initial.rawValue == 0x8000)
        #expect(MessageFlags.done.rawValue == 0x4000)
        #expect(MessageFlags.aborted.rawValue == 0x2000)
        #expect(MessageFlags.chunk.rawValue == 0x1000)
        #expect(MessageFlags.read.rawValue == 0x0800)
        #expect(MessageFlags.reply.rawValue == 0x0400)
        #expect(MessageFlags.ack.rawValue == 0x0100)
        #expect(MessageFlags.known.rawValue == 0xFD00)
    }

    @Test("encodes every form to the spec's bytes")
    func encodeVectors() throws {
        for (name, bytes, packet) in Self.vectors {
            #expect(try Self.encode(packet) == bytes, "\(name)")
            #expect(packet.byteCount == bytes.count, "\(name)")
            #expect(UInt16(bytes[8]) << 8 | UInt16(bytes[9]) == packet.flags.rawValue, "\(name)")
        }
    }

    @Test("decodes every form from the spec's bytes")
    func decodeVectors() throws {
        for (name, bytes, packet) in Self.vectors {
            #expect(try Fixtures.decodeExactly(bytes, Self.decode) == packet, "\(name)")
        }
    }

    @Test("the DONE checksum is BLAKE3 of the message data")
    func checksumIsBLAKE3() {
        #expect(Self.checksum.hexString == "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213")
        #expect(
            MessageChecksum(hashing: []).hexString == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        )
        #expect(MessageChecksum(bytes: [UInt8](repeating: 0, count: 31)) == nil)
    }

    @Test("acknowledgements: INIT → 9-byte INIT-ACK, CHUNK → 24-byte CHUNK-ACK, DONE → DONE-ACK; nothing else")
    func acknowledgements() {
        #expect(Self.initial.acknowledgement == Self.initialAck)
        #expect(Self.initialReply.acknowledgement == Self.initialReplyAck)
        #expect(Self.chunk.acknowledgement == Self.chunkAck)
        #expect(Self.done.acknowledgement == Self.doneAck)
        for packet in [Self.initialAck, Self.chunkAck, Self.doneAck, Self.read, Self.aborted] {
            #expect(packet.acknowledgement == nil)
        }
    }

    // MARK: - Round trips and partial input

    @Test("random packets of every form round trip")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 5_1)
        for _ in 0..<500 {
            let packet = Self.randomPacket(using: &generator)
            let bytes = try Self.encode(packet)
            #expect(bytes.count == packet.byteCount)
            #expect(try Fixtures.decodeExactly(bytes, Self.decode) == packet)
        }
        for packet in Self.largest {
            #expect(try Fixtures.decodeExactly(try Self.encode(packet), Self.decode) == packet)
        }
    }

    @Test("byte-at-a-time feeding completes only on the last byte of each form")
    func dripFeed() throws {
        for (_, bytes, packet) in Self.vectors {
            Fixtures.expectDripFeed(bytes, decodesTo: packet, Self.decode)
            try Fixtures.expectIncompleteForEveryPrefix(bytes, Self.decode)
        }
        for packet in Self.largest {
            Fixtures.expectDripFeed(try Self.encode(packet), decodesTo: packet, Self.decode)
        }
    }

    @Test("NIO's ByteToMessageDecoderVerifier accepts the decoder")
    func nioVerifier() throws {
        let pairs = Self.vectors.map { ($0.bytes, $0.packet) } + (try Self.largest.map { (try Self.encode($0), $0) })
        try Fixtures.verifyWithNIO(pairs, decode: Self.decode)
    }

    @Test("bytes after the packet are left unread (a pre-0.7.5 CHUNK-ACK still carried the data)")
    func trailingBytes() throws {
        var buffer = ByteBuffer(bytes: try Self.encode(Self.chunkAck) + Array("hello".utf8))
        #expect(try buffer.readMessagePacket() == Self.chunkAck)
        #expect(buffer.readableBytes == 5)
    }

    @Test("the reserved header bytes are ignored")
    func reservedIgnored() throws {
        let bytes = Fixtures.bytes("0102030405060708 0800 abcd")
        #expect(try Fixtures.decodeExactly(bytes, Self.decode) == Self.read)
    }

    // MARK: - Malformed input

    @Test(
        "unknown bits and contradictory flag combinations are rejected",
        arguments: [
            0x0000, 0x0100, 0x0400, 0x0500, 0x0200, 0x8200, 0x8001, 0x0080, 0x9000, 0xC000, 0x8800, 0x1800, 0x4800,
            0x2800, 0x3000, 0xFD00, 0x1400, 0x1500, 0x4400, 0x0C00, 0x2400, 0x0900, 0x2100,
        ] as [UInt16]
    )
    func invalidFlags(flags: UInt16) {
        // A header plus a generous body, so that only the flags can be at fault.
        let bytes = [1, 2, 3, 4, 5, 6, 7, 8, UInt8(flags >> 8), UInt8(flags & 0xFF), 0, 0]
            + [UInt8](repeating: 0, count: 64)
        Fixtures.expectRejection(bytes, .invalidField(.messageFlags), Self.decode)
    }

    @Test("flags are judged as soon as the header is buffered")
    func invalidFlagsInBareHeader() {
        let header = Fixtures.bytes("0102030405060708 9000 0000")
        Fixtures.expectRejection(header, .invalidField(.messageFlags), Self.decode)
    }

    @Test("a CHUNK size over 1364 is rejected before any data arrives")
    func oversizedChunk() {
        Fixtures.expectRejection(
            Fixtures.bytes("0102030405060708 1000 0000  0000000000000000 0000000000000000 0000000000000555"),
            .lengthExceedsLimit(field: .chunkSize, length: 1365, limit: 1364),
            Self.decode
        )
        Fixtures.expectRejection(
            Fixtures.bytes("0102030405060708 1000 0000  0000000000000000 0000000000000000 ffffffffffffffff"),
            .lengthExceedsLimit(field: .chunkSize, length: Int.max, limit: 1364),
            Self.decode
        )
    }

    @Test("a CHUNK whose data is shorter than its size field waits instead of reading past the packet")
    func shortChunkData() throws {
        var buffer = ByteBuffer(
            bytes: Fixtures.bytes(
                "0102030405060708 1000 0000  0000000000000000 0000000000000000 0000000000000006 68656c6c6f"
            )
        )
        #expect(try buffer.readMessagePacket() == nil)
        #expect(buffer.readerIndex == 0)
    }

    // MARK: - The encoder never writes a short packet (§13)

    @Test("a topic over 255 bytes cannot be encoded, and nothing is written")
    func topicTooLong() {
        let packet = MessagePacket(
            id: Self.id, body: .initial(length: 1, topic: [UInt8](repeating: 0x61, count: 256), isReply: false)
        )
        var buffer = ByteBuffer()
        #expect(throws: WireError.lengthExceedsLimit(field: .topicLength, length: 256, limit: 255)) {
            try buffer.writeMessagePacket(packet)
        }
        #expect(buffer.readableBytes == 0)
    }

    @Test("a 255-byte topic is encoded with its length byte")
    func longestTopic() throws {
        let bytes = try Self.encode(Self.largest[1])
        #expect(bytes.count == 12 + 9 + 255)
        #expect(bytes[20] == 0xFF)
    }

    @Test("chunk data over 1364 bytes cannot be encoded, and nothing is written")
    func chunkTooLong() {
        let packet = MessagePacket(
            id: Self.id, body: .chunk(index: 0, offset: 0, data: ByteBuffer(repeating: 0, count: 1365))
        )
        var buffer = ByteBuffer()
        #expect(throws: WireError.lengthExceedsLimit(field: .chunkSize, length: 1365, limit: 1364)) {
            try buffer.writeMessagePacket(packet)
        }
        #expect(buffer.readableBytes == 0)
    }

    @Test("the chunk size field always equals the data written")
    func chunkSizeMatchesData() throws {
        var generator = SeededGenerator(seed: 13)
        for count in [0, 1, 249, 250, 1300, 1364] {
            let data = ByteBuffer(bytes: generator.bytes(count))
            let bytes = try Self.encode(MessagePacket(id: Self.id, body: .chunk(index: 2, offset: 3, data: data)))
            let size = bytes[28..<36].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(size == UInt64(count))
            #expect(bytes.count == 36 + count)
        }
    }

    // MARK: - Fuzzing

    @Test("fuzzing keeps the decoder contract")
    func fuzz() throws {
        let corpus = Self.vectors.map(\.bytes) + (try Self.largest.map { try Self.encode($0) })
        let report = CodecFuzzer().run(
            "MessagePacket",
            corpus: corpus,
            footprint: { (packet: MessagePacket) in packet.byteCount },
            decode: Self.decode
        )
        report.expectContractKept()
    }

    // MARK: - Helpers

    static func randomPacket(using generator: inout SeededGenerator) -> MessagePacket {
        let id = MessageID(using: &generator)
        let checksum = MessageChecksum(hashing: generator.bytes(Int.random(in: 0...64, using: &generator)))
        let body: MessagePacket.Body
        switch Int.random(in: 0..<8, using: &generator) {
        case 0:
            body = .initial(
                length: generator.next(),
                topic: generator.bytes(Int.random(in: 0...255, using: &generator)),
                isReply: Bool.random(using: &generator)
            )
        case 1:
            body = .initialAck(
                length: generator.next(), topicLength: UInt8.random(in: 0...255, using: &generator),
                isReply: Bool.random(using: &generator)
            )
        case 2:
            let data = ByteBuffer(bytes: generator.bytes(Int.random(in: 0...1364, using: &generator)))
            body = .chunk(index: generator.next(), offset: generator.next(), data: data)
        case 3:
            body = .chunkAck(index: generator.next(), offset: generator.next(), size: generator.next())
        case 4:
            body = .done(chunkCount: generator.next(), checksum: checksum)
        case 5:
            body = .doneAck(chunkCount: generator.next(), checksum: checksum)
        case 6:
            body = .read
        default:
            body = .aborted
        }
        return MessagePacket(id: id, body: body)
    }
}
