import MyceliumCore

/// The message bus as gateways and the node's APIs see it (spec §5): send, receive, reply, status and the topic
/// policy. Two implementations: the node's own bus (in-process) and `HTTPMessageBus`, which talks to any node's
/// `/api/v1` (a Rust node's too), so a gateway can run out of process. The node's HTTP and JSON-RPC servers answer
/// from any `MessageBus`.
///
/// Errors are typed (`MessageBusError`) and map once to each API's reply.
public protocol MessageBus: Sendable {
    /// The largest payload `send` accepts.
    var maximumMessageSize: Int { get }

    /// Sends `message`. Without `replyTimeout` it returns `.accepted(id)` once the message is persisted; with one it
    /// waits up to that long for the destination's reply.
    func send(_ message: OutgoingMessage, replyTimeout: Duration?) async throws(MessageBusError) -> PushOutcome

    /// Sends `message` as the reply to the received message `id` (its topic is not used).
    func reply(to id: MessageID, with message: OutgoingMessage) async throws(MessageBusError)

    /// The oldest received message (under `topic`, if given), waiting up to `timeout` for one; `nil` if none came.
    /// Without `peek` the message is removed; either way its sender is told it was read.
    func receive(peek: Bool, timeout: Duration, topic: [UInt8]?) async throws(MessageBusError) -> ReceivedMessage?

    /// The status of a message this node sent; `nil` if unknown (never sent, or forgotten).
    func status(of id: MessageID) async throws(MessageBusError) -> MessageStatus?

    // MARK: Topic policy (spec §5.4)

    /// The whole policy.
    func topicPolicy() async throws(MessageBusError) -> TopicPolicy
    func setDefaultTopicAction(accept: Bool) async throws(MessageBusError)
    func addTopic(_ topic: [UInt8]) async throws(MessageBusError)
    func removeTopic(_ topic: [UInt8]) async throws(MessageBusError)
    func addTopicSource(_ subnet: Subnet, to topic: [UInt8]) async throws(MessageBusError)
    func removeTopicSource(_ subnet: Subnet, from topic: [UInt8]) async throws(MessageBusError)
    /// Sets (or with `nil` removes) the Unix socket `topic`'s messages are forwarded to.
    func setTopicForwardSocket(_ path: String?, for topic: [UInt8]) async throws(MessageBusError)
}

/// Why the bus refused a request; mapped once to HTTP statuses and JSON-RPC codes by the API servers.
public enum MessageBusError: Error, Hashable, Sendable {
    /// A topic over 255 bytes.
    case topicTooLong(Int)
    /// A payload over the bus's maximum message size.
    case messageTooLarge(size: Int, limit: Int)
    /// An IP destination outside the overlay (400::/7): no node can own it.
    case unknownDestination(IPv6Address)
    /// No received message with this id to reply to, or no sent message with this id.
    case unknownMessage(MessageID)
    /// A topic-policy change for a topic with no entry.
    case unknownTopic
    /// Input the bus cannot use, with the reason.
    case invalidArgument(String)
    /// The bus could not do it now (stopping, storage failure, an unreachable remote API), with the reason.
    case unavailable(String)
}

extension MessageBusError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .topicTooLong(let count): "topic is \(count) bytes, at most 255 are allowed"
        case .messageTooLarge(let size, let limit): "message is \(size) bytes, at most \(limit) are allowed"
        case .unknownDestination(let address): "\(address) is not a Mycelium overlay address (400::/7)"
        case .unknownMessage(let id): "no message with id \(id)"
        case .unknownTopic: "topic is not configured"
        case .invalidArgument(let reason): reason
        case .unavailable(let reason): reason
        }
    }
}
