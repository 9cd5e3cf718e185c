import MyceliumCore
import Testing

@Suite("TUN coalescer (GRO)")
struct TunCoalescerTests {
    typealias F = TunPacketFixtures

    /// `count` consecutive full segments of one flow starting at `sequence`.
    static func run(
        _ count: Int,
        sequence: UInt32 = 1_000,
        size: Int = 1_000,
        source: [UInt8] = F.source,
        sourcePort: UInt16 = 40_000
    ) -> [[UInt8]] {
        (0..<count).map { index in
            F.tcpPacket(
                sequence: sequence &+ UInt32(index * size),
                payload: F.payload(size, start: index * size),
                source: source,
                sourcePort: sourcePort
            )
        }
    }

    static func isPlain(_ frame: [UInt8]) throws -> Bool {
        try F.header(of: frame) == VirtioNetHeader.none
    }

    @Test("20 consecutive segments of one flow become one super-packet that splits back byte for byte")
    func twentySegments() throws {
        let packets = Self.run(20)
        let frames = F.coalesce(packets)
        #expect(frames.count == 1)
        let frame = try #require(frames.first)
        let header = try F.header(of: frame)
        #expect(header == VirtioNetHeader(
            flags: .needsChecksum, gsoType: .tcpV6, headerLength: 72, gsoSize: 1_000, checksumStart: 40,
            checksumOffset: 16
        ))
        #expect(frame.count == 10 + 72 + 20_000)
        let packet = Array(frame[10...])
        #expect(Int(packet[4]) << 8 | Int(packet[5]) == 32 + 20_000)
        #expect(packet[53] == F.ack)
        let partial = UInt16(packet[56]) << 8 | UInt16(packet[57])
        #expect(partial == F.partialChecksum(packet), "the folded pseudo-header sum, not complemented")
        #expect(Array(packet[72...]) == F.payload(20_000))
        #expect(try F.segment(frame) == packets)
    }

    @Test("a PSH on the last segment is merged and kept; a smaller last segment is merged")
    func pushAndShortEnd() throws {
        var packets = Self.run(5)
        packets.append(F.tcpPacket(sequence: 6_000, flags: F.ack | F.psh, payload: F.payload(400, start: 5_000)))
        let frames = F.coalesce(packets)
        #expect(frames.count == 1)
        #expect(frames.first.map { $0[10 + 53] } == F.ack | F.psh)
        #expect(try F.unwrap(frames) == packets)

        var short = Self.run(3)
        short.append(F.tcpPacket(sequence: 4_000, payload: F.payload(10, start: 3_000)))
        let shortFrames = F.coalesce(short)
        #expect(shortFrames.count == 1)
        #expect(try F.unwrap(shortFrames) == short)
    }

    @Test("a smaller or pushed segment closes the super-packet; what follows starts anew")
    func closing() throws {
        let afterShort = Self.run(2) + [F.tcpPacket(sequence: 3_000, payload: F.payload(500))]
            + Self.run(3, sequence: 3_500)
        let frames = F.coalesce(afterShort)
        #expect(frames.count == 2)
        #expect(try F.unwrap(frames) == afterShort)

        let afterPush = Self.run(2) + [F.tcpPacket(sequence: 3_000, flags: F.ack | F.psh, payload: F.payload(1_000))]
            + Self.run(2, sequence: 4_000)
        let pushFrames = F.coalesce(afterPush)
        #expect(pushFrames.count == 2)
        #expect(try F.unwrap(pushFrames) == afterPush)
    }

    @Test("two interleaved flows become two super-packets, each in order")
    func interleaved() throws {
        let first = Self.run(10)
        let second = Self.run(10, sequence: 77_777, size: 800, source: F.otherSource, sourcePort: 50_000)
        let packets = zip(first, second).flatMap { [$0, $1] }
        let frames = F.coalesce(packets)
        #expect(frames.count == 2)
        #expect(try F.segment(frames[0]) == first)
        #expect(try F.segment(frames[1]) == second)
    }

    @Test("segments that do not continue each other stay separate", arguments: [
        "gap", "out of order", "different ack", "different window", "different options", "different hop limit",
        "different traffic class", "bigger second", "push first", "syn", "fin", "cwr", "pure ack", "bad checksum",
    ])
    func separate(_ name: String) throws {
        let first = F.tcpPacket(sequence: 1_000, payload: F.payload(1_000))
        let second: [UInt8]
        var firstPacket = first
        let next = 2_000 as UInt32
        let payload = F.payload(1_000, start: 1_000)
        switch name {
        case "gap": second = F.tcpPacket(sequence: next + 1, payload: payload)
        case "out of order": second = F.tcpPacket(sequence: 0, payload: payload)
        case "different ack": second = F.tcpPacket(sequence: next, acknowledgement: 1, payload: payload)
        case "different window": second = F.tcpPacket(sequence: next, window: 511, payload: payload)
        case "different options":
            second = F.tcpPacket(sequence: next, options: [1, 1, 8, 10, 0, 1, 2, 3, 4, 5, 6, 8], payload: payload)
        case "different hop limit": second = F.tcpPacket(sequence: next, payload: payload, hopLimit: 63)
        case "different traffic class": second = F.tcpPacket(sequence: next, payload: payload, trafficClass: 1)
        case "bigger second": second = F.tcpPacket(sequence: next, payload: payload + [1])
        case "push first":
            firstPacket = F.tcpPacket(sequence: 1_000, flags: F.ack | F.psh, payload: F.payload(1_000))
            second = F.tcpPacket(sequence: next, payload: payload)
        case "syn": second = F.tcpPacket(sequence: next, flags: F.ack | F.syn, payload: payload)
        case "fin": second = F.tcpPacket(sequence: next, flags: F.ack | F.fin, payload: payload)
        case "cwr": second = F.tcpPacket(sequence: next, flags: F.ack | F.cwr, payload: payload)
        case "pure ack": second = F.tcpPacket(sequence: next, payload: [])
        default: second = F.tcpPacket(sequence: next, payload: payload, badChecksum: true)
        }
        let frames = F.coalesce([firstPacket, second])
        #expect(frames.count == 2)
        #expect(try frames.allSatisfy(Self.isPlain))
        #expect(frames.map { Array($0[10...]) } == [firstPacket, second])
    }

    @Test("a first segment with a bad checksum is not merged, the rest still is")
    func badHead() throws {
        var packets = Self.run(4)
        packets[0] = F.tcpPacket(sequence: 1_000, payload: F.payload(1_000), badChecksum: true)
        let frames = F.coalesce(packets)
        #expect(frames.count == 2)
        #expect(try Self.isPlain(frames[0]))
        #expect(try !Self.isPlain(frames[1]))
        #expect(try F.unwrap(frames) == packets)
    }

    @Test("UDP, ICMPv6 and non-IPv6 packets go out unchanged behind the none header")
    func nonTCP() throws {
        let packets = [
            F.udpPacket(payload: F.payload(1_000)), F.udpPacket(payload: F.payload(1_000)),
            F.icmpPacket(payload: F.payload(56)), F.icmpPacket(payload: F.payload(56)), [0x45, 0, 0, 20], [],
        ]
        let frames = F.coalesce(packets)
        #expect(frames.count == packets.count)
        #expect(try frames.allSatisfy(Self.isPlain))
        #expect(frames.map { Array($0[10...]) } == packets)
    }

    @Test("a packet that cannot merge keeps its place in its flow")
    func flowOrder() throws {
        let packets = Self.run(2) + [F.tcpPacket(sequence: 3_000, flags: F.ack | F.fin, payload: F.payload(1_000))]
            + Self.run(2, sequence: 4_000)
        let frames = F.coalesce(packets)
        #expect(frames.count == 3)
        #expect(try F.unwrap(frames) == packets)
    }

    @Test("super-packets stay within the maximum frame size")
    func maximumFrame() throws {
        let packets = Self.run(30)
        let frames = F.coalesce(packets, maximumFrameByteCount: 5_000)
        #expect(frames.allSatisfy { $0.count <= 5_000 })
        #expect(frames.count == 8)  // 10 + 72 + 4 * 1000 fits, 5 segments do not
        #expect(try F.unwrap(frames) == packets)

        let big = Self.run(80)
        let bigFrames = F.coalesce(big)
        #expect(bigFrames.allSatisfy { $0.count <= 65_535 })
        #expect(bigFrames.count == 2)
        #expect(try F.unwrap(bigFrames) == big)
    }

    /// Three segments each of `count` flows, sent round robin.
    static func roundRobin(_ count: Int) -> (flows: [[[UInt8]]], packets: [[UInt8]]) {
        let flows = (0..<count).map { flow in
            Self.run(3, sequence: UInt32(flow) * 100_000, sourcePort: UInt16(1_000 + flow))
        }
        return (flows, (0..<3).flatMap { index in flows.map { $0[index] } })
    }

    @Test("as many interleaved flows as open slots all merge")
    func openSlots() throws {
        let (flows, packets) = Self.roundRobin(TunCoalescer.maximumOpenFlows)
        let frames = F.coalesce(packets)
        #expect(frames.count == flows.count)
        #expect(try frames.map { try F.segment($0) } == flows)
    }

    @Test("more interleaved flows than open slots all come out, in order per flow")
    func manyFlows() throws {
        let (flows, packets) = Self.roundRobin(40)
        let unwrapped = try F.unwrap(F.coalesce(packets))
        #expect(unwrapped.count == packets.count)
        for flow in flows {
            #expect(unwrapped.filter { $0[40..<42] == flow[0][40..<42] } == flow)
        }
    }

    @Test("the coalescer is empty after a flush and reusable")
    func reuse() throws {
        var coalescer = TunCoalescer()
        #expect(coalescer.isEmpty)
        for round in 0..<3 {
            let packets = Self.run(5 + round)
            packets[0].withUnsafeBytes { coalescer.append($0) }
            #expect(!coalescer.isEmpty)
            for packet in packets.dropFirst() { packet.withUnsafeBytes { coalescer.append($0) } }
            var frames: [[UInt8]] = []
            coalescer.flush { frames.append(Array($0)) }
            #expect(coalescer.isEmpty)
            #expect(frames.count == 1)
            #expect(try F.unwrap(frames) == packets)
        }
        var frames = 0
        coalescer.flush { _ in frames += 1 }
        #expect(frames == 0)
    }
}
