import MyceliumCore
import MyceliumCrypto
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A complete ``MessageBus`` in memory, for tests of the APIs and of gateways: one node with an identity and no
/// network.
///
/// - A message to this node's own address or key lands in its own inbox (sent by itself, with a fresh id); its status
///   goes `.received`, then `.read` once received from the inbox.
/// - A message to a public key or to any overlay address is recorded in ``sent`` with status `.pending`; an address
///   outside the overlay is `.unknownDestination`, as for the node's bus.
/// - ``deliver(_:topic:from:replyingTo:)`` plays a remote sender: the message passes the topic policy (spec §5.4)
///   unless it is a reply, and goes to a sender waiting for that reply before the inbox (spec §5.3).
/// - `receive` really long-polls, and `send` with a reply timeout really waits for the reply (parked continuations,
///   released on every change; no polling, no unstructured tasks).
/// - Limits: payloads over `maximumMessageSize` are `.messageTooLarge`, topics over 255 bytes `.topicTooLong`.
public final class InMemoryMessageBus: MessageBus {
    /// A message `send` or `reply` accepted.
    public struct SentMessage: Hashable, Sendable {
        public var id: MessageID
        public var message: OutgoingMessage
        /// The received message this answers, for replies.
        public var inReplyTo: MessageID?

        public init(id: MessageID, message: OutgoingMessage, inReplyTo: MessageID?) {
            self.id = id
            self.message = message
            self.inReplyTo = inReplyTo
        }
    }

    /// Waits are capped at this, so a huge timeout from an API client cannot overflow the clock.
    public static let longestWait = Duration.seconds(366 * 24 * 3600)
    /// The deadline reported in a message's status: upstream's 5-minute try duration (spec §5.2).
    public static let tryDuration: Int64 = 300

    public let maximumMessageSize: Int
    public let publicKey: X25519.PublicKey
    public let address: IPv6Address
    private let now: @Sendable () -> Int64
    private let state: Mutex<InMemoryMessageBusState>

    /// - Parameters:
    ///   - publicKey: the node's key (a fresh one if `nil`); its overlay address is the node's address.
    ///   - now: Unix time in seconds, for statuses.
    public init(
        publicKey: X25519.PublicKey? = nil,
        maximumMessageSize: Int = MessageBusConfiguration().maximumMessageSize,
        topicPolicy: TopicPolicy = TopicPolicy(),
        now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) {
        let key = publicKey ?? X25519.SecretKey.generate().publicKey
        self.publicKey = key
        self.address = key.overlayAddress
        self.maximumMessageSize = maximumMessageSize
        self.now = now
        self.state = Mutex(InMemoryMessageBusState(policy: topicPolicy))
    }

    // MARK: Test controls

    /// Everything sent so far, oldest first (replies included).
    public var sent: [SentMessage] { self.state.withLock { $0.sent } }

    /// Messages waiting in the inbox, oldest first.
    public var inbox: [ReceivedMessage] { self.state.withLock { $0.inbox } }

    /// Moves a sent message to `state` (as acknowledgements from its receiver would).
    public func setState(_ state: MessageState, of id: MessageID) {
        self.state.withLock { $0.outbox[id]?.state = state }
    }

    /// A message from `sender` arrives (a reply to `replyingTo` if given, else a new message with a fresh id). Returns
    /// it, or `nil` if the topic policy refused it.
    @discardableResult
    public func deliver(
        _ payload: [UInt8],
        topic: [UInt8] = [],
        from sender: X25519.PublicKey,
        replyingTo: MessageID? = nil
    ) -> ReceivedMessage? {
        let message = ReceivedMessage(
            id: replyingTo ?? Self.freshID(), source: sender.overlayAddress, sourceKey: sender,
            destination: self.address, destinationKey: self.publicKey, topic: replyingTo == nil ? topic : [],
            payload: payload
        )
        let (accepted, released) = self.state.withLock { state in
            let accepted = state.accept(message, isReply: replyingTo != nil)
            return (accepted, accepted ? state.signal() : [])
        }
        released.forEach { $0.resume() }
        return accepted ? message : nil
    }

    // MARK: MessageBus

    public func send(_ message: OutgoingMessage, replyTimeout: Duration?) async throws(MessageBusError) -> PushOutcome {
        try self.checkLimits(message, topic: message.topic)
        let id = Self.freshID()
        let created = self.now()
        let released = try self.state.withLock { state throws(MessageBusError) in
            let address = try self.resolve(message.destination)
            state.sent.append(SentMessage(id: id, message: message, inReplyTo: nil))
            state.outbox[id] = MessageStatus(
                destination: address, state: .pending, created: created, deadline: created + Self.tryDuration,
                length: UInt64(message.payload.count)
            )
            if replyTimeout != nil { state.replyWaiters.insert(id) }
            if address == self.address {
                let copy = ReceivedMessage(
                    id: id, source: self.address, sourceKey: self.publicKey, destination: address,
                    destinationKey: self.publicKey, topic: message.topic, payload: message.payload
                )
                if state.accept(copy, isReply: false) { state.outbox[id]?.state = .received }
            }
            return state.signal()
        }
        released.forEach { $0.resume() }
        guard let replyTimeout else { return .accepted(id) }
        return await self.waitForReply(to: id, until: Self.deadline(after: replyTimeout))
    }

    public func reply(to id: MessageID, with message: OutgoingMessage) async throws(MessageBusError) {
        try self.checkLimits(message, topic: [])
        let released = try self.state.withLock { state throws(MessageBusError) in
            guard state.receivedIDs.contains(id) else { throw .unknownMessage(id) }
            let address = try self.resolve(message.destination)
            state.sent.append(SentMessage(id: id, message: message, inReplyTo: id))
            if address == self.address {
                let copy = ReceivedMessage(
                    id: id, source: self.address, sourceKey: self.publicKey, destination: address,
                    destinationKey: self.publicKey, topic: [], payload: message.payload
                )
                _ = state.accept(copy, isReply: true)
            }
            return state.signal()
        }
        released.forEach { $0.resume() }
    }

    public func receive(
        peek: Bool,
        timeout: Duration,
        topic: [UInt8]?
    ) async throws(MessageBusError) -> ReceivedMessage? {
        let deadline = Self.deadline(after: timeout)
        while true {
            let (message, generation) = self.state.withLock { ($0.take(peek: peek, topic: topic), $0.generation) }
            if let message { return message }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return nil }
            await self.waitForChange(after: generation, until: deadline)
        }
    }

    public func status(of id: MessageID) async throws(MessageBusError) -> MessageStatus? {
        self.state.withLock { $0.outbox[id] }
    }

    // MARK: Topic policy

    public func topicPolicy() async throws(MessageBusError) -> TopicPolicy {
        self.state.withLock { $0.policy }
    }

    public func setDefaultTopicAction(accept: Bool) async throws(MessageBusError) {
        self.state.withLock { $0.policy.defaultAccepts = accept }
    }

    public func addTopic(_ topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { policy throws(TopicPolicy.Error) in try policy.addTopic(topic) }
    }

    public func removeTopic(_ topic: [UInt8]) async throws(MessageBusError) {
        self.state.withLock { $0.policy.removeTopic(topic) }
    }

    public func addTopicSource(_ subnet: Subnet, to topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { policy throws(TopicPolicy.Error) in try policy.addSource(subnet, to: topic) }
    }

    public func removeTopicSource(_ subnet: Subnet, from topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { policy throws(TopicPolicy.Error) in try policy.removeSource(subnet, from: topic) }
    }

    public func setTopicForwardSocket(_ path: String?, for topic: [UInt8]) async throws(MessageBusError) {
        try self.changePolicy { policy throws(TopicPolicy.Error) in try policy.setForwardSocket(path, for: topic) }
    }

    // MARK: Internals

    private func changePolicy(
        _ change: (inout TopicPolicy) throws(TopicPolicy.Error) -> Void
    ) throws(MessageBusError) {
        do {
            try self.state.withLock { state throws(TopicPolicy.Error) in try change(&state.policy) }
        } catch {
            switch error {
            case .unknownTopic: throw .unknownTopic
            case .topicTooLong(let count): throw .topicTooLong(count)
            }
        }
    }

    private func checkLimits(_ message: OutgoingMessage, topic: [UInt8]) throws(MessageBusError) {
        guard topic.count <= OutgoingMessage.maximumTopicByteCount else { throw .topicTooLong(topic.count) }
        guard message.payload.count <= self.maximumMessageSize else {
            throw .messageTooLarge(size: message.payload.count, limit: self.maximumMessageSize)
        }
    }

    /// The address of a destination: any key's, or any overlay address (as the node's bus, which queues messages for
    /// nodes it has not seen yet).
    private func resolve(_ destination: MessageDestination) throws(MessageBusError) -> IPv6Address {
        switch destination {
        case .publicKey(let key): return key.overlayAddress
        case .ip(let address):
            guard Subnet.overlay.contains(address) else { throw .unknownDestination(address) }
            return address
        }
    }

    private func waitForReply(to id: MessageID, until deadline: ContinuousClock.Instant) async -> PushOutcome {
        while true {
            let (reply, generation) = self.state.withLock { ($0.replies.removeValue(forKey: id), $0.generation) }
            if let reply {
                self.state.withLock { _ = $0.replyWaiters.remove(id) }
                return .reply(reply)
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                // Stop waiting; a reply that comes later goes to the inbox.
                let late = self.state.withLock { state in
                    state.replyWaiters.remove(id)
                    return state.replies.removeValue(forKey: id)
                }
                return late.map(PushOutcome.reply) ?? .replyTimedOut(id)
            }
            await self.waitForChange(after: generation, until: deadline)
        }
    }

    /// Returns once the state changed after `generation`, the deadline passed, or the task was cancelled.
    private func waitForChange(after generation: UInt64, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.parkUntilChange(after: generation) }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    private func parkUntilChange(after generation: UInt64) async {
        let token = self.state.withLock { $0.registerWaiter() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { $0.park(token, continuation, after: generation) }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.cancelWaiter(token) }?.resume()
        }
        self.state.withLock { _ = $0.waiters.removeValue(forKey: token) }
    }

    private static func deadline(after timeout: Duration) -> ContinuousClock.Instant {
        ContinuousClock.now.advanced(by: max(.zero, min(timeout, Self.longestWait)))
    }

    private static func freshID() -> MessageID {
        var generator = SystemRandomNumberGenerator()
        return MessageID(using: &generator)
    }
}
