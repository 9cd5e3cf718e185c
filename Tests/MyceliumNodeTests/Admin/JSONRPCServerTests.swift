import Hummingbird
import HummingbirdTesting
import Logging
import MyceliumCore
import MyceliumNode
import Testing

@Suite("JSON-RPC API")
struct JSONRPCServerTests {
    /// Runs `body` with a function that posts a JSON-RPC body and returns the status and response text.
    func withRPC(
        _ body: @Sendable (@Sendable (String) async throws -> (HTTPResponse.Status, String), any TestClientProtocol)
            async throws -> Void
    ) async throws {
        let server = JSONRPCServer(
            administration: try FixedNodeAdministration(),
            address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0),
            logger: Logger(label: "test")
        )
        let app = Application(responder: server.responder)
        try await app.test(.router) { client in
            try await body(
                { text in
                    let response = try await client.execute(
                        uri: "/rpc", method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: text)
                    )
                    return (response.status, String(buffer: response.body))
                },
                client
            )
        }
    }

    static func call(_ method: String, _ params: String? = nil, id: String = "1") -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}"
    }

    static func failure(_ code: Int, id: String = "1", message: String = "Server error") -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":\#(code),"message":"\#(message)"}}"#
    }

    @Test("getInfo returns the Info object, echoing string ids")
    func getInfo() async throws {
        try await self.withRPC { post, _ in
            let (status, text) = try await post(Self.call("getInfo", id: #""abc""#))
            #expect(status == .ok)
            #expect(
                text
                    == #"{"jsonrpc":"2.0","id":"abc","result":{"nodeSubnet":"5a6:f0c6:f365:177d::/64","#
                    + #""nodeIp":"5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e","#
                    + #""nodePubkey":"\#(FixedNodeAdministration.publicKeyHex)","nodeStartTime":1716100000}}"#
            )
        }
    }

    @Test("route and peer methods return the HTTP API's shapes")
    func lists() async throws {
        try await self.withRPC { post, _ in
            let (_, queried) = try await post(Self.call("getQueriedSubnets", "[]"))
            #expect(
                queried == #"{"jsonrpc":"2.0","id":1,"result":[{"subnet":"503:5478:df06:d79a::/64","expiration":"37"}]}"#
            )
            let (_, selected) = try await post(Self.call("getSelectedRoutes"))
            #expect(selected.contains(#""metric":"infinite""#))
            let (_, fallback) = try await post(Self.call("getFallbackRoutes"))
            #expect(fallback.contains(#""metric":174"#))
            let (_, peers) = try await post(Self.call("getPeers"))
            #expect(peers.hasPrefix(#"{"jsonrpc":"2.0","id":1,"result":[{"endpoint":{"proto":"tcp""#))
        }
    }

    @Test("addPeer/deletePeer take positional or named params and map refusals to −32009…−32012")
    func peerChanges() async throws {
        try await self.withRPC { post, _ in
            let add = try await post(Self.call("addPeer", #"["tcp://198.51.100.7:9651"]"#)).1
            #expect(add == #"{"jsonrpc":"2.0","id":1,"result":true}"#)
            #expect(try await post(Self.call("addPeer", #"{"endpoint":"tcp://198.51.100.7:9651"}"#)).1 == Self.failure(-32010))
            #expect(try await post(Self.call("addPeer", #"["198.51.100.7:9651"]"#)).1 == Self.failure(-32009))
            #expect(try await post(Self.call("addPeer", #"["quic://198.51.100.7:9651"]"#)).1 == Self.failure(-32009))

            let delete = try await post(Self.call("deletePeer", #"{"endpoint":"tcp://198.51.100.7:9651"}"#)).1
            #expect(delete == #"{"jsonrpc":"2.0","id":1,"result":true}"#)
            #expect(try await post(Self.call("deletePeer", #"["tcp://198.51.100.7:9651"]"#)).1 == Self.failure(-32011))
            #expect(try await post(Self.call("deletePeer", #"["nonsense"]"#)).1 == Self.failure(-32012))
        }
    }

    @Test("getPublicKeyFromIp returns the hex key; −32007 for a bad IP, −32008 without a key")
    func publicKey() async throws {
        try await self.withRPC { post, _ in
            let known = try await post(Self.call("getPublicKeyFromIp", #"["5e5:2195:7cc4:bfb0::9"]"#)).1
            #expect(known == #"{"jsonrpc":"2.0","id":1,"result":"\#(FixedNodeAdministration.remoteKeyHex)"}"#)
            let named = try await post(Self.call("getPublicKeyFromIp", #"{"ip":"5e5:2195:7cc4:bfb0::9"}"#)).1
            #expect(named == known)
            #expect(try await post(Self.call("getPublicKeyFromIp", #"["x"]"#)).1 == Self.failure(-32007))
            #expect(try await post(Self.call("getPublicKeyFromIp", #"["400::1"]"#)).1 == Self.failure(-32008))
            #expect(try await post(Self.call("getPublicKeyFromIp", #"["10.0.0.1"]"#)).1 == Self.failure(-32008))
        }
    }

    @Test("protocol errors: −32700 parse, −32600 invalid request, −32601 unknown method, −32602 bad params")
    func protocolErrors() async throws {
        try await self.withRPC { post, _ in
            let parse = try await post(#"{"jsonrpc":"2.0","#).1
            #expect(parse == Self.failure(-32700, id: "null", message: "Parse error"))
            let invalid = Self.failure(-32600, id: "null", message: "Invalid request")
            for body in ["[]", "42", #"{"jsonrpc":"2.0","id":{},"method":"getInfo"}"#] {
                let text = try await post(body).1
                #expect(text == invalid, "\(body)")
            }
            let oldVersion = try await post(#"{"jsonrpc":"1.0","id":5,"method":"getInfo"}"#).1
            #expect(oldVersion == Self.failure(-32600, id: "5", message: "Invalid request"))
            let unknown = try await post(Self.call("nope", id: "7")).1
            #expect(unknown == Self.failure(-32601, id: "7", message: "Method not found"))
            let missing = try await post(Self.call("addPeer", "[]")).1
            let expected =
                #"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params","#
                + #""data":"missing required parameter `endpoint`"}}"#
            #expect(missing == expected)
            for params in ["[5]", #""tcp://1.2.3.4:1""#, "{}"] {
                let text = try await post(Self.call("addPeer", params)).1
                #expect(text.contains(#""code":-32602"#), "\(params)")
            }
        }
    }

    @Test("batches answer every call but notifications; a batch of notifications gets an empty 200")
    func batches() async throws {
        try await self.withRPC { post, _ in
            let batch = "[" + Self.call("getQueriedSubnets", id: "1") + ","
                + #"{"jsonrpc":"2.0","method":"addPeer","params":["tcp://192.0.2.99:1"]}"# + ","
                + Self.call("nope", id: #""x""#) + "," + "7" + "]"
            let (status, text) = try await post(batch)
            #expect(status == .ok)
            #expect(
                text
                    == #"[{"jsonrpc":"2.0","id":1,"result":[{"subnet":"503:5478:df06:d79a::/64","expiration":"37"}]},"#
                    + #"{"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"Method not found"}},"#
                    + #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}]"#
            )
            // The notification above was executed: adding the same peer again now conflicts.
            #expect(try await post(Self.call("addPeer", #"["tcp://192.0.2.99:1"]"#)).1 == Self.failure(-32010))

            let notifications = try await post(#"[{"jsonrpc":"2.0","method":"getInfo"},{"jsonrpc":"2.0","method":"x"}]"#)
            #expect(notifications == (.ok, ""))
            #expect(try await post(#"{"jsonrpc":"2.0","method":"getInfo","params":[]}"#) == (.ok, ""))
        }
    }

    @Test("only POST with a JSON body, on any path; oversized bodies are refused")
    func transport() async throws {
        try await self.withRPC { _, client in
            let get = try await client.execute(uri: "/rpc", method: .get)
            #expect(get.status == .methodNotAllowed)
            let text = try await client.execute(
                uri: "/", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: Self.call("getInfo"))
            )
            #expect(text.status == .unsupportedMediaType)
            let root = try await client.execute(
                uri: "/", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Self.call("getInfo"))
            )
            #expect(root.status == .ok)
            let huge = try await client.execute(
                uri: "/rpc", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(repeating: UInt8(ascii: " "), count: JSONRPCServer.maximumBodySize + 1)
            )
            #expect(huge.status == .contentTooLarge)
            #expect(String(buffer: huge.body) == Self.failure(-32701, id: "null", message: "Request is too big"))
        }
    }
}
