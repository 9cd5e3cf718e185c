import NIOCore

/// What the message bus state machine asks its driver to do; the driver executes them in order.
public enum MessageBusAction: Sendable {
    /// Seal `packet` for `destination` as a type-1 user-data packet and send it (spec §5.1).
    case send(MessagePacket, to: IPv6Address)
    /// A message arrived whole and verified. Persist it, hand it on, and only then send `acknowledgement` (DONE-ACK)
    /// to its source and report `delivered(_:)` back to the state machine.
    case deliver(IncomingMessage, acknowledgement: MessagePacket)
    /// An outgoing message moved to another phase; a final state lets the driver drop the persisted payload.
    case outgoingStateChanged(MessageID, MessageState)
}

/// A verified message for this node, before the driver turns it into a `ReceivedMessage`.
public struct IncomingMessage: Sendable {
    public var key: DeliveryKey
    public var topic: [UInt8]
    public var payload: ByteBuffer

    public init(key: DeliveryKey, topic: [UInt8], payload: ByteBuffer) {
        self.key = key
        self.topic = topic
        self.payload = payload
    }
}

/// What makes an incoming message unique for duplicate suppression: its (authenticated) source, id, and whether it
/// is a reply (a reply reuses the id of the message it answers).
public struct DeliveryKey: Hashable, Sendable {
    public var source: IPv6Address
    public var id: MessageID
    public var isReply: Bool

    public init(source: IPv6Address, id: MessageID, isReply: Bool) {
        self.source = source
        self.id = id
        self.isReply = isReply
    }
}
