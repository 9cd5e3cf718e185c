import MyceliumCrypto

/// A message that arrived for this node, as `GET /api/v1/messages` returns it (spec §5.5, upstream's
/// `MessageReceiveInfo`): `{id, srcIp, srcPk, dstIp, dstPk, topic?, payload}`.
public struct ReceivedMessage: Hashable, Sendable {
    public var id: MessageID
    public var source: IPv6Address
    public var sourceKey: X25519.PublicKey
    public var destination: IPv6Address
    public var destinationKey: X25519.PublicKey
    /// Empty when the message had no topic.
    public var topic: [UInt8]
    public var payload: [UInt8]

    public init(
        id: MessageID,
        source: IPv6Address,
        sourceKey: X25519.PublicKey,
        destination: IPv6Address,
        destinationKey: X25519.PublicKey,
        topic: [UInt8],
        payload: [UInt8]
    ) {
        self.id = id
        self.source = source
        self.sourceKey = sourceKey
        self.destination = destination
        self.destinationKey = destinationKey
        self.topic = topic
        self.payload = payload
    }
}
