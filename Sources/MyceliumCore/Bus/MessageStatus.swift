/// Where an outgoing message stands, as `GET /api/v1/messages/status/{id}` reports it (spec §5.5, upstream's
/// `MessageInfo`): `{dst, state, created, deadline, msgLen}`.
public struct MessageStatus: Hashable, Sendable {
    public var destination: IPv6Address
    public var state: MessageState
    /// Unix time, seconds, when the message was accepted.
    public var created: Int64
    /// Unix time, seconds, after which the sender gives up.
    public var deadline: Int64
    /// The payload's length in bytes.
    public var length: UInt64

    public init(destination: IPv6Address, state: MessageState, created: Int64, deadline: Int64, length: UInt64) {
        self.destination = destination
        self.state = state
        self.created = created
        self.deadline = deadline
        self.length = length
    }
}

/// The transmission state of an outgoing message (upstream's `TransmissionState`): `"pending"`,
/// `{"sending":{"pending":n,"sent":n,"acked":n}}`, `"received"`, `"read"`, `"aborted"`.
public enum MessageState: Hashable, Sendable {
    /// The receiver has not acknowledged the INIT yet.
    case pending
    /// Chunks are on their way: never sent, sent but not acknowledged, acknowledged.
    case sending(pending: Int, sent: Int, acked: Int)
    /// The receiver verified and stored the whole message (DONE-ACK).
    case received
    /// An application on the receiver read it (READ).
    case read
    /// The sender gave up (deadline passed) or the receiver refused it.
    case aborted

    /// Whether the sender is done with the message (nothing more will be sent except nothing).
    public var isFinal: Bool {
        switch self {
        case .pending, .sending: false
        case .received, .read, .aborted: true
        }
    }
}
