import Foundation
import MyceliumCore
import MyceliumCrypto
import Testing

/// The message bus between real daemons on loopback (spec §5): delivery, replies, status, restarts, and the API's
/// refusals.
@Suite("Message bus between daemons", .serialized)
struct MessageBusDaemonTests {
    /// Two daemons, A dialling B, converged.
    static func pair(extraArguments: [String] = []) async throws -> DaemonCluster {
        let cluster = try DaemonCluster(names: ["A", "B"], links: [0: [1]])
        try await cluster.startAll(extraArguments: extraArguments)
        let converged = try await DaemonCluster.waitUntil(timeout: .seconds(10)) { await cluster.isConverged([0, 1]) }
        try #require(converged != nil, "A and B did not converge")
        return cluster
    }

    static func payload(_ size: Int, seed: Int = 0) -> Data {
        Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ seed &+ $0 >> 8) })
    }

    @Test("1 B, 1300·k+100 B and 10 MiB arrive intact; status moves pending → sending → received → read")
    func deliveryAndStatus() async throws {
        let cluster = try await Self.pair()
        let (a, b, keyB) = (cluster.api(0), cluster.api(1), cluster.publicKeyHex(1))
        for size in [1, 1300 * 3 + 100, 10 << 20] {
            let payload = Self.payload(size, seed: size)
            let clock = ContinuousClock()
            let start = clock.now
            let pushed = try await a.push(to: keyB, payload: payload, topic: "size")
            #expect(pushed.status == 201)
            let id = try #require(pushed.object?["id"] as? String)
            // Watch the sender's status while B has not read it yet.
            var states: [String] = []
            let received = try await DaemonCluster.waitUntil(timeout: .seconds(60)) {
                guard let state = try? await a.messageState(id: id) else { return false }
                if states.last != state { states.append(state) }
                return state == "received"
            }
            try #require(received != nil, "\(size) B: status never became received (saw \(states))")
            let elapsed = clock.now - start
            let message = try #require(try await b.pop(timeout: 5))
            #expect(message["id"] as? String == id)
            #expect((message["payload"] as? String).flatMap { Data(base64Encoded: $0) } == payload)
            #expect((message["topic"] as? String).flatMap { Data(base64Encoded: $0) } == Data("size".utf8))
            #expect(message["srcPk"] as? String == cluster.publicKeyHex(0))
            let read = try await DaemonCluster.waitUntil(timeout: .seconds(5)) {
                let state = try? await a.messageState(id: id)
                if let state, states.last != state { states.append(state) }
                return state == "read"
            }
            #expect(read != nil, "\(size) B: status never became read (saw \(states))")
            let order = ["pending", "sending", "received", "read"]
            let positions = states.compactMap { order.firstIndex(of: $0) }
            #expect(positions == positions.sorted() && positions.count == states.count, "states out of order: \(states)")
            print("bus: \(size) B message A→B received in \(elapsed.millisecondsClamped) ms; states seen \(states.joined(separator: " → "))")
        }
    }

    @Test("a reply within reply_timeout is returned to the sender (200); without one, 408 with the id")
    func replyTimeout() async throws {
        let cluster = try await Self.pair()
        let (a, b, keyB) = (cluster.api(0), cluster.api(1), cluster.publicKeyHex(1))
        async let answered = a.push(to: keyB, payload: Data("ping".utf8), topic: "rpc", replyTimeout: 10)
        let request = try #require(try await b.pop(timeout: 10))
        let id = try #require(request["id"] as? String)
        let reply = try await b.request(
            "POST", "/api/v1/messages/reply/\(id)",
            json: ["dst": ["pk": cluster.publicKeyHex(0)], "payload": Data("pong".utf8).base64EncodedString()]
        )
        #expect(reply.status == 204)
        let result = try await answered
        #expect(result.status == 200)
        #expect((result.object?["payload"] as? String).flatMap { Data(base64Encoded: $0) } == Data("pong".utf8))
        #expect(result.object?["id"] as? String == id)

        let clock = ContinuousClock()
        let start = clock.now
        let unanswered = try await a.push(to: keyB, payload: Data("hello?".utf8), replyTimeout: 1)
        let waited = clock.now - start
        #expect(unanswered.status == 408)
        #expect(unanswered.object?["id"] as? String != nil)
        #expect(waited >= .milliseconds(900) && waited < .seconds(5), "reply_timeout=1 took \(waited)")
    }

    @Test("receiver down: 100 messages wait in the sender's outbox and arrive exactly once when it is back")
    func storeAndForward() async throws {
        let cluster = try await Self.pair()
        let (a, b, keyB) = (cluster.api(0), cluster.api(1), cluster.publicKeyHex(1))
        cluster.kill(1)
        var sent: [String: Data] = [:]
        for index in 0..<100 {
            let payload = Self.payload(100 + index, seed: index)
            let pushed = try await a.push(to: keyB, payload: payload)
            #expect(pushed.status == 201)
            if let id = pushed.object?["id"] as? String { sent[id] = payload }
        }
        #expect(sent.count == 100)
        if let first = sent.keys.first {
            #expect(try await a.messageState(id: first) == "pending")
        }
        try cluster.start(1)
        _ = try await DaemonCluster.waitUntil(timeout: .seconds(10)) { await cluster.get(1, "/api/v1/admin") != nil }
        var received: [String: Data] = [:]
        var duplicates = 0
        let clock = ContinuousClock()
        let start = clock.now
        while received.count < 100, clock.now - start < .seconds(60) {
            guard let message = try await b.pop(timeout: 5) else { continue }
            let id = message["id"] as? String ?? ""
            if received[id] != nil { duplicates += 1 }
            received[id] = (message["payload"] as? String).flatMap { Data(base64Encoded: $0) }
        }
        #expect(received.count == 100, "received \(received.count) of 100")
        #expect(received == sent)
        // Nothing arrives twice, even after the sender's retries settle.
        #expect(try await b.pop(timeout: 2) == nil)
        #expect(duplicates == 0)
        print("bus: receiver restarted; 100 queued messages delivered once in \((clock.now - start).millisecondsClamped) ms")
    }

    @Test("sender restarted mid-transfer: the 10 MiB message still arrives, once and intact")
    func senderRestart() async throws {
        let cluster = try await Self.pair()
        let (a, b, keyB) = (cluster.api(0), cluster.api(1), cluster.publicKeyHex(1))
        let payload = Self.payload(10 << 20, seed: 7)
        let pushed = try await a.push(to: keyB, payload: payload)
        let id = try #require(pushed.object?["id"] as? String)
        try await Task.sleep(for: .milliseconds(30))
        let stateAtKill = try await a.messageState(id: id)
        cluster.kill(0)
        try cluster.start(0)
        _ = try await DaemonCluster.waitUntil(timeout: .seconds(10)) { await cluster.get(0, "/api/v1/admin") != nil }
        let message = try #require(try await b.pop(timeout: 60), "nothing arrived after the restart")
        #expect(message["id"] as? String == id)
        #expect((message["payload"] as? String).flatMap { Data(base64Encoded: $0) } == payload)
        #expect(try await b.pop(timeout: 2) == nil)
        print("bus: sender killed while the message was \(stateAtKill ?? "unknown"); delivered after restart")
    }

    @Test("`mycelium message send` on A and `message receive --raw` on B carry a message between real daemons")
    func commandLine() async throws {
        let cluster = try await Self.pair()
        let (apiA, apiB) = ("127.0.0.1:\(cluster.nodes[0].apiPort)", "127.0.0.1:\(cluster.nodes[1].apiPort)")
        let sent = try await MyceliumProcess.runDetached(
            ["message", "send", "--api-addr", apiA, "-t", "greetings", cluster.publicKeyHex(1), "hello over the overlay"]
        )
        #expect(sent.status == 0, "send: \(sent.standardError)")
        #expect(sent.standardOutput.contains("\"id\""), "send printed: \(sent.standardOutput)")
        let received = try await MyceliumProcess.runDetached(
            ["message", "receive", "--api-addr", apiB, "--timeout", "10", "-t", "greetings", "--raw"]
        )
        #expect(received.status == 0, "receive: \(received.standardError)")
        #expect(received.standardOutput == "hello over the overlay\n")
    }

    @Test("malformed input gets upstream's status codes and a JSON error")
    func malformedInput() async throws {
        let cluster = try await Self.pair(extraArguments: ["--max-message-size", "1000"])
        let a = cluster.api(0)
        let key = cluster.publicKeyHex(1)
        let cases: [(String, Any, Int)] = [
            ("bad base64 payload", ["dst": ["pk": key], "payload": "%%%"], 422),
            ("topic over 255 bytes", ["dst": ["pk": key], "payload": "AA==", "topic": Data(count: 256).base64EncodedString()], 400),
            ("destination outside the overlay", ["dst": ["ip": "2001:db8::1"], "payload": "AA=="], 400),
            ("oversized message", ["dst": ["pk": key], "payload": Data(count: 1001).base64EncodedString()], 413),
        ]
        for (name, body, expected) in cases {
            let reply = try await a.request("POST", "/api/v1/messages", json: body)
            #expect(reply.status == expected, "\(name): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
            #expect(reply.object?["error"] is String, "\(name): no JSON error: \(String(decoding: reply.body, as: UTF8.self))")
        }
        let notJSON = try await a.request("POST", "/api/v1/messages", rawBody: Data("{".utf8))
        #expect(notJSON.status == 400)
        let unknown = try await a.request("GET", "/api/v1/messages/status/0123456789abcdef")
        #expect(unknown.status == 404)
        #expect(cluster.isRunning(0))
    }
}
