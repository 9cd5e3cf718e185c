import MyceliumCore

/// One outbox row: a message this node sends (or a reply it sends), persisted from the moment
/// `POST /api/v1/messages` answers 201 until it is pruned after its deadline (spec §5.2).
public struct StoredOutgoingMessage: Hashable, Sendable {
    public var id: MessageID
    /// Whether this is a reply (its INIT carries the REPLY flag and reuses the original message's id).
    public var isReply: Bool
    public var destination: IPv6Address
    /// 0–255 bytes; empty when the message has no topic.
    public var topic: [UInt8]
    /// The message data; `nil` once the message reached a final state (the store drops it then).
    public var payload: [UInt8]?
    /// The total message length announced in INIT (the payload's length while it is kept).
    public var length: UInt64
    /// Unix seconds.
    public var created: Int64
    /// Unix seconds.
    public var deadline: Int64
    public var state: StoredMessageState

    public init(
        id: MessageID,
        isReply: Bool,
        destination: IPv6Address,
        topic: [UInt8],
        payload: [UInt8]?,
        length: UInt64,
        created: Int64,
        deadline: Int64,
        state: StoredMessageState
    ) {
        self.id = id
        self.isReply = isReply
        self.destination = destination
        self.topic = topic
        self.payload = payload
        self.length = length
        self.created = created
        self.deadline = deadline
        self.state = state
    }
}
