import MyceliumCore
import MyceliumCrypto

/// The mutable part of ``InMemoryMessageBus``, always used under its lock. Every change that a waiting `receive` or
/// reply wait could care about bumps `generation` and hands back the continuations to resume (outside the lock).
struct InMemoryMessageBusState {
    /// A parked waiter: registered, parked on a continuation, or cancelled before it parked.
    enum Waiter {
        case registered
        case parked(CheckedContinuation<Void, Never>)
        case cancelled
    }

    var policy: TopicPolicy
    /// Received messages not yet popped, oldest first.
    var inbox: [ReceivedMessage] = []
    /// Every message id received (a reply must answer one of them).
    var receivedIDs: Set<MessageID> = []
    /// Status of every message sent (not of replies, which reuse the id they answer).
    var outbox: [MessageID: MessageStatus] = [:]
    var sent: [InMemoryMessageBus.SentMessage] = []
    /// Sent messages whose sender waits for the reply, and replies caught for them.
    var replyWaiters: Set<MessageID> = []
    var replies: [MessageID: ReceivedMessage] = [:]

    var generation: UInt64 = 0
    var waiters: [UInt64: Waiter] = [:]
    var nextWaiterToken: UInt64 = 0

    /// Takes the oldest message under `topic` (any topic for `nil`); removed unless `peek`. A message this bus sent to
    /// itself is then reported `.read`, as the READ notification would do.
    mutating func take(peek: Bool, topic: [UInt8]?) -> ReceivedMessage? {
        guard let index = self.inbox.firstIndex(where: { topic == nil || $0.topic == topic }) else { return nil }
        let message = self.inbox[index]
        if !peek { self.inbox.remove(at: index) }
        if let status = self.outbox[message.id], status.state == .received || status.state == .read {
            self.outbox[message.id]?.state = .read
        }
        return message
    }

    /// Hands a message to this node: a reply goes to the sender waiting for it if there is one, else to the inbox; a
    /// message that is not a reply must pass the topic policy (spec §5.3–5.4). Returns whether it was accepted.
    mutating func accept(_ message: ReceivedMessage, isReply: Bool) -> Bool {
        if isReply, self.replyWaiters.contains(message.id) {
            self.replies[message.id] = message
            return true
        }
        if !isReply, !self.policy.accepts(topic: message.topic, from: message.source) { return false }
        self.inbox.append(message)
        self.receivedIDs.insert(message.id)
        return true
    }

    /// Records a change: every parked waiter is released (and re-checks what it waits for).
    mutating func signal() -> [CheckedContinuation<Void, Never>] {
        self.generation &+= 1
        var released: [CheckedContinuation<Void, Never>] = []
        for (token, waiter) in self.waiters {
            if case .parked(let continuation) = waiter {
                released.append(continuation)
                self.waiters[token] = .registered
            }
        }
        return released
    }

    mutating func registerWaiter() -> UInt64 {
        self.nextWaiterToken &+= 1
        self.waiters[self.nextWaiterToken] = .registered
        return self.nextWaiterToken
    }

    /// Parks `continuation` unless something changed since `generation` or the waiter was cancelled; returns whether
    /// the caller must resume it at once.
    mutating func park(
        _ token: UInt64,
        _ continuation: CheckedContinuation<Void, Never>,
        after generation: UInt64
    ) -> Bool {
        guard self.generation == generation, case .registered? = self.waiters[token] else { return true }
        self.waiters[token] = .parked(continuation)
        return false
    }

    /// Cancels a waiter; returns its continuation if it was parked.
    mutating func cancelWaiter(_ token: UInt64) -> CheckedContinuation<Void, Never>? {
        switch self.waiters[token] {
        case .parked(let continuation)?:
            self.waiters[token] = .cancelled
            return continuation
        case .registered?:
            self.waiters[token] = .cancelled
            return nil
        case .cancelled?, nil:
            return nil
        }
    }
}
