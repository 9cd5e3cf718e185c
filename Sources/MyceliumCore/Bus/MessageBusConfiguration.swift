/// The message bus's limits and timers (spec §5.2–5.3 for upstream's; ours where they differ).
public struct MessageBusConfiguration: Hashable, Sendable {
    /// The largest message sent or accepted (a larger INIT is not acknowledged). Upstream has no limit of its own.
    public var maximumMessageSize = 64 << 20
    /// How long a sender keeps trying to deliver (upstream: a fixed 5 minutes).
    public var retryDuration = Duration.seconds(24 * 3600)
    /// Chunks sent but not yet acknowledged, per message (upstream sends every chunk at once).
    public var sendWindow = 128
    /// Messages of one destination in transfer at the same time; the rest wait their turn.
    public var transfersPerDestination = 16
    /// Payload bytes the outbox holds in memory for unfinished messages.
    public var maximumOutboxBytes = 1 << 30
    /// The first retransmission timeout, and its floor (upstream resends every 100 ms).
    public var minimumRetransmitInterval = Duration.milliseconds(100)
    /// Retransmissions back off up to this interval (an unreachable destination gets a packet this often).
    public var maximumRetransmitInterval = Duration.seconds(5)
    /// A transfer with chunks outstanding that hears nothing for this long starts over with INIT (the receiver may
    /// have restarted and forgotten it).
    public var stallTimeout = Duration.seconds(10)
    /// How long a finished message's status stays available (upstream: 5 minutes).
    public var finishedRetention = Duration.seconds(24 * 3600)
    /// Finished messages remembered for status at most.
    public var maximumFinishedMessages = 100_000

    /// Incomplete incoming messages held at once, and the bytes reserved for them.
    public var maximumIncomingTransfers = 1024
    public var maximumIncomingBytes = 256 << 20
    /// An incomplete incoming message that hears nothing for this long is dropped.
    public var incomingIdleTimeout = Duration.seconds(120)
    /// How long the receiver remembers delivered message ids to refuse duplicates, and how many at most.
    public var deliveredRetention = Duration.seconds(7 * 24 * 3600)
    public var maximumDeliveredKeys = 200_000

    public init() {}
}
