import NIOCore

/// The message bus (spec §5.2–5.4) as a pure state machine: the outbox of messages on their way to other nodes and
/// the transfers arriving from them. It does no I/O: packets, time and persistence confirmations come in as calls,
/// and what to send, deliver or persist goes out as `MessageBusAction`s.
///
/// Beyond upstream: many messages per destination in flight at once (up to `transfersPerDestination`), a window of
/// chunks with RTT-based retransmission instead of one burst, retries with backoff until a configurable deadline
/// (24 h) instead of 5 minutes, transfers that restart when the receiver stops answering, and duplicate suppression by
/// (source, id) so a message is delivered once even when its sender retries across restarts.
public struct MessageBusStateMachine: Sendable {
    /// Why `send` refused a message.
    public enum SendError: Error, Hashable, Sendable {
        case messageTooLarge(size: Int, limit: Int)
        case topicTooLong(Int)
        /// The outbox already holds `maximumOutboxBytes` of unfinished payloads.
        case outboxFull
    }

    public let configuration: MessageBusConfiguration
    public var topicPolicy: TopicPolicy
    public internal(set) var counters = MessageBusCounters()

    /// Every outgoing message still sending or finished and remembered for status.
    var outbox: [MessageID: OutgoingTransfer] = [:]
    /// Messages whose transfer runs (initializing or sending).
    var active: Set<MessageID> = []
    var activeCount: [IPv6Address: Int] = [:]
    var queued: [IPv6Address: [MessageID]] = [:]
    var outboxBytes = 0
    /// Finished messages in the order they finished, for retention.
    var finishedOrder: [(id: MessageID, at: MonotonicInstant)] = []
    var finishedHead = 0

    /// Transfers arriving, by (source, id).
    var incoming: [TransferKey: IncomingTransfer] = [:]
    var incomingBytes = 0
    /// Verified messages the driver is persisting.
    var completing: Set<DeliveryKey> = []
    /// Delivered messages, remembered to refuse duplicates.
    var delivered: [DeliveryKey: MonotonicInstant] = [:]
    var deliveredOrder: [(key: DeliveryKey, at: MonotonicInstant)] = []
    var deliveredHead = 0

    /// When `tick` next has something to do.
    public internal(set) var nextWakeup: MonotonicInstant?
    var lastHousekeeping = MonotonicInstant.zero

    struct TransferKey: Hashable, Sendable {
        var source: IPv6Address
        var id: MessageID
    }

    /// - Parameter delivered: messages delivered before (from the store), so they are not delivered again.
    public init(
        configuration: MessageBusConfiguration,
        topicPolicy: TopicPolicy = TopicPolicy(),
        delivered: [DeliveryKey] = [],
        now: MonotonicInstant
    ) {
        self.configuration = configuration
        self.topicPolicy = topicPolicy
        for key in delivered { self.remember(delivered: key, now: now) }
        self.lastHousekeeping = now
    }

    // MARK: - Status

    /// The status of an outgoing message, `nil` if unknown or forgotten.
    public func status(of id: MessageID) -> MessageStatus? {
        guard let transfer = self.outbox[id] else { return nil }
        return MessageStatus(
            destination: transfer.destination,
            state: transfer.state,
            created: transfer.created,
            deadline: transfer.deadlineUnix,
            length: UInt64(transfer.length)
        )
    }

    /// Whether `key` was delivered already (or is being persisted).
    public func isDelivered(_ key: DeliveryKey) -> Bool {
        self.delivered[key] != nil || self.completing.contains(key)
    }

    /// Incoming transfers in progress and the bytes reserved for them.
    public var incomingUsage: (transfers: Int, bytes: Int) { (self.incoming.count, self.incomingBytes) }

    /// Unfinished outgoing messages and their payload bytes.
    public var outboxUsage: (messages: Int, bytes: Int) {
        // Unfinished messages are exactly the running and the queued ones; the outbox also remembers finished ones.
        (self.active.count + self.queued.values.reduce(0) { $0 + $1.count }, self.outboxBytes)
    }

    // MARK: - Timers

    mutating func schedule(_ instant: MonotonicInstant) {
        if let current = self.nextWakeup, current <= instant { return }
        self.nextWakeup = instant
    }

    /// Retransmissions, deadlines, restarts of stalled transfers, and (once a second) expiry of idle incoming
    /// transfers and of remembered finished messages and delivery keys.
    public mutating func tick(now: MonotonicInstant) -> [MessageBusAction] {
        var actions: [MessageBusAction] = []
        self.nextWakeup = nil
        for id in self.active {
            self.advance(id, now: now, into: &actions)
        }
        if now.duration(since: self.lastHousekeeping) >= .seconds(1) {
            self.lastHousekeeping = now
            self.expireIncoming(now: now)
            self.expireQueued(now: now, into: &actions)
            self.expireFinished(now: now)
            self.expireDelivered(now: now)
        }
        if !self.incoming.isEmpty || !self.active.isEmpty || !self.queued.isEmpty
            || self.finishedHead < self.finishedOrder.count
        {
            self.schedule(self.lastHousekeeping + .seconds(1))
        }
        return actions
    }

    /// Gives up messages whose deadline passed while they waited for a transfer slot (nothing was sent for them, so
    /// no ABORTED goes out).
    private mutating func expireQueued(now: MonotonicInstant, into actions: inout [MessageBusAction]) {
        for ids in self.queued.values {
            for id in ids where self.outbox[id].map({ now >= $0.deadline }) == true {
                self.counters.messagesAborted += 1
                self.release(id, as: .aborted, now: now, into: &actions)
            }
        }
    }

    private mutating func expireIncoming(now: MonotonicInstant) {
        let timeout = self.configuration.incomingIdleTimeout
        for (key, transfer) in self.incoming where now.duration(since: transfer.lastHeard) >= timeout {
            self.dropIncoming(key)
        }
    }

    private mutating func expireFinished(now: MonotonicInstant) {
        let retention = self.configuration.finishedRetention
        while self.finishedHead < self.finishedOrder.count {
            let (id, at) = self.finishedOrder[self.finishedHead]
            let remembered = self.finishedOrder.count - self.finishedHead
            guard now.duration(since: at) >= retention || remembered > self.configuration.maximumFinishedMessages
            else { break }
            if let transfer = self.outbox[id], transfer.phase.isFinal { self.outbox[id] = nil }
            self.finishedHead += 1
        }
        Self.compact(&self.finishedOrder, head: &self.finishedHead)
    }

    private mutating func expireDelivered(now: MonotonicInstant) {
        let retention = self.configuration.deliveredRetention
        while self.deliveredHead < self.deliveredOrder.count {
            let (key, at) = self.deliveredOrder[self.deliveredHead]
            let remembered = self.deliveredOrder.count - self.deliveredHead
            guard now.duration(since: at) >= retention || remembered > self.configuration.maximumDeliveredKeys
            else { break }
            if self.delivered[key] == at { self.delivered[key] = nil }
            self.deliveredHead += 1
        }
        Self.compact(&self.deliveredOrder, head: &self.deliveredHead)
    }

    /// Drops the consumed front of a FIFO array once it is most of the array.
    static func compact<Element>(_ queue: inout [Element], head: inout Int) {
        guard head > 1024, head * 2 > queue.count else { return }
        queue.removeFirst(head)
        head = 0
    }

    mutating func remember(delivered key: DeliveryKey, now: MonotonicInstant) {
        self.delivered[key] = now
        self.deliveredOrder.append((key, now))
    }
}
