import MyceliumCore
import MyceliumCrypto
import NIOCore

extension DataPlane {
    /// Handles one IPv6 packet the host wrote to the TUN (spec §4.2): checks it, encrypts it to the owner of its
    /// destination's subnet and hands it to the selected route's link, or queues it while a route is looked for.
    /// Local ICMPv6 errors go to the interface's batch; the caller flushes it after each read.
    public func sendFromHost(_ packet: UnsafeRawBufferPointer) {
        guard IPv6Header.isPlausible(packet) else {
            self.counters.droppedMalformed.add(1, ordering: .relaxed)
            return
        }
        let destination = IPv6Header.destination(of: packet)
        guard Subnet.overlay.contains(destination) else {
            // Multicast and link-local chatter of the host's stack: nothing in the overlay to send it to.
            return
        }
        if self.identity.subnet.contains(destination) {
            self.replyToHost(.addressUnreachable, offending: packet)
            return
        }
        let source = IPv6Header.source(of: packet)
        guard Subnet.overlay.contains(source) else {
            self.replyToHost(.sourceAddressFailedPolicy, offending: packet)
            return
        }
        let hopLimit = IPv6Header.hopLimit(of: packet)
        guard hopLimit >= 2 else {
            self.replyToHost(.hopLimitExceeded, offending: packet)
            return
        }
        let scratch = self.threadScratch()
        guard let entry = scratch.match(destination), let link = entry.link else {
            self.queueFromHost(packet, destination: destination)
            return
        }
        self.refreshIfDue(entry, destination: destination)
        // The originating router decrements the hop limit too (spec §4.2 step 6).
        let sealed = self.seal(.ipv6Packet, body: packet, with: entry.cipher, scratch: scratch)
        link.send(data: DataPacket(source: source, destination: destination, hopLimit: hopLimit - 1, payload: sealed))
    }

    /// `01 | type | 00 00 ‖ body`, sealed in the thread's scratch buffer (spec §4.3). The result shares the scratch
    /// buffer's storage: hand it on (links copy it) before the thread seals the next one.
    func seal(
        _ type: UserDataType,
        body: UnsafeRawBufferPointer,
        with cipher: AES256GCM,
        scratch: DataPlaneScratch
    ) -> ByteBuffer {
        scratch.buffer.clear()
        scratch.buffer.writeUserDataHeader(type)
        scratch.buffer.writeBytes(body)
        let plaintextCount = scratch.buffer.readableBytes
        scratch.buffer.writeRepeatingByte(0, count: AES256GCM.overheadByteCount)
        // The buffer was sized for plaintext and overhead, so sealing cannot run out of room.
        _ = scratch.buffer.withUnsafeMutableReadableBytes { bytes in
            try? scratch.seal(bytes, plaintextCount: plaintextCount, with: cipher)
        }
        return scratch.buffer
    }

    private func queueFromHost(_ packet: UnsafeRawBufferPointer, destination: IPv6Address) {
        let subnet = Subnet.node(containing: destination)
        var copy = ByteBufferAllocator().buffer(capacity: packet.count)
        copy.writeBytes(packet)
        let now = RouterDriver.now()
        let result = self.pending.withLock { $0.outbound.enqueue(copy, byteCount: packet.count, for: subnet, now: now) }
        switch result {
        case .queuedFirst:
            self.requestRoute(to: destination)
        case .queued:
            break
        case .full:
            self.counters.droppedQueueFull.add(1, ordering: .relaxed)
            self.replyToHost(.noRoute, offending: packet)
        }
    }

    /// Writes an ICMPv6 error from this node about `offending` (a packet the host sent) to the host's batch.
    func replyToHost(_ kind: ICMPv6Error.Kind, offending: UnsafeRawBufferPointer) {
        guard let interface = self.interface, IPv6Header.isPlausible(offending) else { return }
        let error = ICMPv6Error(
            kind: kind, source: self.identity.address, destination: IPv6Header.source(of: offending)
        )
        let scratch = self.threadScratch()
        scratch.secondBuffer.clear()
        scratch.secondBuffer.writeICMPv6Error(error, quoting: offending)
        scratch.secondBuffer.withUnsafeReadableBytes { interface.deliver($0) }
    }
}
