import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import Testing

@Suite("In-memory message bus")
struct InMemoryMessageBusTests {
    static let remote = X25519.SecretKey.generate().publicKey

    /// An outgoing message.
    static func message(_ destination: MessageDestination, topic: [UInt8] = [], _ payload: [UInt8]) -> OutgoingMessage {
        OutgoingMessage(destination: destination, topic: topic, payload: payload)
    }

    func makeBus(maximumMessageSize: Int = 1024, policy: TopicPolicy = TopicPolicy()) -> InMemoryMessageBus {
        InMemoryMessageBus(maximumMessageSize: maximumMessageSize, topicPolicy: policy, now: { 1_716_100_000 })
    }

    @Test("a message to its own address arrives in its own inbox, from itself; its status goes received, then read")
    func sendToSelf() async throws {
        let bus = self.makeBus()
        let message = Self.message(.ip(bus.address), topic: Array("t".utf8), [1, 2, 3])
        let outcome = try await bus.send(message, replyTimeout: nil)
        guard case .accepted(let id) = outcome else {
            Issue.record("expected .accepted, got \(outcome)")
            return
        }
        #expect(try await bus.status(of: id)?.state == .received)
        let received = try #require(try await bus.receive(peek: false, timeout: .zero, topic: nil))
        #expect(received.id == id)
        #expect(received.source == bus.address && received.sourceKey == bus.publicKey)
        #expect(received.destination == bus.address && received.destinationKey == bus.publicKey)
        #expect(received.topic == Array("t".utf8) && received.payload == [1, 2, 3])
        let status = try #require(try await bus.status(of: id))
        #expect(
            status
                == MessageStatus(
                    destination: bus.address, state: .read, created: 1_716_100_000, deadline: 1_716_100_300, length: 3
                )
        )
        #expect(try await bus.receive(peek: false, timeout: .zero, topic: nil) == nil)

        // By key too, with a fresh id each time.
        let again = try await bus.send(Self.message(.publicKey(bus.publicKey), []), replyTimeout: nil)
        #expect(again.messageID != id)
        #expect(bus.inbox.map(\.id) == [again.messageID])
    }

    @Test("a message to another node is recorded as sent, pending")
    func sendElsewhere() async throws {
        let bus = self.makeBus()
        let message = OutgoingMessage(destination: .publicKey(Self.remote), payload: Array("hi".utf8))
        let id = try await bus.send(message, replyTimeout: nil).messageID
        #expect(bus.sent == [InMemoryMessageBus.SentMessage(id: id, message: message, inReplyTo: nil)])
        #expect(try await bus.status(of: id)?.state == .pending)
        #expect(try await bus.status(of: id)?.destination == Self.remote.overlayAddress)
        bus.setState(.sending(pending: 0, sent: 1, acked: 0), of: id)
        #expect(try await bus.status(of: id)?.state == .sending(pending: 0, sent: 1, acked: 0))
        #expect(bus.inbox.isEmpty)
        #expect(try await bus.status(of: MessageID(rawValue: 7)) == nil)
    }

    @Test("any overlay address is a destination (queued like the node's bus); one outside 400::/7 is not")
    func unknownDestination() async throws {
        let bus = self.makeBus()
        _ = try await bus.send(OutgoingMessage(destination: .ip(Self.remote.overlayAddress), payload: []), replyTimeout: nil)
        #expect(bus.sent.count == 1)
        let outside = try #require(IPv6Address("2001:db8::1"))
        await #expect(throws: MessageBusError.unknownDestination(outside)) {
            try await bus.send(OutgoingMessage(destination: .ip(outside), payload: []), replyTimeout: nil)
        }
    }

    @Test("limits: payload size and a 255-byte topic")
    func limits() async throws {
        let bus = self.makeBus(maximumMessageSize: 10)
        let remote = MessageDestination.publicKey(Self.remote)
        _ = try await bus.send(Self.message(remote, Array(repeating: 0, count: 10)), replyTimeout: nil)
        await #expect(throws: MessageBusError.messageTooLarge(size: 11, limit: 10)) {
            try await bus.send(Self.message(remote, Array(repeating: 0, count: 11)), replyTimeout: nil)
        }
        _ = try await bus.send(Self.message(remote, topic: Array(repeating: 1, count: 255), []), replyTimeout: nil)
        await #expect(throws: MessageBusError.topicTooLong(256)) {
            try await bus.send(Self.message(remote, topic: Array(repeating: 1, count: 256), []), replyTimeout: nil)
        }
        await #expect(throws: MessageBusError.topicTooLong(256)) {
            try await bus.addTopic(Array(repeating: 1, count: 256))
        }
    }

    @Test("receive long-polls: nil after the timeout, the message as soon as it arrives")
    func longPoll() async throws {
        let bus = self.makeBus()
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await bus.receive(peek: false, timeout: .milliseconds(150), topic: nil) == nil)
        #expect(clock.now - start >= .milliseconds(150))

        let begin = clock.now
        async let waiting = bus.receive(peek: false, timeout: .seconds(30), topic: Array("b".utf8))
        try await Task.sleep(for: .milliseconds(50))
        bus.deliver([1], topic: Array("a".utf8), from: Self.remote)
        bus.deliver([2], topic: Array("b".utf8), from: Self.remote)
        let message = try await waiting
        #expect(message?.payload == [2])
        #expect(message?.source == Self.remote.overlayAddress)
        #expect(clock.now - begin < .seconds(10))
        #expect(bus.inbox.map(\.payload) == [[1]])
    }

    @Test("peek leaves the message; a topic filter picks the oldest match")
    func peekAndFilter() async throws {
        let bus = self.makeBus()
        bus.deliver([1], topic: Array("a".utf8), from: Self.remote)
        bus.deliver([2], topic: [], from: Self.remote)
        bus.deliver([3], topic: Array("a".utf8), from: Self.remote)
        #expect(try await bus.receive(peek: true, timeout: .zero, topic: nil)?.payload == [1])
        #expect(try await bus.receive(peek: false, timeout: .zero, topic: [])?.payload == [2])
        #expect(try await bus.receive(peek: false, timeout: .zero, topic: Array("a".utf8))?.payload == [1])
        #expect(try await bus.receive(peek: false, timeout: .zero, topic: Array("zz".utf8)) == nil)
        #expect(try await bus.receive(peek: false, timeout: .zero, topic: nil)?.payload == [3])
    }

    @Test("a send to itself with a reply timeout returns the reply it gives")
    func replyToSelf() async throws {
        let bus = self.makeBus()
        async let outcome = bus.send(Self.message(.ip(bus.address), Array("ping".utf8)), replyTimeout: .seconds(30))
        let request = try #require(try await bus.receive(peek: false, timeout: .seconds(30), topic: nil))
        try await bus.reply(to: request.id, with: Self.message(.ip(request.source), Array("pong".utf8)))
        let result = try await outcome
        guard case .reply(let reply) = result else {
            Issue.record("expected a reply, got \(result)")
            return
        }
        #expect(reply.id == request.id && reply.payload == Array("pong".utf8) && reply.topic.isEmpty)
        #expect(bus.inbox.isEmpty)
        #expect(bus.sent.last?.inReplyTo == request.id)
    }

    @Test("without a reply the wait times out; a late reply lands in the inbox")
    func replyTimeout() async throws {
        let bus = self.makeBus()
        let outcome = try await bus.send(Self.message(.ip(bus.address), [9]), replyTimeout: .milliseconds(100))
        #expect(outcome == .replyTimedOut(outcome.messageID))
        let request = try #require(try await bus.receive(peek: false, timeout: .zero, topic: nil))
        try await bus.reply(to: request.id, with: Self.message(.publicKey(bus.publicKey), [10]))
        #expect(bus.inbox.map(\.payload) == [[10]])
    }

    @Test("a remote's reply goes to the waiting sender")
    func remoteReply() async throws {
        let bus = self.makeBus()
        async let outcome = bus.send(Self.message(.publicKey(Self.remote), [1]), replyTimeout: .seconds(30))
        var id: MessageID?
        for _ in 0..<2000 where id == nil {
            id = bus.sent.first?.id
            try await Task.sleep(for: .milliseconds(5))
        }
        let sentID = try #require(id)
        bus.deliver([2], from: Self.remote, replyingTo: sentID)
        let expected = ReceivedMessage(
            id: sentID, source: Self.remote.overlayAddress, sourceKey: Self.remote, destination: bus.address,
            destinationKey: bus.publicKey, topic: [], payload: [2]
        )
        #expect(try await outcome == .reply(expected))
        #expect(bus.inbox.isEmpty)
    }

    @Test("replying needs a received message id")
    func replyToUnknown() async throws {
        let bus = self.makeBus()
        await #expect(throws: MessageBusError.unknownMessage(MessageID(rawValue: 1))) {
            try await bus.reply(to: MessageID(rawValue: 1), with: Self.message(.publicKey(Self.remote), []))
        }
        let message = try #require(bus.deliver([1], from: Self.remote))
        let reply = Self.message(.ip(Self.remote.overlayAddress), [2])
        try await bus.reply(to: message.id, with: reply)
        #expect(bus.sent == [.init(id: message.id, message: reply, inReplyTo: message.id)])
    }

    @Test("arriving messages pass the topic policy; replies bypass it")
    func policy() async throws {
        let bus = self.makeBus()
        try await bus.addTopic(Array("locked".utf8))
        #expect(bus.deliver([1], topic: Array("locked".utf8), from: Self.remote) == nil)
        try await bus.addTopicSource(Self.remote.nodeSubnet, to: Array("locked".utf8))
        #expect(bus.deliver([2], topic: Array("locked".utf8), from: Self.remote) != nil)
        try await bus.setDefaultTopicAction(accept: false)
        #expect(bus.deliver([3], topic: Array("other".utf8), from: Self.remote) == nil)
        #expect(bus.deliver([4], from: Self.remote, replyingTo: MessageID(rawValue: 5)) != nil)
        #expect(bus.inbox.map(\.payload) == [[2], [4]])
    }

    @Test("topic policy changes follow TopicPolicy")
    func policyChanges() async throws {
        let bus = self.makeBus()
        let topic = Array("t".utf8)
        let subnet = try #require(Subnet("400::/7"))
        await #expect(throws: MessageBusError.unknownTopic) { try await bus.addTopicSource(subnet, to: topic) }
        await #expect(throws: MessageBusError.unknownTopic) { try await bus.removeTopicSource(subnet, from: topic) }
        await #expect(throws: MessageBusError.unknownTopic) { try await bus.setTopicForwardSocket("/x", for: topic) }
        try await bus.addTopic(topic)
        try await bus.addTopicSource(subnet, to: topic)
        try await bus.setTopicForwardSocket("/run/t.sock", for: topic)
        var policy = try await bus.topicPolicy()
        #expect(policy.topics == [topic])
        #expect(policy.rules[topic] == TopicPolicy.Rule(sources: [subnet], forwardSocket: "/run/t.sock"))
        try await bus.removeTopicSource(subnet, from: topic)
        try await bus.setTopicForwardSocket(nil, for: topic)
        try await bus.setDefaultTopicAction(accept: false)
        policy = try await bus.topicPolicy()
        #expect(policy.rules[topic] == TopicPolicy.Rule())
        #expect(!policy.defaultAccepts)
        try await bus.removeTopic(topic)
        #expect(try await bus.topicPolicy().topics.isEmpty)
    }

    @Test("a cancelled long poll returns at once")
    func cancellation() async throws {
        let bus = self.makeBus()
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await bus.receive(peek: false, timeout: .seconds(60), topic: nil) }
            group.addTask {
                _ = try? await bus.send(
                    OutgoingMessage(destination: .publicKey(bus.publicKey), payload: []), replyTimeout: .seconds(60)
                )
            }
            try? await Task.sleep(for: .milliseconds(50))
            group.cancelAll()
        }
        #expect(clock.now - start < .seconds(10))
    }

    @Test("many concurrent waiters each get one message")
    func concurrentWaiters() async throws {
        let bus = self.makeBus()
        let received = await withTaskGroup(of: [UInt8]?.self, returning: [[UInt8]].self) { group in
            for _ in 0..<8 {
                group.addTask { try? await bus.receive(peek: false, timeout: .seconds(30), topic: nil)?.payload }
            }
            try? await Task.sleep(for: .milliseconds(30))
            for value in 0..<8 { bus.deliver([UInt8(value)], from: Self.remote) }
            var all: [[UInt8]] = []
            for await payload in group { if let payload { all.append(payload) } }
            return all
        }
        #expect(received.sorted { $0.lexicographicallyPrecedes($1) } == (0..<8).map { [UInt8($0)] })
    }
}
