import MyceliumCore
import MyceliumTesting
import Testing

/// Random and mutated frames for the segmenter and random packet batches for the coalescer: no traps, nothing
/// emitted over 65,535 bytes, every segment of a GSO split with a correct checksum, and coalescing loses, adds or
/// reorders (within a flow) no packet.
@Suite("TUN offload fuzzing")
struct TunOffloadFuzzTests {
    typealias F = TunPacketFixtures

    /// Valid frames of every kind the segmenter handles.
    static func corpus() -> [[UInt8]] {
        let tcp = VirtioNetHeader(
            flags: .needsChecksum, gsoType: .tcpV6, headerLength: 72, gsoSize: 500, checksumStart: 40,
            checksumOffset: 16
        )
        let uso = VirtioNetHeader(
            flags: .needsChecksum, gsoType: .udpL4, headerLength: 48, gsoSize: 200, checksumStart: 40, checksumOffset: 6
        )
        return [
            F.frame(tcp, F.tcpPacket(sequence: 1, flags: F.ack | F.psh, payload: F.payload(1_800), partial: true)),
            F.frame(tcp, F.tcpPacket(sequence: 9, options: [], payload: F.payload(120), partial: true)),
            F.frame(uso, F.udpPacket(payload: F.payload(700), partial: true)),
            F.frame(
                VirtioNetHeader(flags: .needsChecksum, checksumStart: 40, checksumOffset: 16),
                F.tcpPacket(sequence: 3, payload: F.payload(200), partial: true)
            ),
            F.frame(.none, F.icmpPacket(payload: F.payload(40))),
        ]
    }

    /// A random header of a known GSO type in front of random bytes that start like an IPv6 packet.
    static func randomFrame(using generator: inout SeededGenerator) -> [UInt8] {
        let types: [VirtioNetHeader.GSOType] = [.none, .tcpV4, .udp, .tcpV6, .udpL4]
        let header = VirtioNetHeader(
            flags: VirtioNetHeader.Flags(rawValue: UInt8.random(in: 0...3, using: &generator)),
            gsoType: types.randomElement(using: &generator) ?? .none,
            ecn: Bool.random(using: &generator),
            headerLength: UInt16.random(in: 0...200, using: &generator),
            gsoSize: UInt16.random(in: 0...600, using: &generator),
            checksumStart: Bool.random(using: &generator) ? 40 : UInt16.random(in: 0...100, using: &generator),
            checksumOffset: [6, 16, UInt16.random(in: 0...40, using: &generator)].randomElement(using: &generator) ?? 0
        )
        var packet = Self.randomBytes(Int.random(in: 0...1_500, using: &generator), using: &generator)
        if packet.count > 6, Bool.random(using: &generator) {
            packet[0] = 0x60
            packet[6] = [6, 17, 0, 58].randomElement(using: &generator) ?? 6
        }
        return F.frame(header, packet)
    }

    /// `count` random bytes, eight per generator step (`SeededGenerator.bytes` is slow in debug builds).
    static func randomBytes(_ count: Int, using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < count {
                let word = generator.next()
                for index in 0..<min(8, count - offset) {
                    raw[offset + index] = UInt8(truncatingIfNeeded: word >> (index * 8))
                }
                offset += 8
            }
        }
        return bytes
    }

    @Test("random and mutated frames never trap the segmenter")
    func segmenter() {
        var generator = SeededGenerator(seed: 0x7475_6E73_6567)
        var segmenter = TunSegmenter()
        let corpus = Self.corpus()
        var inputs = 0
        var split = 0
        var rejected = 0
        var emitted = 0
        var oversized = 0
        var badChecksums = 0
        for iteration in 0..<100_000 {
            let frame = iteration % 2 == 0
                ? Self.randomFrame(using: &generator)
                : CodecFuzzer.mutate(corpus[iteration / 2 % corpus.count], using: &generator)
            inputs += 1
            let isSegmentation = frame.count > 1 && [4, 5].contains(frame[1] & 0x7F)
            do {
                let packets = try F.segment(frame, with: &segmenter)
                split += 1
                emitted += packets.count
                oversized += packets.filter { $0.count > 65_535 }.count
                if isSegmentation {
                    badChecksums += packets.filter { !F.transportChecksumIsValid($0) }.count
                }
            } catch {
                rejected += 1
            }
        }
        print(
            "fuzz TunSegmenter: \(inputs) inputs, \(split) split, \(rejected) rejected, \(emitted) packets emitted, "
                + "\(oversized) oversized, \(badChecksums) bad checksums"
        )
        #expect(inputs == 100_000)
        #expect(split > 1_000)
        #expect(rejected > 1_000)
        #expect(oversized == 0)
        #expect(badChecksums == 0)
    }

    /// A TCP segment of one of a few flows, sometimes with a flag, option or checksum change, or random bytes.
    static func randomPacket(next sequences: inout [UInt32], using generator: inout SeededGenerator) -> [UInt8] {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0:
            return Self.randomBytes(Int.random(in: 0...200, using: &generator), using: &generator)
        case 1:
            return F.udpPacket(payload: F.payload(Int.random(in: 0...500, using: &generator)))
        default:
            let flow = Int.random(in: 0..<sequences.count, using: &generator)
            let size = Bool.random(using: &generator) ? 400 : Int.random(in: 0...420, using: &generator)
            var sequence = sequences[flow]
            if Int.random(in: 0..<20, using: &generator) == 0 { sequence &+= 1 }
            let flags = Int.random(in: 0..<10, using: &generator) == 0
                ? UInt8.random(in: 0...255, using: &generator) : F.ack
            var packet = F.tcpPacket(
                sequence: sequence, flags: flags, payload: F.payload(size, start: Int(sequence % 251)),
                sourcePort: UInt16(2_000 + flow),
                badChecksum: Int.random(in: 0..<50, using: &generator) == 0
            )
            sequences[flow] = sequence &+ UInt32(size)
            if Int.random(in: 0..<30, using: &generator) == 0 {
                packet = CodecFuzzer.mutate(packet, using: &generator)
            }
            return packet
        }
    }

    /// Packets grouped by flow (TCPv6 by addresses and ports, everything else together), in order.
    static func byFlow(_ packets: [[UInt8]]) -> [[UInt8]: [[UInt8]]] {
        Dictionary(grouping: packets) { packet in
            packet.count >= 44 && packet[0] >> 4 == 6 && packet[6] == 6 ? Array(packet[8..<44]) : []
        }
    }

    @Test("random packet batches never trap the coalescer, and nothing is lost or reordered within a flow")
    func coalescer() throws {
        var generator = SeededGenerator(seed: 0x6772_6F00)
        var coalescer = TunCoalescer()
        var sequences = [UInt32](repeating: 0, count: 24).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) }
        var inputs = 0
        var frames = 0
        var merged = 0
        var oversized = 0
        var mismatches = 0
        while inputs < 100_000 {
            let batchSize = min(Int.random(in: 1...128, using: &generator), 100_000 - inputs)
            let batch = (0..<batchSize).map { _ in
                Self.randomPacket(next: &sequences, using: &generator)
            }
            inputs += batch.count
            let emitted = F.coalesce(batch, with: &coalescer)
            frames += emitted.count
            oversized += emitted.filter { $0.count > 65_535 }.count
            merged += try emitted.filter { try F.header(of: $0) != VirtioNetHeader.none }.count
            if try Self.byFlow(F.unwrap(emitted)) != Self.byFlow(batch) { mismatches += 1 }
        }
        print(
            "fuzz TunCoalescer: \(inputs) inputs, \(frames) frames, \(merged) super-packets, \(oversized) oversized, "
                + "\(mismatches) lossy batches"
        )
        #expect(inputs == 100_000)
        #expect(merged > 1_000)
        #expect(frames < inputs)
        #expect(oversized == 0)
        #expect(mismatches == 0)
    }
}
