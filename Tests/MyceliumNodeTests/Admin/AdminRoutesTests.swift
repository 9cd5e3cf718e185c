import Hummingbird
import HummingbirdTesting
import MyceliumCore
import MyceliumNode
import Testing

@Suite("Admin HTTP API routes")
struct AdminRoutesTests {
    static let remoteAddress = "5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e"

    /// Runs `body` against the admin router, answering from a fresh test double.
    func withClient(
        _ body: @Sendable (any TestClientProtocol, FixedNodeAdministration) async throws -> Void
    ) async throws {
        let administration = try FixedNodeAdministration()
        let app = Application(router: AdminHTTPServer.makeRouter(administration: administration))
        try await app.test(.router) { client in try await body(client, administration) }
    }

    static func json(_ text: String) -> (HTTPFields, ByteBuffer) {
        ([.contentType: "application/json"], ByteBuffer(string: text))
    }

    @Test("GET /api/v1/admin is upstream's Info object")
    func info() async throws {
        try await self.withClient { client, _ in
            let response = try await client.execute(uri: "/api/v1/admin", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(
                String(buffer: response.body)
                    == #"{"nodeSubnet":"5a6:f0c6:f365:177d::/64","nodeIp":"5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e","#
                    + #""nodePubkey":"\#(FixedNodeAdministration.publicKeyHex)","nodeStartTime":1716100000}"#
            )
        }
    }

    @Test("GET /api/v1/admin/peers is a list of PeerStats in serde's field order")
    func peers() async throws {
        try await self.withClient { client, _ in
            let response = try await client.execute(uri: "/api/v1/admin/peers", method: .get)
            #expect(response.status == .ok)
            let expected = [
                #"{"endpoint":{"proto":"tcp","addr":{"socket":"192.0.2.6:9651"}},"type":"static","#
                    + #""connectionState":"alive","txBytes":464531564,"rxBytes":64645089,"discovered":3725,"#
                    + #""lastConnected":62}"#,
                #"{"endpoint":{"proto":"tcp","addr":{"socket":"[2a01:4f8:212:fa6::2]:9651"}},"type":"inbound","#
                    + #""connectionState":"connecting","txBytes":0,"rxBytes":1536,"discovered":5,"lastConnected":null}"#,
                #"{"endpoint":{"proto":"tcp","addr":{"hostname":"node.example.org:9651"}},"type":"static","#
                    + #""connectionState":"dead","txBytes":0,"rxBytes":0,"discovered":90061,"lastConnected":null}"#,
                #"{"endpoint":{"proto":"vsock","addr":{"vsock":{"cid":3,"port":5000}}},"type":"linkLocalDiscovery","#
                    + #""connectionState":"alive","txBytes":1073741824,"rxBytes":999,"discovered":0,"lastConnected":0}"#,
            ]
            #expect(String(buffer: response.body) == "[" + expected.joined(separator: ",") + "]")
        }
    }

    @Test("POST /api/v1/admin/peers adds a peer (204), then refuses the same endpoint (409)")
    func addPeer() async throws {
        try await self.withClient { client, administration in
            let (headers, body) = Self.json(#"{"endpoint":"tcp://198.51.100.7:9651"}"#)
            let added = try await client.execute(uri: "/api/v1/admin/peers", method: .post, headers: headers, body: body)
            #expect(added.status == .noContent)
            #expect(added.body.readableBytes == 0)
            #expect(await administration.peers().contains { $0.endpoint.description == "tcp://198.51.100.7:9651" })

            let again = try await client.execute(uri: "/api/v1/admin/peers", method: .post, headers: headers, body: body)
            #expect(again.status == .conflict)
            #expect(String(buffer: again.body) == "A peer identified by that endpoint already exists")
            #expect(again.headers[.contentType] == "text/plain; charset=utf-8")
        }
    }

    @Test(
        "POST /api/v1/admin/peers answers bad endpoints with 400 and the reason",
        arguments: [
            (#"{"endpoint":"1.2.3.4:9651"}"#, "missing leading protocol identifier"),
            (#"{"endpoint":"udp://1.2.3.4:9651"}"#, "protocol for endpoint is not supported"),
            (#"{"endpoint":"tcp://1.2.3.4:99999"}"#, "failed to parse address: invalid port '99999'"),
            (#"{"endpoint":"quic://1.2.3.4:9651"}"#, "quic://1.2.3.4:9651: QUIC is not supported yet"),
        ]
    )
    func addBadEndpoint(body: String, reason: String) async throws {
        try await self.withClient { client, _ in
            let (headers, buffer) = Self.json(body)
            let response = try await client.execute(
                uri: "/api/v1/admin/peers", method: .post, headers: headers, body: buffer
            )
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body) == reason)
        }
    }

    @Test("POST /api/v1/admin/peers refuses bodies as axum's Json extractor does")
    func addPeerBodies() async throws {
        try await self.withClient { client, _ in
            let uri = "/api/v1/admin/peers"
            let plain = try await client.execute(
                uri: uri, method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"endpoint":"tcp://1.2.3.4:9651"}"#)
            )
            #expect(plain.status == .unsupportedMediaType)
            #expect(String(buffer: plain.body) == "Expected request with `Content-Type: application/json`")

            let (headers, broken) = Self.json(#"{"endpoint":"#)
            let malformed = try await client.execute(uri: uri, method: .post, headers: headers, body: broken)
            #expect(malformed.status == .badRequest)
            #expect(
                String(buffer: malformed.body)
                    == "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 12"
            )

            for (text, reason) in [
                (#"{"peer":"tcp://1.2.3.4:9651"}"#, "missing field `endpoint`"),
                (#"{"endpoint":5}"#, "endpoint: invalid type, expected a string"),
                (#"["tcp://1.2.3.4:9651"]"#, "invalid type, expected struct AddPeer"),
            ] {
                let shaped = try await client.execute(
                    uri: uri, method: .post, headers: headers, body: ByteBuffer(string: text)
                )
                #expect(shaped.status == .unprocessableContent)
                #expect(
                    String(buffer: shaped.body) == "Failed to deserialize the JSON body into the target type: \(reason)"
                )
            }

            let huge = ByteBuffer(string: #"{"endpoint":""# + String(repeating: "a", count: 70_000) + #""}"#)
            let tooLarge = try await client.execute(uri: uri, method: .post, headers: headers, body: huge)
            #expect(tooLarge.status == .contentTooLarge)

            let charset = try await client.execute(
                uri: uri, method: .post, headers: [.contentType: "application/json; charset=utf-8"],
                body: ByteBuffer(string: #"{"endpoint":"tcp://1.2.3.4:9651","extra":true}"#)
            )
            #expect(charset.status == .noContent)
        }
    }

    @Test("DELETE /api/v1/admin/peers/{endpoint} takes the URL-encoded endpoint: 204, then 404; 400 when unparsable")
    func removePeer() async throws {
        try await self.withClient { client, administration in
            let removed = try await client.execute(
                uri: "/api/v1/admin/peers/tcp%3A%2F%2F%5B2a01%3A4f8%3A212%3Afa6%3A%3A2%5D%3A9651", method: .delete
            )
            #expect(removed.status == .noContent)
            #expect(await administration.peers().count == 3)

            let named = try await client.execute(
                uri: "/api/v1/admin/peers/tcp%3A%2F%2Fnode.example.org%3A9651", method: .delete
            )
            #expect(named.status == .noContent)

            let missing = try await client.execute(
                uri: "/api/v1/admin/peers/tcp%3A%2F%2Fnode.example.org%3A9651", method: .delete
            )
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body) == "A peer identified by that endpoint does not exist")

            let bad = try await client.execute(uri: "/api/v1/admin/peers/not-an-endpoint", method: .delete)
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body) == "missing leading protocol identifier")

            let badEscape = try await client.execute(uri: "/api/v1/admin/peers/tcp%3", method: .delete)
            #expect(badEscape.status == .badRequest)
        }
    }

    @Test("GET /api/v1/admin/routes/{selected,fallback,queried} have upstream's shapes")
    func routes() async throws {
        try await self.withClient { client, _ in
            let hop = FixedNodeAdministration.nextHop
            let selected = try await client.execute(uri: "/api/v1/admin/routes/selected", method: .get)
            #expect(
                String(buffer: selected.body)
                    == #"[{"subnet":"5e5:2195:7cc4:bfb0::/64","nextHop":"\#(hop)","metric":20,"seqno":3},"#
                    + #"{"subnet":"408:7ba3:3a4d:808a::/64","nextHop":"\#(hop)","metric":"infinite","seqno":0}]"#
            )
            let fallback = try await client.execute(uri: "/api/v1/admin/routes/fallback", method: .get)
            #expect(
                String(buffer: fallback.body)
                    == #"[{"subnet":"5e5:2195:7cc4:bfb0::/64","nextHop":"TCP 203.0.113.2:60128 <-> "#
                    + #"198.51.100.27:9651","metric":174,"seqno":2}]"#
            )
            let queried = try await client.execute(uri: "/api/v1/admin/routes/queried", method: .get)
            #expect(String(buffer: queried.body) == #"[{"subnet":"503:5478:df06:d79a::/64","expiration":"37"}]"#)
        }
    }

    @Test("GET /api/v1/pubkey/{ip}: the key, 404 without one (always for IPv4), 400 for no IP at all")
    func publicKey() async throws {
        try await self.withClient { client, _ in
            let known = try await client.execute(uri: "/api/v1/pubkey/\(Self.remoteAddress)", method: .get)
            #expect(known.status == .ok)
            #expect(String(buffer: known.body) == #"{"publicKey":"\#(FixedNodeAdministration.remoteKeyHex)"}"#)

            let encoded = try await client.execute(uri: "/api/v1/pubkey/5e5%3A2195%3A7cc4%3Abfb0%3A%3A1", method: .get)
            #expect(encoded.status == .ok)

            for unknown in ["/api/v1/pubkey/400::1", "/api/v1/pubkey/192.0.2.1"] {
                let response = try await client.execute(uri: unknown, method: .get)
                #expect(response.status == .notFound)
                #expect(response.body.readableBytes == 0)
            }
            for garbage in ["/api/v1/pubkey/hello", "/api/v1/pubkey/1.2.3.04", "/api/v1/pubkey/%ff"] {
                let response = try await client.execute(uri: garbage, method: .get)
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body) == "Invalid URL: invalid IP address syntax")
            }
        }
    }

    @Test("unknown paths are 404, known paths with another method 405 with Allow")
    func unknownAndWrongMethod() async throws {
        try await self.withClient { client, _ in
            for path in ["/", "/api/v1", "/api/v1/admin/nothing", "/api/v1/admin/routes", "/metrics"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
            }
            let put = try await client.execute(uri: "/api/v1/admin", method: .put)
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET,HEAD")
            let patch = try await client.execute(uri: "/api/v1/admin/peers", method: .patch)
            #expect(patch.status == .methodNotAllowed)
            #expect(patch.headers[.allow] == "GET,POST,HEAD")
            let head = try await client.execute(uri: "/api/v1/admin/routes/queried", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            let getOne = try await client.execute(uri: "/api/v1/admin/peers/tcp%3A%2F%2F1.2.3.4%3A1", method: .get)
            #expect(getOne.status == .methodNotAllowed)
        }
    }
}
