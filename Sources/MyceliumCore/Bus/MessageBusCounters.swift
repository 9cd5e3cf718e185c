/// What the bus counted, for logs and `/metrics`.
public struct MessageBusCounters: Hashable, Sendable {
    public var messagesSent: UInt64 = 0
    public var messagesDelivered: UInt64 = 0
    public var messagesAborted: UInt64 = 0
    public var duplicatesSuppressed: UInt64 = 0
    /// INITs not acknowledged: too large, refused by the topic policy, or no room for another transfer.
    public var refusedTooLarge: UInt64 = 0
    public var refusedByPolicy: UInt64 = 0
    public var refusedNoRoom: UInt64 = 0
    /// Chunks out of bounds, DONEs that failed the checksum, packets for unknown transfers.
    public var refusedChunks: UInt64 = 0
    public var corruptMessages: UInt64 = 0
    public var unknownTransfers: UInt64 = 0
    /// Bus packets from peers that did not parse.
    public var malformedPackets: UInt64 = 0
    public var retransmissions: UInt64 = 0
    public var restartedTransfers: UInt64 = 0

    public init() {}
}
