import MyceliumCore

/// The delivered, not yet read messages (persisted in the store; mirrored here in arrival order) and the API calls
/// long-polling for one.
struct MessageInbox {
    struct Waiter {
        let id: UInt64
        let topic: [UInt8]?
        let peek: Bool
        let continuation: CheckedContinuation<StoredIncomingMessage?, Never>
    }

    private(set) var messages: [StoredIncomingMessage] = []
    private(set) var bytes = 0
    private var waiters: [Waiter] = []

    var count: Int { self.messages.count }

    init(messages: [StoredIncomingMessage]) {
        self.messages = messages
        self.bytes = messages.reduce(0) { $0 + $1.message.payload.count }
    }

    /// The oldest message under `topic` (any topic if `nil`); removed unless `peek`.
    mutating func take(topic: [UInt8]?, peek: Bool) -> StoredIncomingMessage? {
        guard let index = self.messages.firstIndex(where: { topic == nil || $0.message.topic == topic }) else {
            return nil
        }
        let message = self.messages[index]
        if !peek { self.remove(at: index) }
        return message
    }

    private mutating func remove(at index: Int) {
        self.bytes -= self.messages[index].message.payload.count
        self.messages.remove(at: index)
    }

    /// Adds a delivered message and returns the waiters it satisfies: every peeking waiter whose topic matches, and
    /// the first matching waiter that takes it (then it is not kept).
    mutating func add(_ message: StoredIncomingMessage) -> (woken: [Waiter], taken: Bool) {
        var woken: [Waiter] = []
        var taken = false
        self.waiters.removeAll { waiter in
            guard !taken, waiter.topic == nil || waiter.topic == message.message.topic else { return false }
            woken.append(waiter)
            if !waiter.peek { taken = true }
            return true
        }
        if !taken {
            self.messages.append(message)
            self.bytes += message.message.payload.count
        }
        return (woken, taken)
    }

    mutating func wait(_ waiter: Waiter) {
        self.waiters.append(waiter)
    }

    /// Removes a waiter whose time ran out; `nil` if a message already woke it.
    mutating func removeWaiter(id: UInt64) -> Waiter? {
        guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return self.waiters.remove(at: index)
    }

    /// Removes every waiter (shutdown).
    mutating func removeAllWaiters() -> [Waiter] {
        defer { self.waiters = [] }
        return self.waiters
    }
}
