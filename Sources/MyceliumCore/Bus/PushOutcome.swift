/// What sending a message returned (spec §5.5 `POST /api/v1/messages[?reply_timeout=secs]`).
public enum PushOutcome: Hashable, Sendable {
    /// Accepted (persisted) and on its way: 201 `{id}`.
    case accepted(MessageID)
    /// The destination replied within the reply timeout: 200 and the reply.
    case reply(ReceivedMessage)
    /// No reply within the reply timeout: 408 `{id}` (the message itself is still delivered).
    case replyTimedOut(MessageID)
}
