import NIOCore

extension MessageBusStateMachine {
    // MARK: - Sending (spec §5.2)

    /// Adds a message to the outbox (the driver persisted it first) and starts its transfer unless its destination
    /// already has `transfersPerDestination` running. A message with the id of one still in the outbox replaces it.
    ///
    /// - Parameters:
    ///   - created, deadline: Unix seconds; the transfer gives up at `deadline` (now + retry duration for a new
    ///     message, the persisted deadline for one resumed after a restart).
    ///   - nowUnix: the current Unix time, to place `deadline` on the monotonic clock.
    public mutating func send(
        id: MessageID,
        isReply: Bool,
        destination: IPv6Address,
        topic: [UInt8],
        payload: ByteBuffer,
        created: Int64,
        deadline: Int64,
        nowUnix: Int64,
        now: MonotonicInstant
    ) throws(SendError) -> [MessageBusAction] {
        let size = payload.readableBytes
        guard size <= self.configuration.maximumMessageSize else {
            throw .messageTooLarge(size: size, limit: self.configuration.maximumMessageSize)
        }
        guard topic.count <= MessagePacket.maximumTopicByteCount else { throw .topicTooLong(topic.count) }
        var actions: [MessageBusAction] = []
        if let existing = self.outbox[id], !existing.phase.isFinal {
            // Checked first: a refused replacement leaves the original running.
            guard self.outboxBytes - existing.length + size <= self.configuration.maximumOutboxBytes else {
                throw .outboxFull
            }
            // Replaced, not given up: the receiver sees the new transfer's INIT under the same id.
            self.release(id, as: .aborted, now: now, into: &actions)
            // Drop only its own state change (the driver keeps the payload); the INIT of a queued message that
            // release started in its place must go out.
            actions.removeAll { action in
                if case .outgoingStateChanged(id, _) = action { true } else { false }
            }
        }
        guard self.outboxBytes + size <= self.configuration.maximumOutboxBytes else { throw .outboxFull }
        let remaining = Duration.seconds(max(0, deadline - nowUnix))
        self.outbox[id] = OutgoingTransfer(
            id: id,
            isReply: isReply,
            destination: destination,
            topic: topic,
            payload: payload,
            created: created,
            deadlineUnix: deadline,
            deadline: now + remaining,
            now: now,
            configuration: self.configuration
        )
        self.outboxBytes += size
        self.counters.messagesSent += 1
        if self.activeCount[destination, default: 0] < self.configuration.transfersPerDestination {
            self.begin(id, now: now, into: &actions)
        } else {
            self.queued[destination, default: []].append(id)
        }
        return actions
    }

    /// Remembers a message that finished before a restart, so its status stays available.
    public mutating func restoreFinished(
        id: MessageID,
        destination: IPv6Address,
        state: MessageState,
        length: Int,
        created: Int64,
        deadline: Int64,
        now: MonotonicInstant
    ) {
        var transfer = OutgoingTransfer(
            id: id, isReply: false, destination: destination, topic: [], payload: ByteBuffer(), created: created,
            deadlineUnix: deadline, deadline: now, now: now, configuration: self.configuration
        )
        transfer.finish(state == .read ? .read : state == .received ? .received : .aborted)
        transfer.length = length
        self.outbox[id] = transfer
        self.finishedOrder.append((id, now))
    }

    /// Starts the transfer of a message: INIT now, again with backoff until acknowledged.
    private mutating func begin(_ id: MessageID, now: MonotonicInstant, into actions: inout [MessageBusAction]) {
        guard var transfer = self.outbox.removeValue(forKey: id) else { return }
        transfer.start(now: now)
        self.outbox[id] = transfer
        self.active.insert(id)
        self.activeCount[transfer.destination, default: 0] += 1
        actions.append(.send(transfer.initial, to: transfer.destination))
        self.schedule(transfer.nextRetry)
    }

    /// Moves a running transfer to a final phase, frees its slot and starts the next queued message for the same
    /// destination.
    mutating func release(
        _ id: MessageID,
        as phase: OutgoingTransfer.Phase,
        now: MonotonicInstant,
        into actions: inout [MessageBusAction]
    ) {
        guard self.outbox[id]?.phase.isFinal == false, var transfer = self.outbox.removeValue(forKey: id) else {
            return
        }
        let wasRunning = self.active.remove(id) != nil
        if !wasRunning {
            self.queued[transfer.destination]?.removeAll { $0 == id }
        }
        self.outboxBytes -= transfer.length
        transfer.finish(phase)
        self.outbox[id] = transfer
        self.finishedOrder.append((id, now))
        actions.append(.outgoingStateChanged(id, transfer.state))
        guard wasRunning else { return }
        let destination = transfer.destination
        self.activeCount[destination, default: 1] -= 1
        if self.activeCount[destination] == 0 { self.activeCount[destination] = nil }
        if var waiting = self.queued[destination], !waiting.isEmpty {
            let next = waiting.removeFirst()
            self.queued[destination] = waiting.isEmpty ? nil : waiting
            self.begin(next, now: now, into: &actions)
        }
    }

    /// Routes changed: transfers waiting in backoff for a destination that is now reachable try again at once, so a
    /// node that comes back gets its queued messages without waiting out the retry interval.
    public mutating func retryReachable(
        _ isReachable: (IPv6Address) -> Bool,
        now: MonotonicInstant
    ) -> [MessageBusAction] {
        var actions: [MessageBusAction] = []
        for id in self.active {
            guard let transfer = self.outbox[id], transfer.phase == .initializing,
                transfer.retryInterval > self.configuration.minimumRetransmitInterval, isReachable(transfer.destination)
            else { continue }
            self.outbox[id]?.nextRetry = now
            self.outbox[id]?.retryInterval = self.configuration.minimumRetransmitInterval
            self.advance(id, now: now, into: &actions)
        }
        return actions
    }

    /// Does what is due for one running transfer: deadline, INIT retry, chunks, DONE, restart after a stall.
    mutating func advance(_ id: MessageID, now: MonotonicInstant, into actions: inout [MessageBusAction]) {
        guard let deadline = self.outbox[id]?.deadline else { return }
        if now >= deadline, let destination = self.outbox[id]?.destination {
            actions.append(.send(MessagePacket(id: id, body: .aborted), to: destination))
            self.counters.messagesAborted += 1
            self.release(id, as: .aborted, now: now, into: &actions)
            return
        }
        // Taken out of the table while it changes, so its arrays are not copied on write.
        guard var transfer = self.outbox.removeValue(forKey: id) else { return }
        defer { self.outbox[id] = transfer }
        switch transfer.phase {
        case .initializing:
            if now >= transfer.nextRetry {
                actions.append(.send(transfer.initial, to: transfer.destination))
                transfer.backOff(now: now)
                self.counters.retransmissions += 1
            }
            self.schedule(transfer.nextRetry)
        case .sending:
            if now.duration(since: transfer.lastHeard) >= self.configuration.stallTimeout {
                // The receiver stopped answering: it may have restarted and forgotten the transfer.
                transfer.start(now: now)
                actions.append(.send(transfer.initial, to: transfer.destination))
                actions.append(.outgoingStateChanged(id, transfer.state))
                self.counters.restartedTransfers += 1
                self.schedule(transfer.nextRetry)
            } else {
                self.sendDue(&transfer, now: now, into: &actions)
            }
        case .queued, .received, .read, .aborted:
            return
        }
        self.schedule(transfer.deadline)
    }

    /// Sends the chunks the window allows and those whose retransmission timeout passed; once every chunk was sent,
    /// DONE (first optimistically right after the last chunk, then with backoff once all are acknowledged).
    mutating func sendDue(_ transfer: inout OutgoingTransfer, now: MonotonicInstant, into actions: inout [MessageBusAction]) {
        let (due, retransmitted) = transfer.chunksDue(now: now)
        for index in due {
            actions.append(.send(transfer.chunk(index), to: transfer.destination))
        }
        self.counters.retransmissions += UInt64(retransmitted)
        let allSent = transfer.nextUnsent == transfer.plan.count
        if allSent, transfer.doneSentAt == nil || (transfer.allAcked && now >= transfer.nextRetry) {
            actions.append(.send(transfer.done, to: transfer.destination))
            if transfer.doneSentAt != nil { transfer.backOff(now: now) } else {
                transfer.nextRetry = now + transfer.retransmitTimeout
            }
            transfer.doneSentAt = now
        }
        if let oldest = transfer.oldestInFlight { self.schedule(oldest + transfer.retransmitTimeout) }
        if transfer.allAcked { self.schedule(transfer.nextRetry) }
        self.schedule(transfer.lastHeard + self.configuration.stallTimeout)
    }

    /// An acknowledgement or READ from a receiver (packets with the ACK flag, and READ).
    mutating func receiveAcknowledgement(
        _ packet: MessagePacket,
        from source: IPv6Address,
        now: MonotonicInstant,
        into actions: inout [MessageBusAction]
    ) {
        guard let phase = self.outbox[packet.id]?.phase, self.outbox[packet.id]?.destination == source else {
            self.counters.unknownTransfers += 1
            return
        }
        switch packet.body {
        case .initialAck:
            guard phase == .initializing, var transfer = self.outbox.removeValue(forKey: packet.id) else { return }
            transfer.phase = .sending
            transfer.lastHeard = now
            transfer.retryInterval = self.configuration.minimumRetransmitInterval
            actions.append(.outgoingStateChanged(packet.id, transfer.state))
            self.sendDue(&transfer, now: now, into: &actions)
            self.outbox[packet.id] = transfer
        case .chunkAck(let index, _, _):
            guard phase == .sending, var transfer = self.outbox.removeValue(forKey: packet.id) else { return }
            if index < UInt64(transfer.plan.count), transfer.acknowledge(chunk: Int(index), now: now) {
                self.sendDue(&transfer, now: now, into: &actions)
            }
            self.outbox[packet.id] = transfer
        case .doneAck:
            guard phase == .sending || phase == .initializing else { return }
            self.release(packet.id, as: .received, now: now, into: &actions)
        case .read:
            switch phase {
            case .received:
                self.outbox[packet.id]?.phase = .read
                actions.append(.outgoingStateChanged(packet.id, .read))
            case .initializing, .sending, .queued:
                self.release(packet.id, as: .read, now: now, into: &actions)
            case .read, .aborted:
                break
            }
        case .initial, .chunk, .done, .aborted:
            break
        }
    }
}
