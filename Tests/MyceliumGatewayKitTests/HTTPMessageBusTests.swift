import Foundation
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import Synchronization
import Testing

/// `HTTPMessageBus` against the real `AdminHTTPServer` backed by an `InMemoryMessageBus`: every bus call goes over
/// HTTP on the loopback interface and must come back as the in-memory bus answered it.
@Suite("HTTP message bus against the node's HTTP API")
struct HTTPMessageBusTests {
    static let remote = X25519.SecretKey.generate().publicKey

    func makeBus(maximumMessageSize: Int = 1 << 20, policy: TopicPolicy = TopicPolicy()) -> InMemoryMessageBus {
        InMemoryMessageBus(maximumMessageSize: maximumMessageSize, topicPolicy: policy, now: { 1_716_100_000 })
    }

    @Test("send to the node itself, receive it back, status received then read")
    func roundTrip() async throws {
        let bus = self.makeBus()
        try await withLiveMessageAPI(bus) { http in
            let payload = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let topic: [UInt8] = [0xFB, 0xFF, 0x00, 0x2B]  // base64 "+/8AKw==": '+', '/' and '=' need escaping
            let outcome = try await http.send(
                OutgoingMessage(destination: .ip(bus.address), topic: topic, payload: payload), replyTimeout: nil
            )
            guard case .accepted(let id) = outcome else {
                Issue.record("expected .accepted, got \(outcome)")
                return
            }
            #expect(try await http.status(of: id)?.state == .received)
            #expect(try await http.receive(peek: false, timeout: .zero, topic: [1]) == nil)
            let peeked = try #require(try await http.receive(peek: true, timeout: .zero, topic: topic))
            let message = try #require(try await http.receive(peek: false, timeout: .zero, topic: nil))
            #expect(peeked == message)
            #expect(message.id == id && message.topic == topic && message.payload == payload)
            #expect(message.source == bus.address && message.sourceKey == bus.publicKey)
            let status = try #require(try await http.status(of: id))
            #expect(status == MessageStatus(
                destination: bus.address, state: .read, created: 1_716_100_000, deadline: 1_716_100_300, length: 3000
            ))
            #expect(try await http.status(of: MessageID(rawValue: 42)) == nil)
            #expect(http.maximumMessageSize == HTTPMessageBus.defaultMaximumMessageSize)
        }
    }

    @Test("a long poll returns nil after its timeout, and a message as soon as one arrives")
    func longPoll() async throws {
        let bus = self.makeBus()
        try await withLiveMessageAPI(bus) { http in
            let start = ContinuousClock.now
            #expect(try await http.receive(peek: false, timeout: .milliseconds(300), topic: nil) == nil)
            #expect(ContinuousClock.now - start >= .milliseconds(900))  // whole seconds over HTTP: rounded up to 1 s

            async let waiting = http.receive(peek: false, timeout: .seconds(20), topic: Array("late".utf8))
            try await Task.sleep(for: .milliseconds(300))
            bus.deliver([9], topic: Array("other".utf8), from: Self.remote)
            let delivered = try #require(bus.deliver([7], topic: Array("late".utf8), from: Self.remote))
            let begin = ContinuousClock.now
            #expect(try await waiting == delivered)
            #expect(ContinuousClock.now - begin < .seconds(5))
        }
    }

    @Test("send with a reply timeout: the reply comes back (200), or the wait times out (408)")
    func replyTimeout() async throws {
        let bus = self.makeBus()
        try await withLiveMessageAPI(bus) { http in
            let message = OutgoingMessage(destination: .publicKey(Self.remote), topic: Array("q".utf8), payload: [1])
            async let outcome = http.send(message, replyTimeout: .seconds(20))
            var sent: InMemoryMessageBus.SentMessage?
            while sent == nil {
                try await Task.sleep(for: .milliseconds(20))
                sent = bus.sent.first
            }
            let id = try #require(sent).id
            let reply = try #require(bus.deliver([2, 3], from: Self.remote, replyingTo: id))
            #expect(try await outcome == .reply(reply))

            let timedOut = try await http.send(message, replyTimeout: .milliseconds(1))
            guard case .replyTimedOut(let lateID) = timedOut else {
                Issue.record("expected .replyTimedOut, got \(timedOut)")
                return
            }
            #expect(try await http.status(of: lateID)?.state == .pending)
        }
    }

    @Test("reply to a received message; replying to an unknown one is .unknownMessage")
    func reply() async throws {
        let bus = self.makeBus()
        try await withLiveMessageAPI(bus) { http in
            let received = try #require(bus.deliver([1], topic: Array("t".utf8), from: Self.remote))
            let answer = OutgoingMessage(
                destination: .publicKey(Self.remote), topic: Array("ignored".utf8), payload: [5]
            )
            try await http.reply(to: received.id, with: answer)
            #expect(bus.sent.last?.inReplyTo == received.id)
            #expect(bus.sent.last?.message.payload == [5])
            await #expect(throws: MessageBusError.unknownMessage(MessageID(rawValue: 7))) {
                try await http.reply(to: MessageID(rawValue: 7), with: answer)
            }
        }
    }

    @Test("the topic policy round-trips: default action, topics, sources, forward sockets")
    func topicPolicy() async throws {
        let bus = self.makeBus()
        try await withLiveMessageAPI(bus) { http in
            let chat = Array("chat".utf8)
            let odd: [UInt8] = [0xFB, 0xFF]  // base64 "+/8="
            let overlay = Subnet.overlay
            let single = try #require(Subnet("5a6:f0c6:f365:177d::1"))
            #expect(try await http.topicPolicy() == TopicPolicy())

            try await http.setDefaultTopicAction(accept: false)
            try await http.addTopic(chat)
            try await http.addTopic(odd)
            try await http.addTopicSource(overlay, to: chat)
            try await http.addTopicSource(single, to: odd)
            try await http.setTopicForwardSocket("/run/chat.sock", for: chat)
            let policy = try await http.topicPolicy()
            #expect(policy == (try await bus.topicPolicy()))
            #expect(!policy.defaultAccepts)
            #expect(policy.topics == [chat, odd])
            #expect(policy.rules[chat] == TopicPolicy.Rule(sources: [overlay], forwardSocket: "/run/chat.sock"))
            #expect(policy.rules[odd] == TopicPolicy.Rule(sources: [single]))

            try await http.removeTopicSource(single, from: odd)
            try await http.setTopicForwardSocket(nil, for: chat)
            try await http.removeTopic(chat)
            let after = try await http.topicPolicy()
            #expect(after == (try await bus.topicPolicy()))
            #expect(after.topics == [odd] && after.rules[odd]?.sources == [])
            #expect(try await bus.topicPolicy().forwardSocket(for: chat) == nil)
        }
    }

    @Test("limits and refusals map to MessageBusError")
    func errors() async throws {
        let bus = self.makeBus(maximumMessageSize: 1024)
        try await withLiveMessageAPI(bus) { http in
            let long = [UInt8](repeating: 0x61, count: 256)
            let longTopic = OutgoingMessage(destination: .ip(bus.address), topic: long, payload: [])
            await #expect(throws: MessageBusError.topicTooLong(256)) {
                try await http.send(longTopic, replyTimeout: nil)
            }
            await #expect(throws: MessageBusError.topicTooLong(256)) {
                try await http.receive(peek: false, timeout: .zero, topic: long)
            }
            await #expect(throws: MessageBusError.topicTooLong(256)) { try await http.addTopic(long) }
            // Over the node's limit (1024) but within the client's (64 MiB): the node's 413 quotes its limit.
            let big = OutgoingMessage(destination: .ip(bus.address), payload: [UInt8](repeating: 1, count: 2000))
            await #expect(throws: MessageBusError.messageTooLarge(size: 2000, limit: 1024)) {
                try await http.send(big, replyTimeout: nil)
            }
            let stranger = try #require(IPv6Address("2001:db8::1"))
            await #expect(throws: MessageBusError.unknownDestination(stranger)) {
                try await http.send(OutgoingMessage(destination: .ip(stranger), payload: [1]), replyTimeout: nil)
            }
            // Upstream's semantics, which the node's API keeps: removing from a topic without an entry is a no-op.
            try await http.removeTopicSource(Subnet.overlay, from: Array("none".utf8))
            await #expect(throws: MessageBusError.self) { try await http.removeTopic([]) }
        }
        // Over the client's own limit: refused before anything is sent.
        try await withLiveMessageAPI(bus, clientMaximumMessageSize: 100) { http in
            let big = OutgoingMessage(destination: .ip(bus.address), payload: [UInt8](repeating: 1, count: 101))
            await #expect(throws: MessageBusError.messageTooLarge(size: 101, limit: 100)) {
                try await http.send(big, replyTimeout: nil)
            }
            #expect(bus.sent.isEmpty)
        }
    }

    @Test("an API that is not there is .unavailable")
    func unavailable() async throws {
        let http = HTTPMessageBus(apiAddress: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 1))
        #expect(http.baseURL == "http://127.0.0.1:1")
        do {
            _ = try await http.receive(peek: false, timeout: .zero, topic: nil)
            Issue.record("an unreachable API answered")
        } catch {
            guard case .unavailable = error else {
                Issue.record("expected .unavailable, got \(error)")
                return
            }
        }
    }

    @Test("a subscription yields messages in order and ends when its task is cancelled")
    func subscription() async throws {
        let bus = self.makeBus()
        try await withLiveMessageAPI(bus) { http in
            let topic = Array("feed".utf8)
            let seen = Mutex<[ReceivedMessage]>([])
            let consumer = Task {
                for try await message in http.messages(topic: topic, pollTimeout: .seconds(30)) {
                    seen.withLock { $0.append(message) }
                }
                return seen.withLock { $0.count }
            }
            var expected: [ReceivedMessage] = []
            for index in 0..<3 {
                bus.deliver([0xEE], topic: Array("other".utf8), from: Self.remote)
                expected.append(try #require(bus.deliver([UInt8(index)], topic: topic, from: Self.remote)))
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while seen.withLock({ $0.count }) < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(seen.withLock { $0 } == expected)
            // The consumer is now inside a 30-second long poll; cancelling it must end the loop promptly.
            try await Task.sleep(for: .milliseconds(200))
            let cancelledAt = ContinuousClock.now
            consumer.cancel()
            #expect(try await consumer.value == 3)
            #expect(ContinuousClock.now - cancelledAt < .seconds(5))
            #expect(bus.inbox.map(\.topic) == [[UInt8]](repeating: Array("other".utf8), count: 3))
        }
    }
}
