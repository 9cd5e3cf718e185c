import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import MyceliumNode
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// Two bus drivers joined by an in-process transport (no data plane): the node glue around the pure state machine —
/// persistence before acknowledgement, long polls, replies, restarts, malformed packets.
@Suite("Message bus driver")
struct MessageBusDriverTests {
    @Test("messages of 1, 3,999 and 1 MiB bytes arrive intact; the status ends read after the receiver reads")
    func roundTrip() async throws {
        try await BusPair.run { pair in
            for size in [1, 3 * 1300 + 99, 1 << 20] {
                let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ size) }
                let outcome = try await pair.a.send(
                    OutgoingMessage(destination: .publicKey(pair.b.identity.publicKey), topic: Array("t".utf8), payload: payload),
                    replyTimeout: nil
                )
                guard case .accepted(let id) = outcome else { Issue.record("not accepted: \(outcome)"); return }
                let message = try #require(try await pair.b.receive(peek: false, timeout: .seconds(10), topic: nil))
                #expect(message.id == id)
                #expect(message.payload == payload)
                #expect(message.topic == Array("t".utf8))
                #expect(message.source == pair.a.identity.address)
                #expect(message.sourceKey == pair.a.identity.publicKey)
                let read = try await BusPair.waitUntil { try await pair.a.status(of: id)?.state == .read }
                let status = try await pair.a.status(of: id)
                #expect(read, "status of \(size)-byte message: \(String(describing: status))")
            }
        }
    }

    @Test("a reply within reply_timeout comes back to the waiting sender; without one the wait times out")
    func replies() async throws {
        try await BusPair.run { pair in
            async let answered: PushOutcome = pair.a.send(
                OutgoingMessage(destination: .publicKey(pair.b.identity.publicKey), payload: Array("ping".utf8)),
                replyTimeout: .seconds(5)
            )
            let request = try #require(try await pair.b.receive(peek: false, timeout: .seconds(5), topic: nil))
            try await pair.b.reply(
                to: request.id,
                with: OutgoingMessage(destination: .publicKey(pair.a.identity.publicKey), payload: Array("pong".utf8))
            )
            guard case .reply(let reply) = try await answered else { Issue.record("no reply"); return }
            #expect(reply.payload == Array("pong".utf8))
            #expect(reply.id == request.id)

            let clock = ContinuousClock()
            let start = clock.now
            let unanswered = try await pair.a.send(
                OutgoingMessage(destination: .publicKey(pair.b.identity.publicKey), payload: [1]),
                replyTimeout: .milliseconds(300)
            )
            guard case .replyTimedOut = unanswered else { Issue.record("expected a timeout: \(unanswered)"); return }
            #expect(clock.now - start < .seconds(3))
        }
    }

    @Test("messages survive restarts: outbox on the sender, inbox on the receiver; none is delivered twice")
    func restarts() async throws {
        let directory = try BusTemporaryDirectory()
        let keys = (X25519.SecretKey.generate(), X25519.SecretKey.generate())
        var ids: Set<MessageID> = []
        // B is down: messages wait in A's outbox.
        try await BusPair.run(keys: keys, directory: directory.path, linkUp: false) { pair in
            for index in 0..<20 {
                let outcome = try await pair.a.send(
                    OutgoingMessage(destination: .publicKey(pair.b.identity.publicKey), payload: [UInt8(index)]),
                    replyTimeout: nil
                )
                if case .accepted(let id) = outcome { ids.insert(id) }
                let state = try await pair.a.status(of: outcome.id)?.state
                #expect(state == .pending)
            }
        }
        #expect(ids.count == 20)
        // Both restart with the link up: everything arrives, once.
        try await BusPair.run(keys: keys, directory: directory.path) { pair in
            var received: [MessageID] = []
            while let message = try await pair.b.receive(peek: false, timeout: .seconds(5), topic: nil) {
                received.append(message.id)
                if received.count == ids.count { break }
            }
            #expect(Set(received) == ids)
            #expect(received.count == ids.count)
            #expect(try await pair.b.receive(peek: false, timeout: .milliseconds(500), topic: nil) == nil)
        }
        // Restarting again delivers nothing a second time.
        try await BusPair.run(keys: keys, directory: directory.path) { pair in
            let again = try await pair.b.receive(peek: false, timeout: .seconds(1), topic: nil)
            #expect(again == nil)
        }
    }

    @Test("malformed bus packets are dropped and counted")
    func malformedPackets() async throws {
        try await BusPair.run { pair in
            let garbage: [[UInt8]] = [[], [1, 2, 3], Array(repeating: 0xFF, count: 40), [0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0, 0, 0]]
            for bytes in garbage {
                pair.b.receiveMessagePacket(ByteBuffer(bytes: bytes), from: pair.a.identity.address, key: pair.a.identity.publicKey)
            }
            #expect(pair.b.counters.malformedPackets == UInt64(garbage.count))
        }
    }
}

extension PushOutcome {
    var id: MessageID {
        switch self {
        case .accepted(let id), .replyTimedOut(let id): id
        case .reply(let message): message.id
        }
    }
}

/// A topic's forward socket (spec §5.4) answers for the node.
@Suite("Message bus topic forwarding")
struct MessageBusForwardingTests {
    @Test("a message under a topic with a forward socket goes to the socket, and its answer comes back as the reply")
    func forwardSocketAnswers() async throws {
        let directory = try BusTemporaryDirectory()
        let path = directory.path + "/echo.sock"
        let server = try await ReversingSocketServer.start(path: path)
        try await BusPair.run { pair in
            // A topic with an entry accepts only its listed sources (spec §5.4).
            try await pair.b.addTopic(Array("echo".utf8))
            try await pair.b.addTopicSource(Subnet.overlay, to: Array("echo".utf8))
            try await pair.b.setTopicForwardSocket(path, for: Array("echo".utf8))
            let outcome = try await pair.a.send(
                OutgoingMessage(
                    destination: .publicKey(pair.b.identity.publicKey), topic: Array("echo".utf8),
                    payload: Array("stressed".utf8)
                ),
                replyTimeout: .seconds(10)
            )
            guard case .reply(let reply) = outcome else { Issue.record("no reply: \(outcome)"); return }
            #expect(reply.payload == Array("desserts".utf8))
            #expect(reply.source == pair.b.identity.address)
            // Forwarded, so not left in B's inbox.
            let left = try await pair.b.receive(peek: true, timeout: .zero, topic: nil)
            #expect(left == nil)
        }
        try await server.close()
    }

    @Test("when the forward socket is gone, the message stays in the inbox")
    func forwardSocketMissing() async throws {
        try await BusPair.run { pair in
            try await pair.b.addTopic(Array("gone".utf8))
            try await pair.b.addTopicSource(pair.a.identity.subnet, to: Array("gone".utf8))
            try await pair.b.setTopicForwardSocket("/nonexistent/mycelium.sock", for: Array("gone".utf8))
            _ = try await pair.a.send(
                OutgoingMessage(
                    destination: .publicKey(pair.b.identity.publicKey), topic: Array("gone".utf8), payload: [42]
                ),
                replyTimeout: nil
            )
            let kept = try await pair.b.receive(peek: false, timeout: .seconds(10), topic: Array("gone".utf8))
            #expect(kept?.payload == [42])
        }
    }
}
