/// A session's view of its selected mailbox (RFC 3501 §2.3.1.2): the messages by sequence number (index + 1) as the
/// client was last told. Changes by others are folded in only at the points where the session may report them.
public struct IMAPSelectedMailbox: Sendable {
    public var mailbox: Mailbox
    public var readOnly: Bool
    /// UID-ascending, as the client knows them.
    public var messages: [StoredMessage]
    /// The snapshot's modification counter the view reflects.
    public var modificationSequence: Int64
    /// A change notification arrived (or this session changed the mailbox) since the view was refreshed.
    public var needsRefresh = false

    public init(snapshot: MailboxSnapshot, readOnly: Bool) {
        self.mailbox = snapshot.mailbox
        self.readOnly = readOnly
        self.messages = snapshot.messages
        self.modificationSequence = snapshot.modificationSequence
    }

    /// The index of the message with `uid`, if present.
    public func index(ofUID uid: UInt32) -> Int? {
        let index = self.lowerBound(uid)
        return index < self.messages.count && self.messages[index].uid == uid ? index : nil
    }

    /// First index whose UID is ≥ `uid`.
    func lowerBound(_ uid: UInt32) -> Int {
        var low = 0
        var high = self.messages.count
        while low < high {
            let middle = (low + high) / 2
            if self.messages[middle].uid < uid { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The indices the set names, ascending. A sequence-number set naming a number beyond the mailbox is an error
    /// (`nil`); UIDs that are not present are ignored (RFC 3501 §6.4.8).
    public func indices(of set: IMAPSequenceSet, uid: Bool) -> [Int]? {
        var result: [Int] = []
        if uid {
            let largest = self.messages.last?.uid ?? 0
            for range in set.resolved(largest: largest) {
                var index = self.lowerBound(range.lowerBound)
                while index < self.messages.count, self.messages[index].uid <= range.upperBound {
                    result.append(index)
                    index += 1
                }
            }
        } else {
            let count = UInt32(clamping: self.messages.count)
            // `1:*` in an empty mailbox names nothing (as `UID FETCH 1:*` does), rather than an error.
            if count == 0,
                set.ranges.allSatisfy({ $0.first == IMAPSequenceSet.star || $0.last == IMAPSequenceSet.star })
            {
                return []
            }
            for range in set.resolved(largest: count) {
                guard range.lowerBound >= 1, range.upperBound <= count else { return nil }
                result.append(contentsOf: Int(range.lowerBound - 1)..<Int(range.upperBound))
            }
        }
        return result
    }
}
