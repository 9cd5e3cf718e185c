import MyceliumCore
import MyceliumCrypto
import NIOCore

extension DataPlane {
    /// Tells the source of a packet this node cannot forward why, end-to-end encrypted (spec §4.5): an out-of-band
    /// ICMP report from this node's /64 network address, quoting the packet's encrypted blob. Dropped if there is no
    /// route back.
    func report(_ kind: ICMPv6Error.Kind, about packet: DataPacket) {
        let scratch = self.threadScratch()
        guard let entry = scratch.match(packet.source), let link = entry.link else {
            self.counters.droppedNoRoute.add(1, ordering: .relaxed)
            return
        }
        let reporter = self.identity.subnet.address
        let body = OutOfBandICMP(
            originalDestination: packet.destination,
            source: reporter,
            destination: packet.source,
            icmpType: kind.type,
            icmpCode: kind.code,
            quotedBlob: packet.payload
        )
        scratch.secondBuffer.clear()
        scratch.secondBuffer.writeOutOfBandICMP(body)
        let sealed = scratch.secondBuffer.withUnsafeReadableBytes { bytes in
            self.seal(.outOfBandICMP, body: bytes, with: entry.cipher, scratch: scratch)
        }
        self.counters.reportsSent.add(1, ordering: .relaxed)
        // Reports start with hop limit 64; like every packet this node originates, it is decremented once here.
        link.send(
            data: DataPacket(
                source: reporter, destination: packet.source, hopLimit: OutOfBandICMP.defaultHopLimit - 1,
                payload: sealed
            )
        )
    }

    /// A report from a router on the way to one of our packets' destinations (spec §4.5): decrypts the quoted
    /// original with the key of the original destination and writes the matching ICMPv6 error to the host, from the
    /// reporter, with the outer hop limit.
    func receiveReport(_ content: ByteBuffer, outer: DataPacket, scratch: DataPlaneScratch) {
        guard let interface = self.interface else { return }
        var content = content
        guard content.readableBytes >= OutOfBandICMP.minimumByteCount,
            content.readableBytes <= OutOfBandICMP.maximumByteCount,
            let report = try? content.readOutOfBandICMP(),
            report.quotedBlob.readableBytes > 0,
            let entry = scratch.match(report.originalDestination),
            var original = self.open(report.quotedBlob, with: entry.cipher, into: &scratch.secondBuffer, scratch: scratch),
            (try? original.readUserDataHeader()) == .ipv6Packet
        else {
            self.counters.droppedMalformed.add(1, ordering: .relaxed)
            return
        }
        original.withUnsafeReadableBytes { packet in
            guard IPv6Header.isPlausible(packet) else { return }
            let error = ICMPv6Error(
                kind: .other(type: report.icmpType, code: report.icmpCode),
                source: outer.source,
                destination: IPv6Header.source(of: packet),
                hopLimit: outer.hopLimit
            )
            var icmp = ByteBufferAllocator().buffer(capacity: packet.count + 48)
            icmp.writeICMPv6Error(error, quoting: packet)
            icmp.withUnsafeReadableBytes { interface.deliver($0) }
        }
    }
}
