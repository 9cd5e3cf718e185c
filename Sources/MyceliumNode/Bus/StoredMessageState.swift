/// The state of an outbox message as the store records it (spec §5.2, §5.5: the `state` of
/// `GET /api/v1/messages/status/{id}`; the live chunk counters of `sending` are not persisted).
public enum StoredMessageState: String, Hashable, Sendable, CaseIterable {
    /// INIT sent, not yet acknowledged.
    case pending
    /// INIT acknowledged; chunks and DONE in flight.
    case sending
    /// DONE acknowledged by the receiver.
    case received
    /// The receiver read the message (READ arrived).
    case read
    /// The deadline passed before the receiver acknowledged DONE.
    case aborted

    /// Whether the message is finished: nothing is ever sent for it again, so the store drops its payload.
    public var isFinal: Bool {
        switch self {
        case .pending, .sending: false
        case .received, .read, .aborted: true
        }
    }
}
