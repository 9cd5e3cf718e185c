import MyceliumCore

/// What identifies one delivered message for duplicate suppression: a receiver never delivers the same
/// (source, id, reply flag) twice, even across restarts, until the key is pruned.
public struct MessageDeliveryKey: Hashable, Sendable {
    public var source: IPv6Address
    public var id: MessageID
    public var isReply: Bool
    /// Unix seconds: the `receivedAt` of the message that recorded the key.
    public var recordedAt: Int64

    public init(source: IPv6Address, id: MessageID, isReply: Bool, recordedAt: Int64) {
        self.source = source
        self.id = id
        self.isReply = isReply
        self.recordedAt = recordedAt
    }
}
