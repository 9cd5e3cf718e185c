import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import NIOCore

extension MessageBusDriver: MessageBus {
    public var maximumMessageSize: Int { self.configuration.bus.maximumMessageSize }

    public func send(_ message: OutgoingMessage, replyTimeout: Duration?) async throws(MessageBusError) -> PushOutcome {
        let destination = try self.resolve(message.destination)
        var random = SecureRandom()
        let id = MessageID(using: &random)
        if let replyTimeout {
            return try await self.sendAwaitingReply(message, id: id, destination: destination, timeout: replyTimeout)
        }
        try await self.enqueueOutgoing(message, id: id, isReply: false, destination: destination)
        return .accepted(id)
    }

    public func reply(to id: MessageID, with message: OutgoingMessage) async throws(MessageBusError) {
        let destination = try self.resolve(message.destination)
        var reply = message
        reply.topic = []
        try await self.enqueueOutgoing(reply, id: id, isReply: true, destination: destination)
    }

    public func receive(peek: Bool, timeout: Duration, topic: [UInt8]?) async throws(MessageBusError) -> ReceivedMessage? {
        let immediate = self.state.withLock { state -> (message: StoredIncomingMessage?, waiterID: UInt64) in
            state.nextWaiterID += 1
            return (state.inbox.take(topic: topic, peek: peek), state.nextWaiterID)
        }
        if let message = immediate.message {
            self.consumed(message, peek: peek)
            return message.message
        }
        guard timeout > .zero else { return nil }
        let waiterID = immediate.waiterID
        let message = await withTaskGroup(of: Void.self) { group -> StoredIncomingMessage? in
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.expireWaiter(waiterID)
            }
            let message = await withCheckedContinuation { continuation in
                let found = self.state.withLock { state -> StoredIncomingMessage? in
                    if let message = state.inbox.take(topic: topic, peek: peek) { return message }
                    state.inbox.wait(
                        MessageInbox.Waiter(id: waiterID, topic: topic, peek: peek, continuation: continuation)
                    )
                    return nil
                }
                if let found { continuation.resume(returning: found) }
            }
            group.cancelAll()
            return message
        }
        guard let message else { return nil }
        self.consumed(message, peek: peek)
        return message.message
    }

    public func status(of id: MessageID) async throws(MessageBusError) -> MessageStatus? {
        self.state.withLock { $0.machine.status(of: id) }
    }

    // MARK: Topic policy

    public func topicPolicy() async throws(MessageBusError) -> TopicPolicy {
        self.state.withLock { $0.machine.topicPolicy }
    }

    public func setDefaultTopicAction(accept: Bool) async throws(MessageBusError) {
        self.state.withLock { $0.machine.topicPolicy.defaultAccepts = accept }
    }

    public func addTopic(_ topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { (policy) throws(TopicPolicy.Error) in try policy.addTopic(topic) }
    }

    public func removeTopic(_ topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { (policy) throws(TopicPolicy.Error) in policy.removeTopic(topic) }
    }

    public func addTopicSource(_ subnet: Subnet, to topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { (policy) throws(TopicPolicy.Error) in try policy.addSource(subnet, to: topic) }
    }

    public func removeTopicSource(_ subnet: Subnet, from topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { (policy) throws(TopicPolicy.Error) in try policy.removeSource(subnet, from: topic) }
    }

    public func setTopicForwardSocket(_ path: String?, for topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { (policy) throws(TopicPolicy.Error) in try policy.setForwardSocket(path, for: topic) }
    }

    private func changePolicy(
        _ change: (inout TopicPolicy) throws(TopicPolicy.Error) -> Void
    ) throws(MessageBusError) {
        let outcome = self.state.withLock { state -> Result<Void, TopicPolicy.Error> in
            do throws(TopicPolicy.Error) {
                try change(&state.machine.topicPolicy)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success: return
        case .failure(.unknownTopic): throw .unknownTopic
        case .failure(.topicTooLong(let count)): throw .topicTooLong(count)
        }
    }

    // MARK: Sending

    /// The address of a destination. An IP destination only has to be in the overlay: its key is not needed to
    /// queue the message (upstream also accepts it), and the data plane seals with the key its route announces once
    /// there is one — so messages to a node that is offline, even one never seen, wait in the outbox until it appears.
    private func resolve(_ destination: MessageDestination) throws(MessageBusError) -> IPv6Address {
        switch destination {
        case .publicKey(let key):
            return key.overlayAddress
        case .ip(let address):
            guard Subnet.overlay.contains(address) else { throw .unknownDestination(address) }
            return address
        }
    }

    /// Checks, persists and hands a message to the state machine, which starts its transfer.
    private func enqueueOutgoing(
        _ message: OutgoingMessage,
        id: MessageID,
        isReply: Bool,
        destination: IPv6Address
    ) async throws(MessageBusError) {
        let limit = self.configuration.bus.maximumMessageSize
        guard message.topic.count <= OutgoingMessage.maximumTopicByteCount else {
            throw .topicTooLong(message.topic.count)
        }
        guard message.payload.count <= limit else { throw .messageTooLarge(size: message.payload.count, limit: limit) }
        let hasRoom = self.state.withLock {
            $0.machine.outboxUsage.bytes + message.payload.count <= self.configuration.bus.maximumOutboxBytes
        }
        guard hasRoom else { throw .unavailable("the outbox is full; try again later") }
        let created = Self.unixNow()
        let deadline = created + self.configuration.bus.retryDuration.components.seconds
        let stored = StoredOutgoingMessage(
            id: id, isReply: isReply, destination: destination, topic: message.topic, payload: message.payload,
            length: UInt64(message.payload.count), created: created, deadline: deadline, state: .pending
        )
        if case .failure(let error) = await self.persist(.saveOutgoing(stored)) {
            throw .unavailable("could not store the message: \(error)")
        }
        let outcome = self.state.withLock { state -> Result<[MessageBusAction], MessageBusStateMachine.SendError> in
            do throws(MessageBusStateMachine.SendError) {
                return .success(
                    try state.machine.send(
                        id: id, isReply: isReply, destination: destination, topic: message.topic,
                        payload: ByteBuffer(bytes: message.payload), created: created, deadline: deadline,
                        nowUnix: created, now: RouterDriver.now()
                    )
                )
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let actions):
            self.execute(actions)
        case .failure(let error):
            self.enqueue(.deleteOutgoing(id: id))
            switch error {
            case .messageTooLarge(let size, let limit): throw .messageTooLarge(size: size, limit: limit)
            case .topicTooLong(let count): throw .topicTooLong(count)
            case .outboxFull: throw .unavailable("the outbox is full; try again later")
            }
        }
    }

    /// Sends and waits up to `timeout` for the reply (spec §5.5 `reply_timeout`). The reply slot exists before the
    /// message leaves, so a fast reply is kept until the wait begins.
    private func sendAwaitingReply(
        _ message: OutgoingMessage,
        id: MessageID,
        destination: IPv6Address,
        timeout: Duration
    ) async throws(MessageBusError) -> PushOutcome {
        self.state.withLock { $0.replySlots[id] = .expecting }
        do throws(MessageBusError) {
            try await self.enqueueOutgoing(message, id: id, isReply: false, destination: destination)
        } catch {
            _ = self.state.withLock { $0.replySlots.removeValue(forKey: id) }
            throw error
        }
        let reply = await withTaskGroup(of: Void.self) { group -> ReceivedMessage? in
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.expireReplySlot(id)
            }
            let reply = await withCheckedContinuation { continuation in
                let arrived = self.state.withLock { state -> ReplySlot? in
                    switch state.replySlots[id] {
                    case .expecting?:
                        state.replySlots[id] = .waiting(continuation)
                        return nil
                    case let slot?:
                        state.replySlots[id] = nil
                        return slot
                    case nil:
                        return .expired
                    }
                }
                switch arrived {
                case .arrived(let message)?: continuation.resume(returning: message)
                case .expired?, .expecting?, .waiting?: continuation.resume(returning: nil)
                case nil: break
                }
            }
            group.cancelAll()
            return reply
        }
        guard let reply else { return .replyTimedOut(id) }
        return .reply(reply)
    }

    private func expireReplySlot(_ id: MessageID) {
        let slot = self.state.withLock { $0.replySlots.removeValue(forKey: id) }
        if case .waiting(let continuation)? = slot { continuation.resume(returning: nil) }
    }

    func expireWaiter(_ id: UInt64) {
        let waiter = self.state.withLock { $0.inbox.removeWaiter(id: id) }
        waiter?.continuation.resume(returning: nil)
    }
}

/// A `send` waiting for its reply: registered before the message leaves, so a reply that arrives before the wait
/// begins is kept.
enum ReplySlot {
    case expecting
    case waiting(CheckedContinuation<ReceivedMessage?, Never>)
    case arrived(ReceivedMessage)
    case expired
}
