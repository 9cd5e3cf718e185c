import NIOCore

extension MessageBusStateMachine {
    // MARK: - Receiving (spec §5.3)

    /// A message packet from `source` (already authenticated by decryption with `source`'s key). Packets with the ACK
    /// flag, and READ, belong to the outbox; INIT, CHUNK, DONE and ABORTED to the incoming transfers.
    public mutating func receive(
        _ packet: MessagePacket,
        from source: IPv6Address,
        now: MonotonicInstant
    ) -> [MessageBusAction] {
        var actions: [MessageBusAction] = []
        switch packet.body {
        case .initialAck, .chunkAck, .doneAck, .read:
            self.receiveAcknowledgement(packet, from: source, now: now, into: &actions)
        case .initial(let length, let topic, let isReply):
            self.receiveInitial(
                id: packet.id, length: length, topic: topic, isReply: isReply, from: source, now: now, into: &actions
            )
        case .chunk(let index, let offset, let data):
            let key = TransferKey(source: source, id: packet.id)
            // Taken out of the table while it changes, so its buffer is not copied on write.
            guard var transfer = self.incoming.removeValue(forKey: key) else {
                self.counters.unknownTransfers += 1
                return actions
            }
            let outcome = transfer.receive(index: index, offset: offset, data: data, now: now)
            self.incoming[key] = transfer
            switch outcome {
            case .accepted:
                if let ack = packet.acknowledgement { actions.append(.send(ack, to: source)) }
            case .refused:
                self.counters.refusedChunks += 1
            }
        case .done(let chunkCount, let checksum):
            self.receiveDone(packet, chunkCount: chunkCount, checksum: checksum, from: source, now: now, into: &actions)
        case .aborted:
            self.dropIncoming(TransferKey(source: source, id: packet.id))
        }
        return actions
    }

    private mutating func receiveInitial(
        id: MessageID,
        length: UInt64,
        topic: [UInt8],
        isReply: Bool,
        from source: IPv6Address,
        now: MonotonicInstant,
        into actions: inout [MessageBusAction]
    ) {
        let key = TransferKey(source: source, id: id)
        let ack = MessagePacket(
            id: id, body: .initialAck(length: length, topicLength: UInt8(clamping: topic.count), isReply: isReply)
        )
        guard length <= UInt64(self.configuration.maximumMessageSize) else {
            self.counters.refusedTooLarge += 1
            return
        }
        let size = Int(length)
        // Replies bypass the topic policy (spec §5.4).
        guard isReply || self.topicPolicy.accepts(topic: topic, from: source) else {
            self.counters.refusedByPolicy += 1
            return
        }
        if let existing = self.incoming[key] {
            if existing.matches(length: size, topic: topic, isReply: isReply) {
                // A retransmitted INIT: keep what arrived (upstream would start over).
                actions.append(.send(ack, to: source))
                return
            }
            self.dropIncoming(key)
        }
        let deliveryKey = DeliveryKey(source: source, id: id, isReply: isReply)
        // Still being persisted: no answer until the driver confirms or gives up (the sender retries INIT). Treated as
        // a duplicate, the resent transfer would get a DONE-ACK for a message that may never be stored.
        guard !self.completing.contains(deliveryKey) else { return }
        let isDuplicate = self.delivered[deliveryKey] != nil
        // A duplicate stores no bytes but still holds a transfer, so it counts against the transfer limit too.
        guard self.incoming.count < self.configuration.maximumIncomingTransfers,
            isDuplicate || self.incomingBytes + size <= self.configuration.maximumIncomingBytes
        else {
            // No room now: the sender retries INIT with backoff.
            self.counters.refusedNoRoom += 1
            return
        }
        if isDuplicate {
            self.counters.duplicatesSuppressed += 1
        } else {
            self.incomingBytes += size
        }
        self.incoming[key] = IncomingTransfer(
            source: source, id: id, length: size, topic: topic, isReply: isReply, isDuplicate: isDuplicate, now: now
        )
        actions.append(.send(ack, to: source))
        self.schedule(now + .seconds(1))
    }

    private mutating func receiveDone(
        _ packet: MessagePacket,
        chunkCount: UInt64,
        checksum: MessageChecksum,
        from source: IPv6Address,
        now: MonotonicInstant,
        into actions: inout [MessageBusAction]
    ) {
        let key = TransferKey(source: source, id: packet.id)
        guard let ack = packet.acknowledgement else { return }
        guard let transfer = self.incoming[key] else {
            // Already delivered and its DONE-ACK lost: acknowledge again (upstream stays silent, spec §13).
            let wasDelivered = [false, true].contains {
                self.delivered[DeliveryKey(source: source, id: packet.id, isReply: $0)] != nil
            }
            if wasDelivered { actions.append(.send(ack, to: source)) } else { self.counters.unknownTransfers += 1 }
            return
        }
        let deliveryKey = DeliveryKey(source: source, id: packet.id, isReply: transfer.isReply)
        if transfer.isDuplicate {
            self.incoming[key] = nil
            actions.append(.send(ack, to: source))
            return
        }
        switch transfer.complete(chunkCount: chunkCount, checksum: checksum) {
        case .complete(let payload):
            self.dropIncoming(key)
            self.completing.insert(deliveryKey)
            actions.append(
                .deliver(IncomingMessage(key: deliveryKey, topic: transfer.topic, payload: payload), acknowledgement: ack)
            )
        case .incomplete:
            // Chunks still missing (or DONE overtook them): the sender resends DONE.
            break
        case .corrupt:
            self.dropIncoming(key)
            self.counters.corruptMessages += 1
        }
    }

    /// The driver persisted a delivered message (and sent its DONE-ACK): remember it so it is never delivered again.
    public mutating func delivered(_ key: DeliveryKey, now: MonotonicInstant) {
        self.completing.remove(key)
        self.remember(delivered: key, now: now)
        self.counters.messagesDelivered += 1
    }

    /// The driver could not persist a delivered message: forget it, so the sender's retry delivers it again.
    public mutating func deliveryFailed(_ key: DeliveryKey) {
        self.completing.remove(key)
    }

    /// An application read a delivered message: tell its sender (READ, spec §5.3).
    public func read(_ key: DeliveryKey) -> [MessageBusAction] {
        [.send(MessagePacket(id: key.id, body: .read), to: key.source)]
    }

    /// A bus packet from `source` that did not parse.
    public mutating func receivedMalformedPacket() {
        self.counters.malformedPackets += 1
    }

    mutating func dropIncoming(_ key: TransferKey) {
        guard let transfer = self.incoming.removeValue(forKey: key) else { return }
        if !transfer.isDuplicate { self.incomingBytes -= transfer.length }
    }
}
