/// What the coalescer needs to know about one plain TCPv6 packet (no extension headers), read once at `append`.
struct TCPSegmentSummary {
    /// Addresses and ports: the flow.
    struct FlowKey: Equatable {
        var source: (UInt64, UInt64)
        var destination: (UInt64, UInt64)
        var ports: UInt32

        static func == (left: Self, right: Self) -> Bool {
            left.ports == right.ports && left.source == right.source && left.destination == right.destination
        }
    }

    var key: FlowKey
    /// Whether the packet is whole: its IPv6 payload length matches its size and its TCP header fits.
    var isWellFormed: Bool
    /// Version, traffic class and flow label (the first IPv6 header word).
    var firstWord: UInt32
    var hopLimit: UInt8
    var sequence: UInt32
    var acknowledgement: UInt32
    var window: UInt16
    var urgentPointer: UInt16
    var tcpHeaderLength: Int
    var flags: UInt8
    /// The reserved bits next to the data offset (AccECN's AE among them).
    var reservedBits: UInt8
    var payloadByteCount: Int

    /// Reads `packet` if it is TCP over IPv6 without extension headers, with at least the fixed TCP header;
    /// `nil` for anything else. Whether the rest is consistent is `isWellFormed`.
    init?(_ packet: UnsafeRawBufferPointer) {
        let ipHeader = IPv6Layout.headerByteCount
        guard packet.count >= ipHeader + TCPLayout.minimumHeaderByteCount,
            packet.count <= IPv6Layout.maximumPacketByteCount,
            packet[0] >> 4 == 6,
            packet[IPv6Layout.nextHeaderOffset] == IPv6Layout.tcpProtocol
        else { return nil }
        let offsetByte = packet[ipHeader + TCPLayout.dataOffsetOffset]
        let tcpHeaderLength = Int(offsetByte >> 4) * 4
        self.isWellFormed = tcpHeaderLength >= TCPLayout.minimumHeaderByteCount
            && ipHeader + tcpHeaderLength <= packet.count
            && Int(packet.bigEndianUInt16(at: IPv6Layout.payloadLengthOffset)) + ipHeader == packet.count
        self.key = FlowKey(
            source: (
                packet.loadUnaligned(fromByteOffset: IPv6Layout.sourceOffset, as: UInt64.self),
                packet.loadUnaligned(fromByteOffset: IPv6Layout.sourceOffset + 8, as: UInt64.self)
            ),
            destination: (
                packet.loadUnaligned(fromByteOffset: IPv6Layout.destinationOffset, as: UInt64.self),
                packet.loadUnaligned(fromByteOffset: IPv6Layout.destinationOffset + 8, as: UInt64.self)
            ),
            ports: packet.loadUnaligned(fromByteOffset: ipHeader, as: UInt32.self)
        )
        self.firstWord = packet.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        self.hopLimit = packet[IPv6Layout.hopLimitOffset]
        self.sequence = packet.bigEndianUInt32(at: ipHeader + TCPLayout.sequenceOffset)
        self.acknowledgement = packet.bigEndianUInt32(at: ipHeader + TCPLayout.acknowledgementOffset)
        self.window = packet.bigEndianUInt16(at: ipHeader + TCPLayout.windowOffset)
        self.urgentPointer = packet.bigEndianUInt16(at: ipHeader + TCPLayout.urgentPointerOffset)
        self.tcpHeaderLength = tcpHeaderLength
        self.flags = packet[ipHeader + TCPLayout.flagsOffset]
        self.reservedBits = offsetByte & 0x0F
        self.payloadByteCount = max(packet.count - ipHeader - tcpHeaderLength, 0)
    }

    /// Whether the segment may be part of a super-packet at all: it carries data and its only flags are ACK and
    /// perhaps PSH (which then ends the super-packet).
    var isMergeable: Bool {
        self.isWellFormed && self.payloadByteCount > 0 && self.reservedBits == 0
            && (self.flags == TCPLayout.ack || self.flags == TCPLayout.ack | TCPLayout.psh)
    }

    var hasPush: Bool { self.flags & TCPLayout.psh != 0 }

    /// Whether the TCP checksum of `packet` (which this summary was read from) is correct.
    static func checksumIsValid(_ packet: UnsafeRawBufferPointer) -> Bool {
        let ipHeader = IPv6Layout.headerByteCount
        guard packet.count >= ipHeader else { return false }
        let pseudoHeader = InternetChecksum.partialSum(
            UnsafeRawBufferPointer(rebasing: packet[IPv6Layout.sourceOffset..<ipHeader]),
            initial: UInt64(packet.count - ipHeader) &+ UInt64(IPv6Layout.tcpProtocol)
        )
        let sum = InternetChecksum.partialSum(
            UnsafeRawBufferPointer(rebasing: packet[ipHeader...]),
            initial: pseudoHeader
        )
        return InternetChecksum.fold(sum) == 0xFFFF
    }
}
