import NIOCore

/// One message on its way out (spec §5.2): INIT until acknowledged, then a window of chunks, then DONE until
/// acknowledged; READ makes it read. Retransmissions back off; a transfer that stops hearing from its receiver starts
/// over with INIT.
struct OutgoingTransfer: Sendable {
    enum Phase: Hashable, Sendable {
        /// Waiting for its turn (too many transfers to the same destination).
        case queued
        /// INIT sent, not acknowledged yet.
        case initializing
        /// Chunks and then DONE on their way.
        case sending
        case received
        case read
        case aborted

        var isFinal: Bool {
            switch self {
            case .queued, .initializing, .sending: false
            case .received, .read, .aborted: true
            }
        }
    }

    let id: MessageID
    let isReply: Bool
    let destination: IPv6Address
    let topic: [UInt8]
    /// Dropped (empty) once the transfer is final.
    private(set) var payload: ByteBuffer
    var length: Int
    let plan: MessageChunkPlan
    /// BLAKE3 of the payload, for DONE; computed once.
    let checksum: MessageChecksum
    /// Unix seconds, for the status API.
    let created: Int64
    let deadlineUnix: Int64
    let deadline: MonotonicInstant

    var phase: Phase = .queued
    /// Acknowledged chunks.
    private(set) var acked: [Bool]
    private(set) var ackedCount = 0
    /// Sent, unacknowledged chunks and when they were last sent.
    private(set) var inFlight: [Int: MonotonicInstant] = [:]
    /// Chunks never sent in this attempt start here (chunks below were sent at least once).
    private(set) var nextUnsent = 0
    /// When DONE last went out in this attempt.
    var doneSentAt: MonotonicInstant?
    /// When INIT or DONE goes out again, and the interval after that.
    var nextRetry: MonotonicInstant = .zero
    var retryInterval: Duration
    /// The last time the receiver acknowledged anything.
    var lastHeard: MonotonicInstant
    /// Smoothed round-trip estimate (RFC 6298), `nil` before the first sample.
    private var smoothedRTT: Duration?
    private var rttVariance = Duration.zero
    let configuration: MessageBusConfiguration

    init(
        id: MessageID,
        isReply: Bool,
        destination: IPv6Address,
        topic: [UInt8],
        payload: ByteBuffer,
        created: Int64,
        deadlineUnix: Int64,
        deadline: MonotonicInstant,
        now: MonotonicInstant,
        configuration: MessageBusConfiguration
    ) {
        self.id = id
        self.isReply = isReply
        self.destination = destination
        self.topic = topic
        self.payload = payload
        self.length = payload.readableBytes
        self.plan = MessageChunkPlan(length: payload.readableBytes)
        self.checksum = payload.withUnsafeReadableBytes { MessageChecksum(hashing: $0) }
        self.created = created
        self.deadlineUnix = deadlineUnix
        self.deadline = deadline
        self.acked = Array(repeating: false, count: self.plan.count)
        self.retryInterval = configuration.minimumRetransmitInterval
        self.lastHeard = now
        self.configuration = configuration
    }

    /// The retransmission timeout for chunks: SRTT + 4·RTTVAR, within the configured bounds.
    var retransmitTimeout: Duration {
        guard let smoothedRTT else { return self.configuration.minimumRetransmitInterval }
        let timeout = smoothedRTT + self.rttVariance * 4
        let bounded = min(
            max(timeout, self.configuration.minimumRetransmitInterval), self.configuration.maximumRetransmitInterval
        )
        // Whole nanoseconds, like the clock: the smoothing divides by 8 and 4, and a fractional timeout would put the
        // wakeup `sentAt + timeout` (truncated) a fraction before the chunk is due, so it would fire again and again.
        return .nanoseconds(bounded.nanosecondsClamped)
    }

    var state: MessageState {
        switch self.phase {
        case .queued, .initializing: .pending
        case .sending:
            .sending(pending: self.plan.count - self.nextUnsent, sent: self.inFlight.count, acked: self.ackedCount)
        case .received: .received
        case .read: .read
        case .aborted: .aborted
        }
    }

    var allAcked: Bool { self.ackedCount == self.plan.count }

    // MARK: Packets

    var initial: MessagePacket {
        MessagePacket(id: self.id, body: .initial(length: UInt64(self.length), topic: self.topic, isReply: self.isReply))
    }

    var done: MessagePacket {
        MessagePacket(
            id: self.id,
            body: .done(chunkCount: UInt64(self.plan.count), checksum: self.checksum)
        )
    }

    func chunk(_ index: Int) -> MessagePacket {
        let range = self.plan.range(of: index)
        let data = self.payload.getSlice(at: self.payload.readerIndex + range.lowerBound, length: range.count)
        return MessagePacket(
            id: self.id,
            body: .chunk(index: UInt64(index), offset: UInt64(range.lowerBound), data: data ?? ByteBuffer())
        )
    }

    // MARK: Transitions

    /// Starts (or restarts) the transfer with INIT: every chunk counts as unsent again.
    mutating func start(now: MonotonicInstant) {
        self.phase = .initializing
        self.acked = Array(repeating: false, count: self.plan.count)
        self.ackedCount = 0
        self.inFlight = [:]
        self.nextUnsent = 0
        self.doneSentAt = nil
        self.retryInterval = self.configuration.minimumRetransmitInterval
        self.nextRetry = now + self.retryInterval
        self.lastHeard = now
    }

    /// Schedules the next INIT/DONE retransmission, doubling the interval up to the maximum.
    mutating func backOff(now: MonotonicInstant) {
        self.retryInterval = min(self.retryInterval * 2, self.configuration.maximumRetransmitInterval)
        self.nextRetry = now + self.retryInterval
    }

    /// The earliest send time of a chunk still in flight.
    var oldestInFlight: MonotonicInstant? { self.inFlight.values.min() }

    /// The chunks to send now: timed-out ones, then unsent ones while the window has room. Marks them in flight and
    /// also returns how many were retransmissions.
    mutating func chunksDue(now: MonotonicInstant) -> (due: [Int], retransmitted: Int) {
        var due: [Int] = []
        let timeout = self.retransmitTimeout
        for (index, sentAt) in self.inFlight where now.duration(since: sentAt) >= timeout {
            due.append(index)
        }
        due.sort()
        for index in due { self.inFlight[index] = now }
        let retransmitted = due.count
        while self.inFlight.count < self.configuration.sendWindow, self.nextUnsent < self.plan.count {
            if !self.acked[self.nextUnsent] {
                self.inFlight[self.nextUnsent] = now
                due.append(self.nextUnsent)
            }
            self.nextUnsent += 1
        }
        return (due, retransmitted)
    }

    /// Records a CHUNK-ACK; `false` if it acknowledged nothing new.
    mutating func acknowledge(chunk index: Int, now: MonotonicInstant) -> Bool {
        guard index >= 0, index < self.plan.count, !self.acked[index] else { return false }
        if let sentAt = self.inFlight.removeValue(forKey: index) {
            self.sampleRTT(now.duration(since: sentAt))
        }
        self.acked[index] = true
        self.ackedCount += 1
        self.lastHeard = now
        return true
    }

    /// Enters a final phase and lets go of the payload.
    mutating func finish(_ phase: Phase) {
        self.phase = phase
        self.payload = ByteBuffer()
        self.acked = []
        self.inFlight = [:]
    }

    private mutating func sampleRTT(_ sample: Duration) {
        guard let smoothed = self.smoothedRTT else {
            self.smoothedRTT = sample
            self.rttVariance = sample / 2
            return
        }
        let deviation = smoothed > sample ? smoothed - sample : sample - smoothed
        self.rttVariance = (self.rttVariance * 3 + deviation) / 4
        self.smoothedRTT = (smoothed * 7 + sample) / 8
    }
}
