/// Splits one TUN read (virtio-net header + IPv6 packet) into plain IPv6 packets with complete checksums, as Linux's
/// GSO segmentation would (`tcp_gso_segment`, `__udp_gso_segment`; cf. wireguard-go's `gsoSplit`).
///
/// The overlay carries only plain IPv6 packets, so a TUN opened with `IFF_VNET_HDR` and TSO6/USO6/checksum offload
/// hands us super-packets of up to 64 KiB and partial checksums that must be finished here. Reuses one scratch buffer:
/// no heap allocation per call.
public struct TunSegmenter: Sendable {
    /// Largest IPv6 packet accepted behind the header (and so the largest packet emitted).
    public static let maximumPacketByteCount = IPv6Layout.maximumPacketByteCount
    /// Most packets one frame may split into. Linux never gets near it (64 KiB at its smallest MSS of 48 bytes is
    /// about 1,400 segments); it bounds the work a malformed frame can cause.
    public static let maximumSegmentCount = 2_048

    private var scratch: [UInt8]

    /// A segmenter with its 64 KiB scratch buffer allocated.
    public init() {
        self.scratch = [UInt8](repeating: 0, count: Self.maximumPacketByteCount + 1)
    }

    /// Splits `frame` (virtio-net header followed by one IPv6 packet) and calls `emit` once per plain packet, in order.
    /// Each packet is only valid during its `emit` call (the storage is reused).
    ///
    /// - `none`: a plain packet; with `needsChecksum` the checksum at `checksumStart + checksumOffset` is completed
    ///   (the field holds the pseudo-header sum; the sum runs from `checksumStart` to the end of the packet).
    /// - `tcpV6`: segments of `gsoSize` payload bytes, each with its payload length, sequence number, TCP checksum
    ///   (computed from scratch) and flags: FIN and PSH only on the last segment, CWR only on the first.
    /// - `udpL4`: datagrams of `gsoSize` payload bytes, each with its UDP length and checksum.
    /// - IPv4, `tcpV4` and `udp` (UFO) throw `unsupported`; any malformed frame throws, and then nothing was emitted.
    ///
    /// The virtio `headerLength` is not trusted (Linux reports the linear buffer length there): the header length is
    /// taken from the packet's TCP data offset or the UDP header size.
    public mutating func segment(
        frame: UnsafeRawBufferPointer,
        _ emit: (UnsafeRawBufferPointer) -> Void
    ) throws(TunOffloadError) {
        let header = try VirtioNetHeader(bytes: frame)
        switch header.gsoType {
        case .tcpV4: throw .unsupported(.tcpV4Segmentation)
        case .udp: throw .unsupported(.udpFragmentation)
        case .none, .tcpV6, .udpL4: break
        }
        let packet = UnsafeRawBufferPointer(rebasing: frame[VirtioNetHeader.byteCount...])
        try Self.validateIPv6(packet)
        switch header.gsoType {
        case .none:
            if header.flags.contains(.needsChecksum) {
                try self.completeChecksum(packet, header: header, emit)
            } else {
                emit(packet)
            }
        case .tcpV6:
            let headerLength = try Self.tcpHeadersLength(packet, header: header)
            try self.split(packet, header: header, headerLength: headerLength, isTCP: true, emit)
        case .udpL4:
            try Self.checkTransport(packet, header: header, expected: IPv6Layout.udpProtocol)
            let headerLength = IPv6Layout.headerByteCount + UDPLayout.headerByteCount
            guard packet.count >= headerLength else {
                throw .truncatedPacket(byteCount: packet.count, needed: headerLength)
            }
            try Self.checkChecksumOffsets(header, expected: UDPLayout.checksumOffset)
            try self.split(packet, header: header, headerLength: headerLength, isTCP: false, emit)
        case .tcpV4: throw .unsupported(.tcpV4Segmentation)
        case .udp: throw .unsupported(.udpFragmentation)
        }
    }

    // MARK: - Validation

    /// A packet of at most 65,535 bytes with the IPv6 version nibble and a whole fixed header.
    private static func validateIPv6(_ packet: UnsafeRawBufferPointer) throws(TunOffloadError) {
        guard packet.count <= Self.maximumPacketByteCount else { throw .packetTooLong(byteCount: packet.count) }
        guard let first = packet.first else {
            throw .truncatedPacket(byteCount: 0, needed: IPv6Layout.headerByteCount)
        }
        let version = first >> 4
        guard version != 4 else { throw .unsupported(.ipv4) }
        guard version == 6 else { throw .notIPv6(version: version) }
        guard packet.count >= IPv6Layout.headerByteCount else {
            throw .truncatedPacket(byteCount: packet.count, needed: IPv6Layout.headerByteCount)
        }
    }

    /// The packet's next header is `expected` (no extension headers).
    private static func checkTransport(
        _ packet: UnsafeRawBufferPointer,
        header: VirtioNetHeader,
        expected: UInt8
    ) throws(TunOffloadError) {
        let nextHeader = packet[IPv6Layout.nextHeaderOffset]
        guard nextHeader == expected else {
            if IPv6Layout.isExtensionHeader(nextHeader) { throw .unsupported(.extensionHeaders) }
            throw .gsoTypeMismatch(gsoType: header.gsoType, nextHeader: nextHeader)
        }
    }

    /// With `needsChecksum`, the checksum must start at the transport header and sit at its checksum field.
    private static func checkChecksumOffsets(_ header: VirtioNetHeader, expected: Int) throws(TunOffloadError) {
        guard header.flags.contains(.needsChecksum) else { return }
        guard Int(header.checksumStart) == IPv6Layout.headerByteCount, Int(header.checksumOffset) == expected else {
            throw .badChecksumOffsets(start: header.checksumStart, offset: header.checksumOffset)
        }
    }

    /// IPv6 plus TCP header length of a TCPv6 super-packet.
    private static func tcpHeadersLength(
        _ packet: UnsafeRawBufferPointer,
        header: VirtioNetHeader
    ) throws(TunOffloadError) -> Int {
        try Self.checkTransport(packet, header: header, expected: IPv6Layout.tcpProtocol)
        let minimum = IPv6Layout.headerByteCount + TCPLayout.minimumHeaderByteCount
        guard packet.count >= minimum else { throw .truncatedPacket(byteCount: packet.count, needed: minimum) }
        let tcpHeaderLength = Int(packet[IPv6Layout.headerByteCount + TCPLayout.dataOffsetOffset] >> 4) * 4
        guard tcpHeaderLength >= TCPLayout.minimumHeaderByteCount,
            IPv6Layout.headerByteCount + tcpHeaderLength <= packet.count
        else { throw .badTCPHeaderLength(tcpHeaderLength) }
        try Self.checkChecksumOffsets(header, expected: TCPLayout.checksumOffset)
        return IPv6Layout.headerByteCount + tcpHeaderLength
    }

    // MARK: - Work

    /// Completes a partial checksum of a plain packet, like Linux's `skb_checksum_help`.
    private mutating func completeChecksum(
        _ packet: UnsafeRawBufferPointer,
        header: VirtioNetHeader,
        _ emit: (UnsafeRawBufferPointer) -> Void
    ) throws(TunOffloadError) {
        let start = Int(header.checksumStart)
        let field = start + Int(header.checksumOffset)
        guard start >= IPv6Layout.headerByteCount, field + 2 <= packet.count else {
            throw .badChecksumOffsets(start: header.checksumStart, offset: header.checksumOffset)
        }
        let count = packet.count
        self.scratch.withUnsafeMutableBytes { out in
            let result = UnsafeMutableRawBufferPointer(rebasing: out[0..<count])
            result.copyMemory(from: packet)
            let sum = InternetChecksum.partialSum(UnsafeRawBufferPointer(rebasing: result[start..<count]))
            result.storeBigEndian(InternetChecksum.checksumField(sum), at: field)
            emit(UnsafeRawBufferPointer(result))
        }
    }

    /// Splits a validated TCPv6 or UDPv6 super-packet whose headers are `headerLength` bytes.
    private mutating func split(
        _ packet: UnsafeRawBufferPointer,
        header: VirtioNetHeader,
        headerLength: Int,
        isTCP: Bool,
        _ emit: (UnsafeRawBufferPointer) -> Void
    ) throws(TunOffloadError) {
        let gsoSize = Int(header.gsoSize)
        guard gsoSize > 0 else { throw .zeroGSOSize }
        let count = packet.count
        let segmentCount = max(1, (count - headerLength + gsoSize - 1) / gsoSize)
        guard segmentCount <= Self.maximumSegmentCount else {
            throw .tooManySegments(count: segmentCount, limit: Self.maximumSegmentCount)
        }
        let ipHeader = IPv6Layout.headerByteCount
        let protocolNumber = isTCP ? IPv6Layout.tcpProtocol : IPv6Layout.udpProtocol
        let addressSum = InternetChecksum.partialSum(
            UnsafeRawBufferPointer(rebasing: packet[IPv6Layout.sourceOffset..<ipHeader])
        )
        let firstSequence = isTCP ? packet.bigEndianUInt32(at: ipHeader + TCPLayout.sequenceOffset) : 0
        let tcpFlags = isTCP ? packet[ipHeader + TCPLayout.flagsOffset] : 0
        let checksumField = ipHeader + (isTCP ? TCPLayout.checksumOffset : UDPLayout.checksumOffset)

        self.scratch.withUnsafeMutableBytes { out in
            UnsafeMutableRawBufferPointer(rebasing: out[0..<headerLength])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[0..<headerLength]))
            var dataStart = headerLength
            for index in 0..<segmentCount {
                let dataEnd = min(dataStart + gsoSize, count)
                let total = headerLength + dataEnd - dataStart
                let upperLayerLength = total - ipHeader
                out.storeBigEndian(UInt16(truncatingIfNeeded: upperLayerLength), at: IPv6Layout.payloadLengthOffset)
                out.storeBigEndian(UInt16(0), at: checksumField)
                if isTCP {
                    let sequence = firstSequence &+ UInt32(truncatingIfNeeded: index * gsoSize)
                    out.storeBigEndian(sequence, at: ipHeader + TCPLayout.sequenceOffset)
                    var flags = tcpFlags
                    if index != segmentCount - 1 { flags &= ~(TCPLayout.fin | TCPLayout.psh) }
                    if index != 0 { flags &= ~TCPLayout.cwr }
                    out[ipHeader + TCPLayout.flagsOffset] = flags
                } else {
                    out.storeBigEndian(
                        UInt16(truncatingIfNeeded: upperLayerLength),
                        at: ipHeader + UDPLayout.lengthOffset
                    )
                }
                UnsafeMutableRawBufferPointer(rebasing: out[headerLength..<total])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[dataStart..<dataEnd]))
                let sum = InternetChecksum.partialSum(
                    UnsafeRawBufferPointer(rebasing: out[ipHeader..<total]),
                    initial: addressSum &+ UInt64(upperLayerLength) &+ UInt64(protocolNumber)
                )
                // TCP keeps a computed 0 (as Linux's segmentation does); UDP must send 0xFFFF instead.
                let checksum = isTCP ? ~InternetChecksum.fold(sum) : InternetChecksum.checksumField(sum)
                out.storeBigEndian(checksum, at: checksumField)
                emit(UnsafeRawBufferPointer(rebasing: out[0..<total]))
                dataStart = dataEnd
            }
        }
    }
}
