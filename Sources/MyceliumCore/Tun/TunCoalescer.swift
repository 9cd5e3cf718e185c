/// Coalesces plain IPv6 packets about to be written to the TUN into as few frames as possible (GRO, like Linux's
/// `tcp_gro_receive` and wireguard-go's `tcpGRO`), so that the kernel's TCP stack sees few big packets.
///
/// Packets are copied into one growing byte array (each behind room for its virtio-net header) plus an index array;
/// both keep their capacity across flushes, so after warm-up neither `append` nor `flush` allocates.
///
/// Merged frames carry `needsChecksum` (CHECKSUM_PARTIAL), which Linux trusts without verifying, so every segment's
/// TCP checksum is verified before it is merged; a segment with a bad checksum goes out alone behind
/// `VirtioNetHeader.none` for the kernel to verify and drop. Plain packets never claim `dataValid`.
public struct TunCoalescer: Sendable {
    /// How many flows may have an open super-packet at once; the oldest is closed when another flow needs a slot.
    public static let maximumOpenFlows = 16

    /// Largest merged frame (virtio-net header + IPv6 packet), at most 65,535. Packets that do not merge go out
    /// unchanged whatever their size.
    public let maximumFrameByteCount: Int

    /// One appended packet: its bytes are `storage[start + 10 ..< start + 10 + length]`, after 10 zero bytes.
    private struct Entry {
        var start: Int
        var length: Int
        /// Index in `groups`, or -1 for a packet that goes out alone.
        var group: Int
        /// Next packet of the same super-packet, or -1.
        var next: Int
    }

    /// A run of segments of one flow that go out as one super-packet.
    private struct Group {
        var head: Int
        var tail: Int
        var count: Int
        var key: TCPSegmentSummary.FlowKey
        var firstWord: UInt32
        var hopLimit: UInt8
        var nextSequence: UInt32
        var acknowledgement: UInt32
        var window: UInt16
        var urgentPointer: UInt16
        var tcpHeaderLength: Int
        /// Payload size of every segment but perhaps the last (the `gsoSize`).
        var segmentSize: Int
        var payloadByteCount: Int
        var headChecksumVerified: Bool
        var pushed: Bool
    }

    private var storage: [UInt8] = []
    private var entries: [Entry] = []
    private var groups: [Group] = []
    /// Groups that may still grow, oldest first.
    private var openGroups: [Int] = []
    private var scratch: [UInt8]

    /// An empty coalescer whose super-packet frames (virtio-net header included) stay within
    /// `maximumFrameByteCount`, clamped to 0...65,535.
    public init(maximumFrameByteCount: Int = 65_535) {
        self.maximumFrameByteCount = min(max(maximumFrameByteCount, 0), IPv6Layout.maximumPacketByteCount)
        self.scratch = [UInt8](repeating: 0, count: self.maximumFrameByteCount)
        self.openGroups.reserveCapacity(Self.maximumOpenFlows + 1)
    }

    /// Whether nothing was appended since the last flush.
    public var isEmpty: Bool { self.entries.isEmpty }

    /// Appends a copy of one plain IPv6 packet (complete checksums) to the batch. The batch grows until `flush`;
    /// the caller bounds it (e.g. flushes after each batch of reads from the overlay).
    public mutating func append(_ packet: UnsafeRawBufferPointer) {
        let index = self.entries.count
        let start = self.storage.count
        self.storage.append(contentsOf: repeatElement(0, count: VirtioNetHeader.byteCount))
        self.storage.append(contentsOf: packet)
        self.entries.append(Entry(start: start, length: packet.count, group: -1, next: -1))
        guard let segment = TCPSegmentSummary(packet) else { return }
        let openPosition = self.openGroups.firstIndex { self.groups[$0].key == segment.key }
        guard segment.isMergeable else {
            // Goes out alone; nothing later of its flow may join a super-packet that goes out before it.
            if let openPosition { self.openGroups.remove(at: openPosition) }
            return
        }
        if let openPosition {
            let group = self.openGroups[openPosition]
            if self.canAppend(segment, to: self.groups[group], packet) {
                if !self.groups[group].headChecksumVerified {
                    guard self.packetChecksumIsValid(self.groups[group].head) else {
                        self.openGroups.remove(at: openPosition)
                        self.startGroup(segment, entry: index)
                        return
                    }
                    self.groups[group].headChecksumVerified = true
                }
                guard TCPSegmentSummary.checksumIsValid(packet) else {
                    self.openGroups.remove(at: openPosition)
                    return
                }
                self.merge(segment, entry: index, into: group, openPosition: openPosition)
                return
            }
            self.openGroups.remove(at: openPosition)
        }
        self.startGroup(segment, entry: index)
    }

    /// Emits frames (virtio-net header + packet) for everything appended since the last flush and empties the batch.
    /// Frames come in the order of their first packets, so packet order is kept within each flow. Each frame is only
    /// valid during its `emit` call.
    ///
    /// TCPv6 segments (no extension headers) of one flow are merged into a super-packet when: same addresses and
    /// ports; each sequence number continues the previous segment; same ACK number, window, urgent pointer, TCP header
    /// length and options bytes; same traffic class, flow label and hop limit; flags only ACK (PSH allowed on the last
    /// one merged, which closes the super-packet); every segment carries the first one's payload size, except that the
    /// last may be smaller (which closes it); correct TCP checksums; and the frame stays within
    /// `maximumFrameByteCount`. At most `maximumOpenFlows` flows are compared against at a time.
    ///
    /// A super-packet goes out as `gsoType` `tcpV6` with `needsChecksum`, `headerLength` 40 + TCP header length,
    /// `gsoSize` the segment payload size, `checksumStart` 40, `checksumOffset` 16, the IPv6 payload length of the
    /// whole, PSH if its last segment had it, and as TCP checksum the folded pseudo-header sum (not complemented), as
    /// Linux expects for CHECKSUM_PARTIAL. Everything else (single segments, UDP, ICMPv6, TCP that cannot merge,
    /// anything unparsable) goes out unchanged behind `VirtioNetHeader.none`.
    public mutating func flush(_ emit: (UnsafeRawBufferPointer) -> Void) {
        Self.emitFrames(
            storage: self.storage,
            entries: self.entries,
            groups: self.groups,
            scratch: &self.scratch,
            emit
        )
        self.storage.removeAll(keepingCapacity: true)
        self.entries.removeAll(keepingCapacity: true)
        self.groups.removeAll(keepingCapacity: true)
        self.openGroups.removeAll(keepingCapacity: true)
    }

    // MARK: - Merging

    /// Whether `segment` continues `group` exactly (see `flush` for the rules) and still fits a frame.
    private func canAppend(_ segment: TCPSegmentSummary, to group: Group, _ packet: UnsafeRawBufferPointer) -> Bool {
        guard segment.sequence == group.nextSequence,
            segment.acknowledgement == group.acknowledgement,
            segment.window == group.window,
            segment.urgentPointer == group.urgentPointer,
            segment.tcpHeaderLength == group.tcpHeaderLength,
            segment.firstWord == group.firstWord,
            segment.hopLimit == group.hopLimit,
            segment.payloadByteCount <= group.segmentSize,
            VirtioNetHeader.byteCount + IPv6Layout.headerByteCount + group.tcpHeaderLength + group.payloadByteCount
                + segment.payloadByteCount <= self.maximumFrameByteCount
        else { return false }
        let optionsOffset = IPv6Layout.headerByteCount + TCPLayout.minimumHeaderByteCount
        let optionsLength = group.tcpHeaderLength - TCPLayout.minimumHeaderByteCount
        guard optionsLength > 0 else { return true }
        let headStart = self.entries[group.head].start + VirtioNetHeader.byteCount
        return self.storage.withUnsafeBytes { stored in
            stored.bytesEqual(at: headStart + optionsOffset, packet, at: optionsOffset, count: optionsLength)
        }
    }

    /// Whether the stored packet of entry `index` has a correct TCP checksum.
    private func packetChecksumIsValid(_ index: Int) -> Bool {
        let entry = self.entries[index]
        let start = entry.start + VirtioNetHeader.byteCount
        return self.storage.withUnsafeBytes { stored in
            TCPSegmentSummary.checksumIsValid(UnsafeRawBufferPointer(rebasing: stored[start..<start + entry.length]))
        }
    }

    private mutating func merge(_ segment: TCPSegmentSummary, entry index: Int, into group: Int, openPosition: Int) {
        self.entries[self.groups[group].tail].next = index
        self.entries[index].group = group
        self.groups[group].tail = index
        self.groups[group].count += 1
        self.groups[group].payloadByteCount += segment.payloadByteCount
        self.groups[group].nextSequence = segment.sequence &+ UInt32(truncatingIfNeeded: segment.payloadByteCount)
        if segment.hasPush || segment.payloadByteCount < self.groups[group].segmentSize {
            self.groups[group].pushed = segment.hasPush
            self.openGroups.remove(at: openPosition)
        }
    }

    /// Opens a super-packet headed by entry `index`, unless its PSH already ends it (then it goes out alone).
    private mutating func startGroup(_ segment: TCPSegmentSummary, entry index: Int) {
        guard !segment.hasPush else { return }
        let group = self.groups.count
        self.groups.append(
            Group(
                head: index,
                tail: index,
                count: 1,
                key: segment.key,
                firstWord: segment.firstWord,
                hopLimit: segment.hopLimit,
                nextSequence: segment.sequence &+ UInt32(truncatingIfNeeded: segment.payloadByteCount),
                acknowledgement: segment.acknowledgement,
                window: segment.window,
                urgentPointer: segment.urgentPointer,
                tcpHeaderLength: segment.tcpHeaderLength,
                segmentSize: segment.payloadByteCount,
                payloadByteCount: segment.payloadByteCount,
                headChecksumVerified: false,
                pushed: false
            )
        )
        self.entries[index].group = group
        if self.openGroups.count >= Self.maximumOpenFlows { self.openGroups.removeFirst() }
        self.openGroups.append(group)
    }

    // MARK: - Emitting

    private static func emitFrames(
        storage: [UInt8],
        entries: [Entry],
        groups: [Group],
        scratch: inout [UInt8],
        _ emit: (UnsafeRawBufferPointer) -> Void
    ) {
        storage.withUnsafeBytes { stored in
            scratch.withUnsafeMutableBytes { out in
                for (index, entry) in entries.enumerated() {
                    if entry.group >= 0 {
                        let group = groups[entry.group]
                        guard group.head == index else { continue }  // emitted with its super-packet
                        if group.count > 1,
                            let frame = Self.buildSuperPacket(group, entries: entries, stored: stored, out: out)
                        {
                            emit(frame)
                            continue
                        }
                    }
                    emit(UnsafeRawBufferPointer(
                        rebasing: stored[entry.start..<entry.start + VirtioNetHeader.byteCount + entry.length]
                    ))
                }
            }
        }
    }

    /// Writes the frame of a super-packet into `out`; `nil` if it would not fit (never, as `append` checks).
    private static func buildSuperPacket(
        _ group: Group,
        entries: [Entry],
        stored: UnsafeRawBufferPointer,
        out: UnsafeMutableRawBufferPointer
    ) -> UnsafeRawBufferPointer? {
        let headerRoom = VirtioNetHeader.byteCount
        let headersLength = IPv6Layout.headerByteCount + group.tcpHeaderLength
        let frameLength = headerRoom + headersLength + group.payloadByteCount
        guard frameLength <= out.count else { return nil }
        let headStart = entries[group.head].start + headerRoom
        UnsafeMutableRawBufferPointer(rebasing: out[headerRoom..<headerRoom + headersLength])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[headStart..<headStart + headersLength]))
        var written = headerRoom + headersLength
        var member = group.head
        while member >= 0 {
            let entry = entries[member]
            let payloadStart = entry.start + headerRoom + headersLength
            let payloadLength = entry.length - headersLength
            guard payloadLength >= 0, written + payloadLength <= frameLength else { return nil }
            UnsafeMutableRawBufferPointer(rebasing: out[written..<written + payloadLength])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[payloadStart..<payloadStart + payloadLength]))
            written += payloadLength
            member = entry.next
        }
        let packet = UnsafeMutableRawBufferPointer(rebasing: out[headerRoom..<written])
        let upperLayerLength = written - headerRoom - IPv6Layout.headerByteCount
        packet.storeBigEndian(UInt16(truncatingIfNeeded: upperLayerLength), at: IPv6Layout.payloadLengthOffset)
        let tcpHeader = IPv6Layout.headerByteCount
        if group.pushed { packet[tcpHeader + TCPLayout.flagsOffset] |= TCPLayout.psh }
        let pseudoHeader = InternetChecksum.partialSum(
            UnsafeRawBufferPointer(rebasing: packet[IPv6Layout.sourceOffset..<tcpHeader]),
            initial: UInt64(upperLayerLength) &+ UInt64(IPv6Layout.tcpProtocol)
        )
        packet.storeBigEndian(InternetChecksum.fold(pseudoHeader), at: tcpHeader + TCPLayout.checksumOffset)
        VirtioNetHeader(
            flags: .needsChecksum,
            gsoType: .tcpV6,
            headerLength: UInt16(truncatingIfNeeded: headersLength),
            gsoSize: UInt16(truncatingIfNeeded: group.segmentSize),
            checksumStart: UInt16(tcpHeader),
            checksumOffset: UInt16(TCPLayout.checksumOffset)
        ).store(to: out)
        return UnsafeRawBufferPointer(rebasing: out[0..<written])
    }
}
