import MyceliumCore
import MyceliumCrypto
import NIOCore

extension DataPlane {
    // MARK: PeerDataReceiver

    /// A data packet from a peer (spec §4.2 step 6, `route_packet`): reported back if its hop limit is spent,
    /// delivered if it is for this node's /64, forwarded (still encrypted) otherwise.
    public func link(_ link: ChannelPeerLink, received packet: DataPacket) {
        self.route(packet)
    }

    public func linkReadComplete(_ link: ChannelPeerLink) {
        self.interface?.flush()
    }

    func route(_ packet: DataPacket) {
        guard packet.hopLimit >= 2 else {
            self.report(.hopLimitExceeded, about: packet)
            return
        }
        var packet = packet
        packet.hopLimit -= 1
        if self.identity.subnet.contains(packet.destination) {
            self.deliverLocally(packet)
        } else {
            self.forward(packet)
        }
    }

    /// Sends a packet that only passes through on to the selected route's next hop, without decrypting it.
    func forward(_ packet: DataPacket) {
        let scratch = self.threadScratch()
        guard let entry = scratch.match(packet.destination) else {
            self.queueForwarded(packet)
            return
        }
        guard let link = entry.link else {
            // Known, but only fallback routes: no route (spec §4.2 step 6).
            self.report(.noRoute, about: packet)
            return
        }
        self.refreshIfDue(entry, destination: packet.destination)
        link.send(data: packet)
    }

    private func queueForwarded(_ packet: DataPacket) {
        if !self.hold(packet, waitingFor: packet.destination, in: .forwarded) {
            self.report(.noRoute, about: packet)
        }
    }

    /// Decrypts a packet for this node with the key of its source's subnet (any route, spec §4.4) and hands the
    /// content on by its user-data type; queues it if the source is not known yet.
    func deliverLocally(_ packet: DataPacket) {
        let scratch = self.threadScratch()
        guard let entry = scratch.match(packet.source) else {
            self.queueInbound(packet)
            return
        }
        guard let plaintext = self.open(packet.payload, with: entry.cipher, into: &scratch.buffer, scratch: scratch) else { return }
        var content = plaintext
        let type: UserDataType?
        do {
            type = try content.readUserDataHeader()
        } catch {
            type = nil
        }
        switch type {
        case .ipv6Packet:
            guard let interface = self.interface else {
                self.counters.droppedNoInterface.add(1, ordering: .relaxed)
                return
            }
            content.withUnsafeMutableReadableBytes { bytes in
                guard IPv6Header.isPlausible(UnsafeRawBufferPointer(bytes)) else {
                    self.counters.droppedMalformed.add(1, ordering: .relaxed)
                    return
                }
                // The destination copies the outer hop limit into the packet (spec §4.4).
                bytes[IPv6Header.hopLimitOffset] = packet.hopLimit
                interface.deliver(UnsafeRawBufferPointer(bytes))
            }
        case .message:
            guard let receiver = self.attachedMessageReceiver else {
                self.counters.messagesIgnored.add(1, ordering: .relaxed)
                return
            }
            receiver.receiveMessagePacket(content, from: packet.source, key: entry.publicKey)
        case .outOfBandICMP:
            self.receiveReport(content, outer: packet, scratch: scratch)
        case nil:
            self.counters.droppedMalformed.add(1, ordering: .relaxed)
        }
    }

    /// Opens `blob` in `buffer`; `nil` (counted) if it is too short or fails authentication.
    func open(
        _ blob: ByteBuffer, with cipher: AES256GCM, into buffer: inout ByteBuffer, scratch: DataPlaneScratch
    ) -> ByteBuffer? {
        buffer.clear()
        var blob = blob
        buffer.writeBuffer(&blob)
        let result = buffer.withUnsafeMutableReadableBytes { bytes -> Int? in
            try? scratch.open(bytes, with: cipher)
        }
        guard let plaintextCount = result else {
            self.counters.droppedDecryption.add(1, ordering: .relaxed)
            return nil
        }
        return buffer.getSlice(at: buffer.readerIndex, length: plaintextCount)
    }

    private func queueInbound(_ packet: DataPacket) {
        _ = self.hold(packet, waitingFor: packet.source, in: .inbound)
    }

    /// Keeps an encrypted packet in `queue` until `address`'s /64 has a route, asking for one with the first packet.
    /// Returns `false` if the packet was refused (outside the overlay, or the queue is full).
    private func hold(
        _ packet: DataPacket,
        waitingFor address: IPv6Address,
        in queue: EncryptedQueue
    ) -> Bool {
        guard Subnet.overlay.contains(address) else {
            self.counters.droppedMalformed.add(1, ordering: .relaxed)
            return false
        }
        let subnet = Subnet.node(containing: address)
        let now = RouterDriver.now()
        let byteCount = DataPacket.headerByteCount + packet.payload.readableBytes
        let result = self.pending.withLock { pending in
            switch queue {
            case .forwarded: pending.forwarded.enqueue(packet, byteCount: byteCount, for: subnet, now: now)
            case .inbound: pending.inbound.enqueue(packet, byteCount: byteCount, for: subnet, now: now)
            }
        }
        switch result {
        case .queuedFirst:
            self.requestRoute(to: address)
        case .queued:
            break
        case .full:
            self.counters.droppedQueueFull.add(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// The two queues of still-encrypted packets.
    enum EncryptedQueue {
        /// Passing through, waiting for a route to their destination.
        case forwarded
        /// For this node, waiting for their sender's key.
        case inbound
    }
}
