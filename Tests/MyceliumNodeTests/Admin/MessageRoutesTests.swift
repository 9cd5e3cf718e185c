import Hummingbird
import HummingbirdTesting
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import MyceliumNode
import Testing

@Suite("Message HTTP API routes")
struct MessageRoutesTests {
    static let localIP = "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"
    static let remoteIP = "5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e"
    static let localKeyHex = FixedNodeAdministration.publicKeyHex
    static let remoteKeyHex = FixedNodeAdministration.remoteKeyHex
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    /// Runs `body` against the admin router with the message routes of a fresh in-memory bus that has the fixture's
    /// node key.
    func withClient(
        maximumMessageSize: Int = 4096,
        _ body: @Sendable (any TestClientProtocol, InMemoryMessageBus) async throws -> Void
    ) async throws {
        let bus = InMemoryMessageBus(
            publicKey: try X25519.PublicKey(hexString: Self.localKeyHex), maximumMessageSize: maximumMessageSize,
            now: { 1_716_100_000 }
        )
        let router = AdminHTTPServer.makeRouter(administration: try FixedNodeAdministration(), messages: bus)
        try await Application(router: router).test(.router) { client in try await body(client, bus) }
    }

    static func remoteKey() throws -> X25519.PublicKey { try X25519.PublicKey(hexString: Self.remoteKeyHex) }

    static func post(
        _ client: any TestClientProtocol,
        _ uri: String,
        _ json: String,
        method: HTTPRequest.Method = .post,
        headers: HTTPFields = Self.jsonHeaders
    ) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: json))
    }

    static func error(_ reason: String) -> String { #"{"error":"\#(reason)"}"# }

    @Test("POST /api/v1/messages: 201 {id}; the bus sent it")
    func push() async throws {
        try await self.withClient { client, bus in
            let body = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"topic":"Y2hhdA==","payload":"aGVsbG8="}"#
            let response = try await Self.post(client, "/api/v1/messages", body)
            #expect(response.status == .created)
            #expect(response.headers[.contentType] == "application/json")
            let sent = try #require(bus.sent.first)
            #expect(String(buffer: response.body) == #"{"id":"\#(sent.id.hexString)"}"#)
            let expected = OutgoingMessage(
                destination: .publicKey(try Self.remoteKey()), topic: Array("chat".utf8), payload: Array("hello".utf8)
            )
            #expect(sent.message == expected)

            let status = try await client.execute(uri: "/api/v1/messages/status/\(sent.id.hexString)", method: .get)
            #expect(status.status == .ok)
            #expect(
                String(buffer: status.body)
                    == #"{"dst":"\#(Self.remoteIP)","state":"pending","created":1716100000,"deadline":1716100300,"#
                    + #""msgLen":5}"#
            )
            bus.setState(.sending(pending: 1, sent: 2, acked: 3), of: sent.id)
            let uppercase = "/api/v1/messages/status/\(sent.id.hexString.uppercased())"
            let sending = try await client.execute(uri: uppercase, method: .get)
            #expect(String(buffer: sending.body).contains(#""state":{"sending":{"pending":1,"sent":2,"acked":3}}"#))
        }
    }

    @Test("GET /api/v1/messages: the message in upstream's shape; peek keeps it; topic filters; 204 when empty")
    func pop() async throws {
        try await self.withClient { client, bus in
            let empty = try await client.execute(uri: "/api/v1/messages", method: .get)
            #expect(empty.status == .noContent)
            #expect(empty.body.readableBytes == 0)

            let remote = try Self.remoteKey()
            let first = try #require(bus.deliver(Array("hello".utf8), topic: Array("chat".utf8), from: remote))
            let second = try #require(bus.deliver([0xFB, 0xFF], from: try Self.remoteKey()))
            let expected =
                #"{"id":"\#(first.id.hexString)","srcIp":"\#(Self.remoteIP)","srcPk":"\#(Self.remoteKeyHex)","#
                + #""dstIp":"\#(Self.localIP)","dstPk":"\#(Self.localKeyHex)","topic":"Y2hhdA==","payload":"aGVsbG8="}"#
            for _ in 0..<2 {
                let peeked = try await client.execute(uri: "/api/v1/messages?peek=true", method: .get)
                #expect(peeked.status == .ok)
                #expect(String(buffer: peeked.body) == expected)
            }
            let filtered = try await client.execute(uri: "/api/v1/messages?topic=&peek=false", method: .get)
            #expect(
                String(buffer: filtered.body)
                    == #"{"id":"\#(second.id.hexString)","srcIp":"\#(Self.remoteIP)","srcPk":"\#(Self.remoteKeyHex)","#
                    + #""dstIp":"\#(Self.localIP)","dstPk":"\#(Self.localKeyHex)","payload":"+/8="}"#
            )
            let byTopic = try await client.execute(uri: "/api/v1/messages?topic=Y2hhdA%3D%3D&unknown=1", method: .get)
            #expect(String(buffer: byTopic.body) == expected)
            #expect(bus.inbox.isEmpty)
        }
    }

    @Test("GET /api/v1/messages?timeout=: 204 after the timeout, 200 as soon as a message arrives")
    func longPoll() async throws {
        try await self.withClient { client, bus in
            let clock = ContinuousClock()
            let start = clock.now
            let timedOut = try await client.execute(uri: "/api/v1/messages?timeout=1", method: .get)
            #expect(timedOut.status == .noContent)
            #expect(clock.now - start >= .seconds(1))

            let begin = clock.now
            async let waiting = client.execute(uri: "/api/v1/messages?timeout=30", method: .get)
            try await Task.sleep(for: .milliseconds(100))
            bus.deliver([1], from: try Self.remoteKey())
            let arrived = try await waiting
            #expect(arrived.status == .ok)
            #expect(String(buffer: arrived.body).hasSuffix(#""payload":"AQ=="}"#))
            #expect(clock.now - begin < .seconds(10))
        }
    }

    @Test("POST /api/v1/messages?reply_timeout=: 200 and the reply, or 408 {id}")
    func pushAwaitingReply() async throws {
        try await self.withClient { client, bus in
            let push = #"{"dst":{"ip":"\#(Self.localIP)"},"payload":"cGluZw=="}"#
            async let pushed = Self.post(client, "/api/v1/messages?reply_timeout=30", push)
            let request = try await client.execute(uri: "/api/v1/messages?timeout=30", method: .get)
            let id = try #require(bus.sent.first?.id)
            #expect(String(buffer: request.body).hasPrefix(#"{"id":"\#(id.hexString)","srcIp":"\#(Self.localIP)""#))
            let reply = #"{"dst":{"ip":"\#(Self.localIP)"},"payload":"cG9uZw=="}"#
            let replied = try await Self.post(client, "/api/v1/messages/reply/\(id.hexString)", reply)
            #expect(replied.status == .noContent)
            let response = try await pushed
            #expect(response.status == .ok)
            #expect(
                String(buffer: response.body)
                    == #"{"id":"\#(id.hexString)","srcIp":"\#(Self.localIP)","srcPk":"\#(Self.localKeyHex)","#
                    + #""dstIp":"\#(Self.localIP)","dstPk":"\#(Self.localKeyHex)","payload":"cG9uZw=="}"#
            )

            let timedOut = try await Self.post(client, "/api/v1/messages?reply_timeout=0", push)
            #expect(timedOut.status == .requestTimeout)
            #expect(String(buffer: timedOut.body) == #"{"id":"\#(try #require(bus.sent.last?.id).hexString)"}"#)
        }
    }

    @Test("POST /api/v1/messages/reply/{id}: 204; 404 for an id never received; 400 for a malformed id")
    func reply() async throws {
        try await self.withClient { client, bus in
            let message = try #require(bus.deliver([1], from: try Self.remoteKey()))
            let body = #"{"dst":{"ip":"\#(Self.remoteIP)"},"payload":"Ag=="}"#
            let replied = try await Self.post(client, "/api/v1/messages/reply/\(message.id.hexString)", body)
            #expect(replied.status == .noContent)
            #expect(bus.sent.first?.inReplyTo == message.id)
            #expect(bus.sent.first?.message.payload == [2])

            let unknown = try await Self.post(client, "/api/v1/messages/reply/0000000000000001", body)
            #expect(unknown.status == .notFound)
            #expect(String(buffer: unknown.body) == Self.error("no message with id 0000000000000001"))

            let short = try await Self.post(client, "/api/v1/messages/reply/abc", body)
            #expect(short.status == .badRequest)
            #expect(String(buffer: short.body) == Self.error("Invalid URL: Message ID is 16 characters long"))
            let notHex = try await Self.post(client, "/api/v1/messages/reply/000000000000000g", "not json")
            #expect(notHex.status == .badRequest)
            #expect(String(buffer: notHex.body) == Self.error("Invalid URL: MessageID is not valid hex"))
        }
    }

    @Test("GET /api/v1/messages/status/{id}: 404 unknown, 400 malformed")
    func statusErrors() async throws {
        try await self.withClient { client, _ in
            let unknown = try await client.execute(uri: "/api/v1/messages/status/00000000000000ab", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/json")
            #expect(String(buffer: unknown.body) == Self.error("no message with id 00000000000000ab"))
            let bad = try await client.execute(uri: "/api/v1/messages/status/00000000000000abc", method: .get)
            #expect(bad.status == .badRequest)
        }
    }

    @Test(
        "POST /api/v1/messages refuses malformed input with upstream's status and a JSON error",
        arguments: [
            (#"{"dst":{"pk":"\#(remoteKeyHex)"},"payload":"aGVsbG8"}"#, HTTPResponse.Status.unprocessableContent,
             "Failed to deserialize the JSON body into the target type: payload: Invalid padding"),
            (#"{"dst":{"pk":"\#(remoteKeyHex)"},"topic":"*","payload":""}"#, .unprocessableContent,
             "Failed to deserialize the JSON body into the target type: topic: Invalid symbol 42, offset 0."),
            (#"{"dst":{"pk":"\#(remoteKeyHex)"},"topic":"\#(String(repeating: "QUFB", count: 85))QQ==","payload":""}"#,
             .badRequest, "topic is 256 bytes, at most 255 are allowed"),
            (#"{"dst":{"ip":"2001:db8::1"},"payload":""}"#, .badRequest,
             "2001:db8::1 is not a Mycelium overlay address (400::/7)"),
            (#"{"dst":{"pk":"\#(remoteKeyHex)"},"payload":"\#(String(repeating: "A", count: 24))"}"#, .contentTooLarge,
             "message is 18 bytes, at most 16 are allowed"),
            (#"{"dst":{"pk":"\#(remoteKeyHex)"},"#, .badRequest,
             "Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 81"),
            (#"{"dst":{"pk":"\#(remoteKeyHex)"}}"#, .unprocessableContent,
             "Failed to deserialize the JSON body into the target type: missing field `payload`"),
            (#"{"dst":{"host":"x"},"payload":""}"#, .unprocessableContent,
             "Failed to deserialize the JSON body into the target type: "
                + "dst: unknown variant `host`, expected `ip` or `pk`"),
        ]
    )
    func pushRefusals(body: String, status: HTTPResponse.Status, reason: String) async throws {
        try await self.withClient(maximumMessageSize: 16) { client, bus in
            let response = try await Self.post(client, "/api/v1/messages", body)
            #expect(response.status == status)
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body) == Self.error(reason))
            #expect(bus.sent.isEmpty)
        }
    }

    @Test("POST /api/v1/messages: content type, body limit from the bus's maximum, query")
    func pushTransport() async throws {
        try await self.withClient(maximumMessageSize: 16) { client, _ in
            let body = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"payload":"aGk="}"#
            let plain = try await Self.post(client, "/api/v1/messages", body, headers: [.contentType: "text/plain"])
            #expect(plain.status == .unsupportedMediaType)
            #expect(String(buffer: plain.body) == Self.error("Expected request with `Content-Type: application/json`"))

            let huge = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"payload":"\#(String(repeating: "A", count: 70_000))"}"#
            let tooLarge = try await Self.post(client, "/api/v1/messages", huge)
            #expect(tooLarge.status == .contentTooLarge)
            let limitReason = "Failed to buffer the request body: length limit exceeded"
            #expect(String(buffer: tooLarge.body) == Self.error(limitReason))

            let badQuery = try await Self.post(client, "/api/v1/messages?reply_timeout=soon", body)
            #expect(badQuery.status == .badRequest)
            #expect(String(buffer: badQuery.body).hasPrefix(#"{"error":"Failed to deserialize query string: "#))
        }
        try await self.withClient(maximumMessageSize: 200_000) { client, bus in
            // Exactly the largest payload: 200_000 bytes are 266_668 base64 characters, the last one `=`.
            let payload = String(repeating: "A", count: 266_664) + "AAA="
            let big = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"payload":"\#(payload)"}"#
            let accepted = try await Self.post(client, "/api/v1/messages", big)
            #expect(accepted.status == .created)
            #expect(bus.sent.first?.message.payload.count == 200_000)
        }
    }

    @Test(
        "GET /api/v1/messages refuses a malformed query with 400",
        arguments: ["peek=yes", "timeout=-1", "topic=%%%", "topic=a+b==", "peek=true&peek=false"]
    )
    func badQuery(_ query: String) async throws {
        try await self.withClient { client, _ in
            let response = try await client.execute(uri: "/api/v1/messages?\(query)", method: .get)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).hasPrefix(#"{"error":"Failed to deserialize query string: "#))
        }
    }

    @Test(
        "known paths answer other methods with 405 and Allow",
        arguments: [
            ("/api/v1/messages", HTTPRequest.Method.delete, "GET,POST,HEAD"),
            ("/api/v1/messages/reply/0000000000000001", .get, "POST"),
            ("/api/v1/messages/status/0000000000000001", .post, "GET,HEAD"),
            ("/api/v1/messages/topics/default", .delete, "GET,PUT,HEAD"),
            ("/api/v1/messages/topics", .put, "GET,POST,HEAD"),
            ("/api/v1/messages/topics/aGk%3D", .get, "DELETE"),
            ("/api/v1/messages/topics/aGk%3D/sources", .delete, "GET,POST,HEAD"),
            ("/api/v1/messages/topics/aGk%3D/sources/400%3A%3A%2F7", .get, "DELETE"),
            ("/api/v1/messages/topics/aGk%3D/forward", .patch, "GET,PUT,DELETE,HEAD"),
        ]
    )
    func methodNotAllowed(uri: String, method: HTTPRequest.Method, allowed: String) async throws {
        try await self.withClient { client, _ in
            let response = try await client.execute(uri: uri, method: method)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allowed)
        }
    }
}
