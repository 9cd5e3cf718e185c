/// Packets held per destination /64 while the node looks for a route (spec §4.2 step 5, §4.4, §4.7), bounded per
/// subnet, in total and in bytes. Pure: the caller says what time it is and what to do with what comes out.
public struct PendingPackets<Packet> {
    public struct Limits: Hashable, Sendable {
        public var perSubnet: Int
        public var total: Int
        public var totalBytes: Int
        /// How long packets wait before they are given up (upstream: the 15 s route-query timeout).
        public var timeout: Duration

        public init(perSubnet: Int, total: Int, totalBytes: Int, timeout: Duration = .seconds(15)) {
            self.perSubnet = perSubnet
            self.total = total
            self.totalBytes = totalBytes
            self.timeout = timeout
        }
    }

    /// What `enqueue` did.
    public enum EnqueueResult: Hashable, Sendable {
        /// The first packet for its subnet: the caller should ask the router for a route.
        case queuedFirst
        case queued
        /// A limit was reached; the packet was not kept.
        case full
    }

    private struct Queue {
        var packets: [Packet] = []
        var byteCount = 0
        var since: MonotonicInstant
    }

    private static func append(
        _ packet: Packet, byteCount: Int, to queue: inout Queue, limit: Int
    ) -> Bool {
        guard queue.packets.count < limit else { return false }
        queue.packets.append(packet)
        queue.byteCount += byteCount
        return true
    }

    public let limits: Limits
    private var queues: [Subnet: Queue] = [:]
    public private(set) var count = 0
    public private(set) var byteCount = 0

    public init(limits: Limits) {
        self.limits = limits
    }

    public var isEmpty: Bool { self.count == 0 }

    /// Subnets with packets waiting.
    public var subnets: [Subnet] { Array(self.queues.keys) }

    public mutating func enqueue(_ packet: Packet, byteCount: Int, for subnet: Subnet, now: MonotonicInstant)
        -> EnqueueResult
    {
        guard self.count < self.limits.total, self.byteCount + byteCount <= self.limits.totalBytes else {
            return .full
        }
        let isFirst = self.queues[subnet] == nil
        let appended = Self.append(
            packet, byteCount: byteCount, to: &self.queues[subnet, default: Queue(since: now)],
            limit: self.limits.perSubnet
        )
        guard appended else { return .full }
        self.count += 1
        self.byteCount += byteCount
        return isFirst ? .queuedFirst : .queued
    }

    /// Takes every packet waiting for `subnet`, oldest first.
    public mutating func removeAll(for subnet: Subnet) -> [Packet] {
        guard let queue = self.queues.removeValue(forKey: subnet) else { return [] }
        self.count -= queue.packets.count
        self.byteCount -= queue.byteCount
        return queue.packets
    }

    /// Takes the queues that have waited `limits.timeout` or longer, with their subnets.
    public mutating func removeExpired(now: MonotonicInstant) -> [(subnet: Subnet, packets: [Packet])] {
        let expired = self.queues.filter { now.duration(since: $0.value.since) >= self.limits.timeout }.map(\.key)
        return expired.map { ($0, self.removeAll(for: $0)) }
    }
}
