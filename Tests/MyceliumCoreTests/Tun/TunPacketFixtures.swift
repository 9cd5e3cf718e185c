import MyceliumCore
import Testing

/// Hand-built IPv6 packets and straightforward reference checksums for the TUN offload tests, written independently
/// of `InternetChecksum` (byte pairs into a wide integer, fold in a loop).
enum TunPacketFixtures {
    static let source: [UInt8] = [0x04, 0x00, 0x0A, 0xBC, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 0, 0, 0, 0x01]
    static let destination: [UInt8] = [0x05, 0x9F, 0xFF, 0x01, 0xCA, 0xFE, 0xBE, 0xEF, 0, 0, 0, 0, 0, 0xAA, 0, 0x02]
    static let otherSource: [UInt8] = [0x04, 0x00, 0x0A, 0xBC, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 0, 0, 0, 0x99]

    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let psh: UInt8 = 0x08
    static let ack: UInt8 = 0x10
    static let cwr: UInt8 = 0x80

    /// Timestamps option padded to 12 bytes (NOP NOP TS).
    static let timestampOptions: [UInt8] = [0x01, 0x01, 0x08, 0x0A, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]

    // MARK: - Reference checksum

    /// The 16-bit one's complement sum of `bytes` (big-endian words, odd byte padded), folded in a loop.
    static func referenceSum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt64 = 0
        var index = 0
        while index < bytes.count {
            let high = UInt64(bytes[index])
            let low = index + 1 < bytes.count ? UInt64(bytes[index + 1]) : 0
            sum += high << 8 | low
            index += 2
        }
        while sum > 0xFFFF {
            sum = (sum & 0xFFFF) + (sum >> 16)
        }
        return UInt16(sum)
    }

    /// The pseudo-header bytes of RFC 8200 §8.1.
    static func pseudoHeader(source: [UInt8], destination: [UInt8], length: Int, nextHeader: UInt8) -> [UInt8] {
        source + destination
            + [UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + [0, 0, 0, nextHeader]
    }

    /// Whether the transport checksum of an IPv6 packet (no extension headers) is correct, by the reference sum.
    static func transportChecksumIsValid(_ packet: [UInt8]) -> Bool {
        guard packet.count >= 40 else { return false }
        let upper = Array(packet[40...])
        let pseudo = pseudoHeader(
            source: Array(packet[8..<24]), destination: Array(packet[24..<40]), length: upper.count,
            nextHeader: packet[6]
        )
        if packet[6] == 17, packet.count >= 48, packet[46] == 0, packet[47] == 0 { return false }
        return referenceSum(pseudo + upper) == 0xFFFF
    }

    /// The transport checksum of an IPv6 packet whose checksum field (at `40 + fieldOffset`) is zero.
    static func transportChecksum(_ packet: [UInt8], fieldOffset: Int) -> UInt16 {
        let upper = Array(packet[40...])
        let pseudo = pseudoHeader(
            source: Array(packet[8..<24]), destination: Array(packet[24..<40]), length: upper.count,
            nextHeader: packet[6]
        )
        let checksum = ~referenceSum(pseudo + upper)
        return packet[6] == 17 && checksum == 0 ? 0xFFFF : checksum
    }

    /// The folded pseudo-header sum for `packet` (what a CHECKSUM_PARTIAL checksum field holds).
    static func partialChecksum(_ packet: [UInt8]) -> UInt16 {
        referenceSum(
            pseudoHeader(
                source: Array(packet[8..<24]), destination: Array(packet[24..<40]), length: packet.count - 40,
                nextHeader: packet[6]
            )
        )
    }

    // MARK: - Packets

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func ipv6Header(
        payloadLength: Int,
        nextHeader: UInt8,
        source: [UInt8] = source,
        destination: [UInt8] = destination,
        trafficClass: UInt8 = 0,
        flowLabel: UInt32 = 0x1_2345,
        hopLimit: UInt8 = 64
    ) -> [UInt8] {
        let word = 6 << 28 | UInt32(trafficClass) << 20 | flowLabel & 0xF_FFFF
        return be32(word) + be16(UInt16(truncatingIfNeeded: payloadLength)) + [nextHeader, hopLimit] + source + destination
    }

    /// A TCPv6 packet with a correct checksum (or, with `partial`, the folded pseudo-header sum in the field).
    static func tcpPacket(
        sequence: UInt32,
        acknowledgement: UInt32 = 0x1111_2222,
        flags: UInt8 = ack,
        window: UInt16 = 512,
        options: [UInt8] = timestampOptions,
        payload: [UInt8],
        source: [UInt8] = source,
        destination: [UInt8] = destination,
        sourcePort: UInt16 = 40_000,
        destinationPort: UInt16 = 443,
        trafficClass: UInt8 = 0,
        hopLimit: UInt8 = 64,
        partial: Bool = false,
        badChecksum: Bool = false
    ) -> [UInt8] {
        let dataOffset = UInt8((20 + options.count) / 4) << 4
        var tcp = be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(acknowledgement)
        tcp += [dataOffset, flags] + be16(window) + [0, 0, 0, 0] + options + payload
        var packet = ipv6Header(
            payloadLength: tcp.count, nextHeader: 6, source: source, destination: destination,
            trafficClass: trafficClass, hopLimit: hopLimit
        ) + tcp
        let checksum = partial ? partialChecksum(packet) : transportChecksum(packet, fieldOffset: 16)
        packet[56] = UInt8(checksum >> 8)
        packet[57] = UInt8(checksum & 0xFF) ^ (badChecksum ? 0x5A : 0)
        return packet
    }

    /// A UDPv6 packet with a correct checksum (or, with `partial`, the folded pseudo-header sum in the field).
    static func udpPacket(
        payload: [UInt8],
        sourcePort: UInt16 = 5353,
        destinationPort: UInt16 = 9651,
        partial: Bool = false
    ) -> [UInt8] {
        let udp = be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
        var packet = ipv6Header(payloadLength: udp.count, nextHeader: 17) + udp
        let checksum = partial ? partialChecksum(packet) : transportChecksum(packet, fieldOffset: 6)
        packet[46] = UInt8(checksum >> 8)
        packet[47] = UInt8(checksum & 0xFF)
        return packet
    }

    /// An ICMPv6 echo request with a correct checksum.
    static func icmpPacket(payload: [UInt8]) -> [UInt8] {
        let icmp: [UInt8] = [128, 0, 0, 0, 0x12, 0x34, 0x00, 0x01] + payload
        var packet = ipv6Header(payloadLength: icmp.count, nextHeader: 58) + icmp
        let checksum = transportChecksum(packet, fieldOffset: 2)
        packet[42] = UInt8(checksum >> 8)
        packet[43] = UInt8(checksum & 0xFF)
        return packet
    }

    /// `count` bytes of a recognisable pattern starting at `start`.
    static func payload(_ count: Int, start: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 + start) &* 7 &+ 3) }
    }

    // MARK: - Frames

    static func frame(_ header: VirtioNetHeader, _ packet: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: VirtioNetHeader.byteCount)
        _ = bytes.withUnsafeMutableBytes { header.store(to: $0) }
        return bytes + packet
    }

    static func header(of frame: [UInt8]) throws -> VirtioNetHeader {
        try frame.withUnsafeBytes { (raw) throws(TunOffloadError) in try VirtioNetHeader(bytes: raw) }
    }

    /// The packets `segmenter` emits for `frame`.
    static func segment(_ frame: [UInt8], with segmenter: inout TunSegmenter) throws(TunOffloadError) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        let result: Result<Void, TunOffloadError> = frame.withUnsafeBytes { raw in
            do throws(TunOffloadError) {
                try segmenter.segment(frame: raw) { packets.append(Array($0)) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return packets
    }

    static func segment(_ frame: [UInt8]) throws(TunOffloadError) -> [[UInt8]] {
        var segmenter = TunSegmenter()
        return try segment(frame, with: &segmenter)
    }

    /// The frames `coalescer` emits for `packets` appended in order and flushed.
    static func coalesce(_ packets: [[UInt8]], with coalescer: inout TunCoalescer) -> [[UInt8]] {
        for packet in packets {
            packet.withUnsafeBytes { coalescer.append($0) }
        }
        var frames: [[UInt8]] = []
        coalescer.flush { frames.append(Array($0)) }
        return frames
    }

    static func coalesce(_ packets: [[UInt8]], maximumFrameByteCount: Int = 65_535) -> [[UInt8]] {
        var coalescer = TunCoalescer(maximumFrameByteCount: maximumFrameByteCount)
        return coalesce(packets, with: &coalescer)
    }

    /// The packets behind coalesced frames: plain frames unwrapped, super-packets split again.
    static func unwrap(_ frames: [[UInt8]]) throws -> [[UInt8]] {
        var segmenter = TunSegmenter()
        var packets: [[UInt8]] = []
        for frame in frames {
            if try header(of: frame) == VirtioNetHeader.none {
                packets.append(Array(frame[VirtioNetHeader.byteCount...]))
            } else {
                packets += try segment(frame, with: &segmenter)
            }
        }
        return packets
    }
}
