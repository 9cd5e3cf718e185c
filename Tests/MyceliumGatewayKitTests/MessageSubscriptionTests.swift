import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import Synchronization
import Testing

/// A bus whose `receive` answers from a script: each step is a message, `nil` (nothing within the timeout) or an
/// error; after the script it reports "nothing" forever. Only `receive` is used.
final class ScriptedBus: MessageBus {
    enum Step: Sendable {
        case message(ReceivedMessage)
        case nothing
        case failure(MessageBusError)
    }

    let maximumMessageSize = 1024
    private let steps: Mutex<[Step]>
    private let calls = Mutex(0)

    init(_ steps: [Step]) {
        self.steps = Mutex(steps)
    }

    var receiveCalls: Int { self.calls.withLock { $0 } }

    func receive(peek: Bool, timeout: Duration, topic: [UInt8]?) async throws(MessageBusError) -> ReceivedMessage? {
        self.calls.withLock { $0 += 1 }
        let step = self.steps.withLock { $0.isEmpty ? Step.nothing : $0.removeFirst() }
        switch step {
        case .message(let message): return message
        case .nothing:
            try? await Task.sleep(for: .milliseconds(5))
            return nil
        case .failure(let error): throw error
        }
    }

    func send(_ message: OutgoingMessage, replyTimeout: Duration?) async throws(MessageBusError) -> PushOutcome {
        throw .unavailable("not scripted")
    }
    func reply(to id: MessageID, with message: OutgoingMessage) async throws(MessageBusError) {}
    func status(of id: MessageID) async throws(MessageBusError) -> MessageStatus? { nil }
    func topicPolicy() async throws(MessageBusError) -> TopicPolicy { TopicPolicy() }
    func setDefaultTopicAction(accept: Bool) async throws(MessageBusError) {}
    func addTopic(_ topic: [UInt8]) async throws(MessageBusError) {}
    func removeTopic(_ topic: [UInt8]) async throws(MessageBusError) {}
    func addTopicSource(_ subnet: Subnet, to topic: [UInt8]) async throws(MessageBusError) {}
    func removeTopicSource(_ subnet: Subnet, from topic: [UInt8]) async throws(MessageBusError) {}
    func setTopicForwardSocket(_ path: String?, for topic: [UInt8]) async throws(MessageBusError) {}
}

@Suite("Message subscriptions")
struct MessageSubscriptionTests {
    static let key = X25519.SecretKey.generate().publicKey
    static let fast = MessageSubscription.RetryPolicy(
        attempts: 3, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(4)
    )

    static func message(_ byte: UInt8) -> ReceivedMessage {
        ReceivedMessage(
            id: MessageID(rawValue: UInt64(byte)), source: key.overlayAddress, sourceKey: key,
            destination: key.overlayAddress, destinationKey: key, topic: [], payload: [byte]
        )
    }

    @Test("empty polls are skipped; transient failures are retried, up to the limit in a row")
    func retries() async throws {
        let bus = ScriptedBus([
            .message(Self.message(1)), .nothing, .failure(.unavailable("restarting")), .failure(.unavailable("again")),
            .message(Self.message(2)),
            .failure(.unavailable("1")), .failure(.unavailable("2")), .failure(.unavailable("3")),
            .failure(.unavailable("4")),
        ])
        var received: [ReceivedMessage] = []
        do {
            for try await message in bus.messages(topic: nil, pollTimeout: .seconds(1), retry: Self.fast) {
                received.append(message)
            }
            Issue.record("the subscription ended without an error")
        } catch {
            #expect(error == .unavailable("4"))
        }
        #expect(received == [Self.message(1), Self.message(2)])
        #expect(bus.receiveCalls == 9)
    }

    @Test("any other error ends the subscription at once")
    func otherErrors() async throws {
        let bus = ScriptedBus([.message(Self.message(1)), .failure(.topicTooLong(300)), .message(Self.message(2))])
        var iterator = bus.messages(topic: nil, retry: Self.fast).makeAsyncIterator()
        #expect(try await iterator.next() == Self.message(1))
        await #expect(throws: MessageBusError.topicTooLong(300)) { _ = try await iterator.next() }
    }

    @Test("cancelling the consuming task ends the sequence without an error")
    func cancellation() async throws {
        let bus = ScriptedBus([.message(Self.message(1))])
        let consumer = Task {
            var count = 0
            for try await _ in bus.messages(topic: nil, retry: Self.fast) { count += 1 }
            return count
        }
        while bus.receiveCalls < 3 { try await Task.sleep(for: .milliseconds(5)) }
        consumer.cancel()
        #expect(try await consumer.value == 1)
    }

    @Test("backoff doubles from the initial delay up to the maximum")
    func backoff() {
        let policy = MessageSubscription.RetryPolicy(
            attempts: 8, initialDelay: .milliseconds(250), maximumDelay: .seconds(1)
        )
        #expect(policy.attempts == 8)
        let delays = (1...5).map { policy.delay(beforeAttempt: $0) }
        #expect(delays == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(1), .seconds(1)])
    }
}
