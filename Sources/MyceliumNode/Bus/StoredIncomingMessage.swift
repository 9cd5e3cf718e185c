import MyceliumCore

/// One inbox row: a completely received message not yet popped by a local reader (spec §5.3, delivery step 3).
public struct StoredIncomingMessage: Hashable, Sendable {
    /// Assigned by the store on insert (ignored on input); increases with arrival and is never reused.
    public var sequence: Int64
    public var message: ReceivedMessage
    /// Whether the message arrived as a reply (INIT with the REPLY flag).
    public var isReply: Bool
    /// Unix seconds.
    public var receivedAt: Int64

    public init(sequence: Int64 = 0, message: ReceivedMessage, isReply: Bool, receivedAt: Int64) {
        self.sequence = sequence
        self.message = message
        self.isReply = isReply
        self.receivedAt = receivedAt
    }
}
