import MyceliumCore

extension MessageBus {
    /// The messages arriving under `topic` (every message when `nil`), as gateways consume them:
    ///
    /// ```swift
    /// for try await message in bus.messages(topic: Array("mail".utf8)) { … }
    /// ```
    ///
    /// Each step long-polls `receive(peek: false, timeout: pollTimeout, topic:)`, so messages come one at a time, in
    /// the bus's order, each removed from the inbox as it is handed out. The sequence ends (returns `nil`) when the
    /// consuming task is cancelled; a `.unavailable` error (an API that is restarting, say) is retried with
    /// exponential backoff up to `retry.attempts` times in a row before it ends the sequence; any other error ends it
    /// at once.
    public func messages(
        topic: [UInt8]?, pollTimeout: Duration = .seconds(30), retry: MessageSubscription.RetryPolicy = .init()
    ) -> MessageSubscription {
        MessageSubscription(bus: self, topic: topic, pollTimeout: pollTimeout, retry: retry)
    }
}

/// The endless sequence of received messages ``MessageBus/messages(topic:pollTimeout:retry:)`` returns.
public struct MessageSubscription: AsyncSequence, Sendable {
    public typealias Element = ReceivedMessage
    public typealias Failure = MessageBusError

    /// How transient failures (`.unavailable`) are retried: after the n-th failure in a row the subscription waits
    /// `initialDelay · 2ⁿ⁻¹` (at most `maximumDelay`); the failure after `attempts` retries ends the sequence.
    public struct RetryPolicy: Hashable, Sendable {
        public var attempts: Int
        public var initialDelay: Duration
        public var maximumDelay: Duration

        public init(
            attempts: Int = 8, initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(10)
        ) {
            self.attempts = attempts
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
        }

        /// The wait before retry number `attempt` (1-based).
        public func delay(beforeAttempt attempt: Int) -> Duration {
            var delay = self.initialDelay
            for _ in 1..<Swift.max(attempt, 1) {
                guard delay < self.maximumDelay else { break }
                delay *= 2
            }
            return Swift.min(delay, self.maximumDelay)
        }
    }

    let bus: any MessageBus
    let topic: [UInt8]?
    let pollTimeout: Duration
    let retry: RetryPolicy

    public func makeAsyncIterator() -> Iterator {
        Iterator(subscription: self)
    }

    /// Long-polls the bus on each `next()`.
    public struct Iterator: AsyncIteratorProtocol {
        let subscription: MessageSubscription

        public mutating func next(
            isolation actor: isolated (any Actor)? = #isolation
        ) async throws(MessageBusError) -> ReceivedMessage? {
            let subscription = self.subscription
            var failures = 0
            while !Task.isCancelled {
                do {
                    let message = try await subscription.bus.receive(
                        peek: false, timeout: subscription.pollTimeout, topic: subscription.topic
                    )
                    if let message { return message }
                    failures = 0
                } catch {
                    if Task.isCancelled { return nil }
                    guard case .unavailable = error, failures < subscription.retry.attempts else { throw error }
                    failures += 1
                    do {
                        try await Task.sleep(for: subscription.retry.delay(beforeAttempt: failures))
                    } catch {
                        return nil
                    }
                }
            }
            return nil
        }

        public mutating func next() async throws(MessageBusError) -> ReceivedMessage? {
            try await self.next(isolation: nil)
        }
    }
}
