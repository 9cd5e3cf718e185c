import Hummingbird
import HummingbirdTesting
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import MyceliumNode
import Testing

@Suite("Message HTTP API topic routes")
struct MessageTopicRoutesTests {
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    func withClient(_ body: @Sendable (any TestClientProtocol, InMemoryMessageBus) async throws -> Void) async throws {
        let bus = InMemoryMessageBus(publicKey: try X25519.PublicKey(hexString: FixedNodeAdministration.publicKeyHex))
        let router = AdminHTTPServer.makeRouter(administration: try FixedNodeAdministration(), messages: bus)
        try await Application(router: router).test(.router) { client in try await body(client, bus) }
    }

    static func send(
        _ client: any TestClientProtocol,
        _ uri: String,
        _ method: HTTPRequest.Method,
        _ json: String? = nil
    ) async throws -> (HTTPResponse.Status, String) {
        let response = try await client.execute(
            uri: uri, method: method, headers: json == nil ? [:] : Self.jsonHeaders,
            body: json.map { ByteBuffer(string: $0) }
        )
        return (response.status, String(buffer: response.body))
    }

    @Test("default action: GET {accept}, PUT 204")
    func defaultAction() async throws {
        try await self.withClient { client, bus in
            #expect(try await Self.send(client, "/api/v1/messages/topics/default", .get) == (.ok, #"{"accept":true}"#))
            let put = try await Self.send(client, "/api/v1/messages/topics/default", .put, #"{"accept":false}"#)
            #expect(put == (.noContent, ""))
            #expect(try await Self.send(client, "/api/v1/messages/topics/default", .get) == (.ok, #"{"accept":false}"#))
            #expect(try await bus.topicPolicy().defaultAccepts == false)
            let (status, _) = try await Self.send(client, "/api/v1/messages/topics/default", .put, #"{"accept":"no"}"#)
            #expect(status == .unprocessableContent)
        }
    }

    @Test("topics: POST a byte array (201), GET base64 list, DELETE by base64 path (204)")
    func topics() async throws {
        try await self.withClient { client, bus in
            #expect(try await Self.send(client, "/api/v1/messages/topics", .get) == (.ok, "[]"))
            #expect(try await Self.send(client, "/api/v1/messages/topics", .post, "[104,105]") == (.created, ""))
            #expect(try await Self.send(client, "/api/v1/messages/topics", .post, "[251,255]") == (.created, ""))
            #expect(try await Self.send(client, "/api/v1/messages/topics", .get) == (.ok, #"["aGk=","+/8="]"#))
            #expect(try await bus.topicPolicy().topics == [[0x68, 0x69], [0xFB, 0xFF]])

            // `+/8=` percent-encoded in the path.
            #expect(try await Self.send(client, "/api/v1/messages/topics/%2B%2F8%3D", .delete) == (.noContent, ""))
            #expect(try await Self.send(client, "/api/v1/messages/topics/aGk=", .delete) == (.noContent, ""))
            #expect(try await Self.send(client, "/api/v1/messages/topics/bm9uZQ%3D%3D", .delete) == (.noContent, ""))
            #expect(try await bus.topicPolicy().topics.isEmpty)

            let (badPath, reason) = try await Self.send(client, "/api/v1/messages/topics/aGk", .delete)
            #expect(badPath == .badRequest)
            #expect(reason == #"{"error":"invalid base64 topic: Invalid padding"}"#)
            let long = "[" + Array(repeating: "1", count: 256).joined(separator: ",") + "]"
            let (tooLong, why) = try await Self.send(client, "/api/v1/messages/topics", .post, long)
            #expect(tooLong == .badRequest)
            #expect(why == #"{"error":"topic is 256 bytes, at most 255 are allowed"}"#)
            let (notBytes, _) = try await Self.send(client, "/api/v1/messages/topics", .post, #""aGk=""#)
            #expect(notBytes == .unprocessableContent)
            let (byteRange, _) = try await Self.send(client, "/api/v1/messages/topics", .post, "[256]")
            #expect(byteRange == .unprocessableContent)
        }
    }

    @Test("sources: POST creates the topic (201), GET lists, 404 for an unknown topic, DELETE 204, bad subnet 400")
    func sources() async throws {
        try await self.withClient { client, bus in
            let base = "/api/v1/messages/topics/aGk%3D/sources"
            let (missing, body) = try await Self.send(client, base, .get)
            #expect(missing == .notFound)
            #expect(body == #"{"error":"topic is not configured"}"#)

            #expect(try await Self.send(client, base, .post, #"{"subnet":"400::/7"}"#) == (.created, ""))
            #expect(try await Self.send(client, base, .post, #"{"subnet":"5e5:2195:7cc4:bfb0::1"}"#) == (.created, ""))
            #expect(try await Self.send(client, base, .get) == (.ok, #"["400::/7","5e5:2195:7cc4:bfb0::1/128"]"#))
            #expect(try await bus.topicPolicy().topics == [Array("hi".utf8)])

            #expect(try await Self.send(client, base + "/400%3A%3A%2F7", .delete) == (.noContent, ""))
            #expect(try await Self.send(client, base, .get) == (.ok, #"["5e5:2195:7cc4:bfb0::1/128"]"#))
            // Removing from a topic without an entry does nothing, as upstream.
            let unknown = "/api/v1/messages/topics/bm9uZQ==/sources/400%3A%3A%2F7"
            #expect(try await Self.send(client, unknown, .delete) == (.noContent, ""))

            let (badSubnet, reason) = try await Self.send(client, base, .post, #"{"subnet":"400::/300"}"#)
            #expect(badSubnet == .badRequest)
            #expect(reason == #"{"error":"invalid subnet: 400::/300"}"#)
            #expect(try await Self.send(client, base + "/banana", .delete).0 == .badRequest)
            #expect(try await Self.send(client, "/api/v1/messages/topics/!/sources", .get).0 == .badRequest)
            #expect(try await Self.send(client, base, .post, #"{"net":"400::/7"}"#).0 == .unprocessableContent)
        }
    }

    @Test("forward socket: GET null, PUT 204, GET the path, DELETE 204; unknown topics are a no-op")
    func forward() async throws {
        try await self.withClient { client, bus in
            let uri = "/api/v1/messages/topics/aGk%3D/forward"
            #expect(try await Self.send(client, uri, .get) == (.ok, "null"))
            #expect(try await Self.send(client, uri, .put, #"{"socketPath":"/run/hi.sock"}"#) == (.noContent, ""))
            #expect(try await Self.send(client, uri, .get) == (.ok, "null"))  // no entry: nothing was set

            #expect(try await Self.send(client, "/api/v1/messages/topics", .post, "[104,105]") == (.created, ""))
            #expect(try await Self.send(client, uri, .put, #"{"socketPath":"/run/hi.sock"}"#) == (.noContent, ""))
            #expect(try await Self.send(client, uri, .get) == (.ok, #""/run/hi.sock""#))
            #expect(try await bus.topicPolicy().forwardSocket(for: Array("hi".utf8)) == "/run/hi.sock")
            #expect(try await Self.send(client, uri, .delete) == (.noContent, ""))
            #expect(try await Self.send(client, uri, .get) == (.ok, "null"))

            #expect(try await Self.send(client, uri, .put, #"{"socket_path":"/x"}"#).0 == .unprocessableContent)
            let plain = try await client.execute(
                uri: uri, method: .put, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}")
            )
            #expect(plain.status == .unsupportedMediaType)
            #expect(try await Self.send(client, "/api/v1/messages/topics/a/forward", .get).0 == .badRequest)
        }
    }
}
