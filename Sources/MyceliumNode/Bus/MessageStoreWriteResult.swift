/// The outcome of one `MessageStoreWrite`.
public enum MessageStoreWriteResult: Hashable, Sendable {
    /// The write was applied (or was a no-op).
    case done
    /// `saveIncoming`: the message is in the inbox under this sequence number.
    case stored(sequence: Int64)
    /// `saveIncoming`: this delivery key was already recorded; nothing was inserted.
    case duplicate
}
