/// A message to send: what `POST /api/v1/messages` carries (`{dst, topic?, payload}`), and a reply's content
/// (`POST /api/v1/messages/reply/{id}`, where the topic is not used).
public struct OutgoingMessage: Hashable, Sendable {
    /// At most 255 bytes (the length travels in one byte, spec §5.1).
    public static let maximumTopicByteCount = MessagePacket.maximumTopicByteCount

    public var destination: MessageDestination
    /// Arbitrary bytes; empty means no topic.
    public var topic: [UInt8]
    public var payload: [UInt8]

    public init(destination: MessageDestination, topic: [UInt8] = [], payload: [UInt8]) {
        self.destination = destination
        self.topic = topic
        self.payload = payload
    }
}
