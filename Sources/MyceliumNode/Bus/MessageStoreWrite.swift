import MyceliumCore

/// One change to the message store. `MessageStore.apply(_:)` applies a batch of them in one transaction.
public enum MessageStoreWrite: Hashable, Sendable {
    /// Inserts the outbox row, or replaces the one with the same id. A message saved in a final state is
    /// saved without its payload.
    case saveOutgoing(StoredOutgoingMessage)
    /// Sets the state of an outbox row; a final state also drops its payload. An unknown id is a no-op.
    case updateOutgoing(id: MessageID, state: StoredMessageState)
    /// Removes an outbox row (no-op when absent).
    case deleteOutgoing(id: MessageID)
    /// Appends the message to the inbox and records its delivery key (source address, id, reply flag).
    /// If that key was recorded before (and not pruned since), nothing is inserted and the result is
    /// `.duplicate`; otherwise `.stored(sequence:)`. The message's `sequence` is ignored.
    case saveIncoming(StoredIncomingMessage)
    /// Removes a message from the inbox (it was read); its delivery key stays. Unknown sequence: no-op.
    case deleteIncoming(sequence: Int64)
    /// Forgets delivery keys recorded before this unix time, except those of messages still in the inbox.
    case pruneDelivered(before: Int64)
    /// Deletes final-state outbox rows whose deadline is before this unix time.
    case pruneOutgoing(finishedBefore: Int64)
}
