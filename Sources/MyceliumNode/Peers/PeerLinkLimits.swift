/// How much a link may queue for a peer that does not read fast enough before it is disconnected ("peer too slow").
///
/// Upstream queues without bound (spec §2.3: "separate unbounded queues for data and control"); a stuck peer then
/// grows the node's memory until the dead-peer timer fires 43–53 s later. We cap the queue instead. Packets are only
/// queued here while the socket is not writable (otherwise every event-loop tick hands them all to the socket), so
/// the cap is reached only by a peer that stopped reading, or by a single burst larger than the cap.
public struct PeerLinkLimits: Hashable, Sendable {
    /// Default cap on queued packets.
    public static let defaultMaximumQueuedPackets = 65_536
    /// Default cap on queued bytes (link headers included): 4 MiB.
    public static let defaultMaximumQueuedBytes = 4 * 1024 * 1024
    /// Default level of queued bytes above which data packets are dropped: 1 MiB, a few milliseconds at the rates a
    /// link reaches here.
    public static let defaultMaximumQueuedDataBytes = 1024 * 1024

    /// The link closes when a new packet would make more than this many packets queued.
    public var maximumQueuedPackets: Int
    /// The link closes when a packet arrives while more than this many framed bytes (link headers included) wait.
    public var maximumQueuedBytes: Int
    /// Data packets that find this many bytes queued are dropped, as a router drops from a full interface queue:
    /// the senders' TCP sees the loss and slows down, and the link stays up for its control packets (a full queue
    /// of data is congestion, not a dead peer).
    public var maximumQueuedDataBytes: Int

    public init(
        maximumQueuedPackets: Int = Self.defaultMaximumQueuedPackets,
        maximumQueuedBytes: Int = Self.defaultMaximumQueuedBytes,
        maximumQueuedDataBytes: Int = Self.defaultMaximumQueuedDataBytes
    ) {
        self.maximumQueuedPackets = maximumQueuedPackets
        self.maximumQueuedBytes = maximumQueuedBytes
        self.maximumQueuedDataBytes = maximumQueuedDataBytes
    }
}
