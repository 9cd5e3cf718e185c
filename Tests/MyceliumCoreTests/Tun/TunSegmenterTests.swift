import MyceliumCore
import Testing

@Suite("TUN segmenter (GSO split, checksum completion)")
struct TunSegmenterTests {
    typealias F = TunPacketFixtures

    static let tcpV6Header = VirtioNetHeader(
        flags: .needsChecksum, gsoType: .tcpV6, headerLength: 72, gsoSize: 1_000, checksumStart: 40,
        checksumOffset: 16
    )

    /// A TCPv6 super-packet as Linux hands it over: whole payload, partial checksum.
    static func superPacket(
        sequence: UInt32,
        flags: UInt8,
        payload: [UInt8],
        ecn: Bool = false,
        gsoSize: UInt16 = 1_000
    ) -> [UInt8] {
        var header = Self.tcpV6Header
        header.ecn = ecn
        header.gsoSize = gsoSize
        // Linux reports the linear buffer length here, not the header length: the segmenter must not rely on it.
        header.headerLength = 128
        return F.frame(header, F.tcpPacket(sequence: sequence, flags: flags, payload: payload, partial: true))
    }

    @Test("splits a 10-segment TCPv6 super-packet with FIN|PSH|CWR like the kernel")
    func tcpSplit() throws {
        let payload = F.payload(9 * 1_000 + 321)
        for firstSequence: UInt32 in [1_000_000, UInt32.max - 4_500] {
            let flags = F.ack | F.fin | F.psh | F.cwr
            let packets = try F.segment(Self.superPacket(sequence: firstSequence, flags: flags, payload: payload, ecn: true))
            #expect(packets.count == 10)
            for (index, packet) in packets.enumerated() {
                let size = index == 9 ? 321 : 1_000
                #expect(packet.count == 40 + 32 + size)
                #expect(Int(packet[4]) << 8 | Int(packet[5]) == 32 + size, "IPv6 payload length")
                let sequence = UInt32(packet[44]) << 24 | UInt32(packet[45]) << 16 | UInt32(packet[46]) << 8
                    | UInt32(packet[47])
                #expect(sequence == firstSequence &+ UInt32(index * 1_000))
                var expectedFlags = F.ack
                if index == 0 { expectedFlags |= F.cwr }
                if index == 9 { expectedFlags |= F.fin | F.psh }
                #expect(packet[53] == expectedFlags, "segment \(index)")
                #expect(F.transportChecksumIsValid(packet), "segment \(index)")
                #expect(Array(packet[72...]) == Array(payload[index * 1_000..<index * 1_000 + size]))
                // Everything else of the headers is the super-packet's.
                let original = F.tcpPacket(sequence: 0, flags: flags, payload: [])
                #expect(Array(packet[0..<4]) == Array(original[0..<4]))
                #expect(Array(packet[6..<44]) == Array(original[6..<44]))
                #expect(Array(packet[48..<53]) == Array(original[48..<53]))
                #expect(Array(packet[54..<56]) == Array(original[54..<56]))
                #expect(Array(packet[58..<72]) == Array(original[58..<72]))
            }
        }
    }

    @Test("a super-packet that is one segment long comes out whole with a complete checksum")
    func singleSegment() throws {
        let payload = F.payload(700)
        let packets = try F.segment(Self.superPacket(sequence: 5, flags: F.ack | F.psh, payload: payload))
        #expect(packets == [F.tcpPacket(sequence: 5, flags: F.ack | F.psh, payload: payload)])
    }

    @Test("splits a UDPv6 USO super-packet into datagrams with their own length and checksum")
    func udpSplit() throws {
        let payload = F.payload(3 * 500 + 77)
        let header = VirtioNetHeader(
            flags: .needsChecksum, gsoType: .udpL4, headerLength: 48, gsoSize: 500, checksumStart: 40, checksumOffset: 6
        )
        let packets = try F.segment(F.frame(header, F.udpPacket(payload: payload, partial: true)))
        #expect(packets.count == 4)
        for (index, packet) in packets.enumerated() {
            let size = index == 3 ? 77 : 500
            let chunk = Array(payload[index * 500..<index * 500 + size])
            #expect(packet == F.udpPacket(payload: chunk), "datagram \(index)")
            #expect(F.transportChecksumIsValid(packet))
        }
    }

    @Test("completes the partial checksum of a non-GSO TCP, UDP and ICMP-offset packet")
    func checksumCompletion() throws {
        for payloadLength in [0, 1, 2, 99, 1_000, 1_339] {
            let payload = F.payload(payloadLength, start: payloadLength)
            let tcp = F.frame(
                VirtioNetHeader(flags: .needsChecksum, checksumStart: 40, checksumOffset: 16),
                F.tcpPacket(sequence: 77, payload: payload, partial: true)
            )
            let completedTCP = try F.segment(tcp)
            #expect(completedTCP.count == 1)
            #expect(completedTCP.first.map(F.transportChecksumIsValid) == true)
            #expect(completedTCP == [F.tcpPacket(sequence: 77, payload: payload)])

            let udp = F.frame(
                VirtioNetHeader(flags: .needsChecksum, checksumStart: 40, checksumOffset: 6),
                F.udpPacket(payload: payload, partial: true)
            )
            #expect(try F.segment(udp) == [F.udpPacket(payload: payload)])
        }
    }

    @Test("a plain packet without NEEDS_CSUM comes out unchanged")
    func plainPacket() throws {
        let packet = F.icmpPacket(payload: F.payload(56))
        #expect(try F.segment(F.frame(.none, packet)) == [packet])
        var header = VirtioNetHeader.none
        header.flags = .dataValid
        #expect(try F.segment(F.frame(header, packet)) == [packet])
    }

    @Test("malformed and unsupported frames throw")
    func rejections() throws {
        let tcp = F.tcpPacket(sequence: 1, payload: F.payload(3_000), partial: true)
        let udp = F.udpPacket(payload: F.payload(100), partial: true)
        func expectThrow(_ error: TunOffloadError, _ frame: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(throws: error, sourceLocation: sourceLocation) { try F.segment(frame) }
        }
        expectThrow(.frameTooShort(byteCount: 5), [0, 0, 0, 0, 0])
        expectThrow(.unknownGSOType(2), [0, 2, 0, 0, 0, 0, 0, 0, 0, 0] + tcp)
        expectThrow(.truncatedPacket(byteCount: 0, needed: 40), F.frame(.none, []))
        expectThrow(.truncatedPacket(byteCount: 39, needed: 40), F.frame(.none, Array(tcp.prefix(39))))
        expectThrow(.notIPv6(version: 5), F.frame(.none, [0x50] + tcp.dropFirst()))
        expectThrow(.unsupported(.ipv4), F.frame(.none, [0x45] + tcp.dropFirst()))
        expectThrow(.unsupported(.ipv4), F.frame(Self.tcpV6Header, [0x45] + tcp.dropFirst()))
        expectThrow(.unsupported(.tcpV4Segmentation), F.frame(VirtioNetHeader(gsoType: .tcpV4, gsoSize: 100), tcp))
        expectThrow(.unsupported(.udpFragmentation), F.frame(VirtioNetHeader(gsoType: .udp, gsoSize: 100), udp))
        expectThrow(.packetTooLong(byteCount: 65_536), F.frame(.none, tcp + [UInt8](repeating: 0, count: 65_536 - tcp.count)))

        // Extension header (hop-by-hop) and protocol mismatches.
        var withHopByHop = tcp
        withHopByHop[6] = 0
        expectThrow(.unsupported(.extensionHeaders), F.frame(Self.tcpV6Header, withHopByHop))
        expectThrow(.gsoTypeMismatch(gsoType: .tcpV6, nextHeader: 17), F.frame(Self.tcpV6Header, udp))
        var usoHeader = Self.tcpV6Header
        usoHeader.gsoType = .udpL4
        usoHeader.checksumOffset = 6
        expectThrow(.gsoTypeMismatch(gsoType: .udpL4, nextHeader: 6), F.frame(usoHeader, tcp))
        expectThrow(.truncatedPacket(byteCount: 47, needed: 48), F.frame(usoHeader, Array(udp.prefix(47))))

        // TCP header problems.
        expectThrow(.truncatedPacket(byteCount: 59, needed: 60), F.frame(Self.tcpV6Header, Array(tcp.prefix(59))))
        var shortOffset = tcp
        shortOffset[52] = 0x40
        expectThrow(.badTCPHeaderLength(16), F.frame(Self.tcpV6Header, shortOffset))
        expectThrow(.badTCPHeaderLength(32), F.frame(Self.tcpV6Header, Array(tcp.prefix(71))))

        // GSO size and segment count.
        var zero = Self.tcpV6Header
        zero.gsoSize = 0
        expectThrow(.zeroGSOSize, F.frame(zero, tcp))
        var tiny = Self.tcpV6Header
        tiny.gsoSize = 1
        expectThrow(.tooManySegments(count: 3_000, limit: TunSegmenter.maximumSegmentCount), F.frame(tiny, tcp))

        // Checksum offsets.
        var wrongOffset = Self.tcpV6Header
        wrongOffset.checksumOffset = 6
        expectThrow(.badChecksumOffsets(start: 40, offset: 6), F.frame(wrongOffset, tcp))
        let plainTCP = Array(tcp.prefix(72))
        for (start, offset): (UInt16, UInt16) in [(0, 16), (39, 0), (40, 31), (71, 0), (72, 0), (0xFFFF, 0xFFFF)] {
            expectThrow(
                .badChecksumOffsets(start: start, offset: offset),
                F.frame(VirtioNetHeader(flags: .needsChecksum, checksumStart: start, checksumOffset: offset), plainTCP)
            )
        }
    }

    @Test("the segmenter is reusable across frames of different kinds")
    func reuse() throws {
        var segmenter = TunSegmenter()
        let payload = F.payload(2_500)
        let big = Self.superPacket(sequence: 9, flags: F.ack, payload: payload)
        let small = F.frame(.none, F.icmpPacket(payload: [1, 2, 3]))
        for _ in 0..<3 {
            #expect(try F.segment(big, with: &segmenter).count == 3)
            #expect(try F.segment(small, with: &segmenter).count == 1)
            #expect(throws: TunOffloadError.self) { try F.segment([1, 2, 3], with: &segmenter) }
        }
    }
}
