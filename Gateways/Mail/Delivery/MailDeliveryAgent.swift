import Logging
import MyceliumCore
import MyceliumGatewayKit
import NIOCore

/// Hands queued mail for other nodes to the message bus and settles it when the destination's report arrives: each
/// queue entry goes out as a `MailDelivery` on the mail topic; the bus retries it until the node is reachable; the
/// destination gateway answers with a `MailDeliveryReport`, which removes the entry and bounces what failed. Without
/// a report within the resend interval the entry goes out again (the receiver answers a repeat from its memory, so
/// nothing is stored twice); past the queue lifetime it bounces.
public final class MailDeliveryAgent: Sendable {
    let queue: MailQueue
    let bus: any MessageBus
    let bouncer: MailBouncer
    let configuration: MailGatewayConfiguration
    let clock: MailClock
    let logger: Logger
    private let wakeUps: AsyncStream<Void>
    private let wakeUpContinuation: AsyncStream<Void>.Continuation

    /// How often the queue is scanned for entries that fell due.
    static let scanInterval = Duration.seconds(1)
    /// First retry after the bus refused a hand-over; doubles per attempt up to `maximumRetryDelay`.
    static let initialRetryDelay: Int64 = 1_000
    static let maximumRetryDelay: Int64 = 300_000

    init(
        queue: MailQueue, bus: any MessageBus, bouncer: MailBouncer, configuration: MailGatewayConfiguration,
        clock: MailClock, logger: Logger
    ) {
        self.queue = queue
        self.bus = bus
        self.bouncer = bouncer
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        (self.wakeUps, self.wakeUpContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Makes the agent look at the queue now (new mail was queued).
    public func wake() {
        self.wakeUpContinuation.yield()
    }

    /// Works the queue until the task is cancelled: at every wake-up, and once per `scanInterval` for entries that
    /// fell due (resends, retries, expiry).
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.scanInterval)
                    self.wake()
                }
            }
            self.wake()
            for await _ in self.wakeUps {
                do {
                    try await self.processDueItems()
                } catch {
                    self.logger.error("mail queue unavailable", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
        }
    }

    /// Hands every due entry to the bus, or bounces it if it expired.
    func processDueItems() async throws(MailStoreError) {
        while !Task.isCancelled {
            let now = self.clock.milliseconds()
            let due = try await self.queue.due(now: now)
            guard !due.isEmpty else { return }
            for item in due {
                if now >= item.expiresAt {
                    try await self.expire(item)
                } else {
                    try await self.handOver(item, now: now)
                }
            }
        }
    }

    private func handOver(_ item: QueuedMail, now: Int64) async throws(MailStoreError) {
        var payload = ByteBuffer()
        payload.writeMailEnvelope(.delivery(item.delivery))
        let message = OutgoingMessage(
            destination: .ip(item.destination), topic: MailEnvelope.topic, payload: Array(buffer: payload)
        )
        let failure: MessageBusError?
        do {
            _ = try await self.bus.send(message, replyTimeout: nil)
            failure = nil
        } catch {
            failure = error
        }
        switch failure {
        case nil:
            let next = min(now + self.configuration.resendInterval.milliseconds, item.expiresAt)
            try await self.queue.recordAttempt(id: item.id, nextAttemptAt: next, error: nil)
            self.logger.debug(
                "mail handed to the bus", metadata: ["id": "\(item.id)", "destination": "\(item.destination)"]
            )
        case .messageTooLarge, .unknownDestination, .topicTooLong, .invalidArgument:
            // The bus will never take it: bounce now.
            _ = try await self.queue.remove(id: item.id)
            let reason = "554 5.3.4 The node cannot carry it: \(failure.map { "\($0)" } ?? "")"
            await self.bouncer.bounce(item, failures: item.recipients.map { ($0, reason) })
        case .unavailable, .unknownMessage, .unknownTopic:
            let delay = min(Self.initialRetryDelay << min(item.attempts, 20), Self.maximumRetryDelay)
            let reason = failure.map { "\($0)" } ?? ""
            try await self.queue.recordAttempt(
                id: item.id, nextAttemptAt: min(now + delay, item.expiresAt), error: reason
            )
            self.logger.notice(
                "mail hand-over to the bus failed, will retry",
                metadata: ["id": "\(item.id)", "error": "\(reason)", "retryInMs": "\(delay)"]
            )
        }
    }

    private func expire(_ item: QueuedMail) async throws(MailStoreError) {
        guard let item = try await self.queue.remove(id: item.id) else { return }
        let reason = "451 4.4.7 Not delivered within \(self.configuration.queueLifetime): \(item.destination) "
            + "did not answer" + (item.lastError.map { " (last error: \($0))" } ?? "")
        self.logger.notice("mail expired", metadata: ["id": "\(item.id)", "destination": "\(item.destination)"])
        await self.bouncer.bounce(item, failures: item.recipients.map { ($0, reason) })
    }

    /// A destination's report: the entry is settled, failures bounce, recipients that failed only for now stay queued.
    func handle(_ report: MailDeliveryReport, from source: IPv6Address) async {
        do {
            guard let item = try await self.queue.item(id: report.id) else { return }  // a repeated report
            guard item.destination == source else {
                self.logger.warning(
                    "mail report from the wrong node ignored",
                    metadata: ["id": "\(report.id)", "from": "\(source)", "expected": "\(item.destination)"]
                )
                return
            }
            var failures: [(MailAddress, String)] = []
            var retry: [MailAddress] = []
            for recipient in item.recipients {
                guard let result = report.results.first(where: { $0.recipient == recipient.localPart }) else {
                    retry.append(recipient)
                    continue
                }
                if result.isDelivered { continue }
                let line = "\(result.code) \(result.enhancedStatus) \(result.text)"
                if result.isPermanentFailure { failures.append((recipient, line)) } else { retry.append(recipient) }
            }
            if retry.isEmpty {
                _ = try await self.queue.remove(id: item.id)
            } else {
                try await self.queue.replaceRecipients(id: item.id, with: retry)
                try await self.queue.recordAttempt(
                    id: item.id,
                    nextAttemptAt: min(self.clock.milliseconds() + Self.maximumRetryDelay, item.expiresAt),
                    error: "the destination asked to try again later"
                )
            }
            self.logger.info(
                "mail report", metadata: ["id": "\(report.id)", "failed": "\(failures.count)", "retry": "\(retry.count)"]
            )
            if !failures.isEmpty { await self.bouncer.bounce(item, failures: failures) }
        } catch {
            self.logger.error("mail report not recorded", metadata: ["id": "\(report.id)", "error": "\(error)"])
        }
    }
}
