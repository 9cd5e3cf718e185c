import Hummingbird
import HummingbirdTesting
import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import MyceliumNode
import Testing

@Suite("Message JSON-RPC methods")
struct MessageRPCMethodsTests {
    static let localIP = "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"
    static let remoteIP = "5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e"
    static let localKeyHex = FixedNodeAdministration.publicKeyHex
    static let remoteKeyHex = FixedNodeAdministration.remoteKeyHex

    typealias Post = @Sendable (String) async throws -> String

    /// Runs `body` with a function posting one JSON-RPC body to a server with the admin and message methods.
    func withRPC(
        maximumMessageSize: Int = 4096,
        _ body: @Sendable (Post, InMemoryMessageBus) async throws -> Void
    ) async throws {
        let bus = InMemoryMessageBus(
            publicKey: try X25519.PublicKey(hexString: Self.localKeyHex), maximumMessageSize: maximumMessageSize,
            now: { 1_716_100_000 }
        )
        let server = JSONRPCServer(
            administration: try FixedNodeAdministration(), messages: bus,
            address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0), logger: Logger(label: "test")
        )
        try await Application(responder: server.responder).test(.router) { client in
            try await body(
                { text in
                    let response = try await client.execute(
                        uri: "/rpc", method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: text)
                    )
                    return String(buffer: response.body)
                },
                bus
            )
        }
    }

    static func call(_ method: String, _ params: String? = nil) -> String {
        #"{"jsonrpc":"2.0","id":1,"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}"
    }

    static func result(_ json: String) -> String { #"{"jsonrpc":"2.0","id":1,"result":\#(json)}"# }

    static func failure(_ code: Int) -> String {
        #"{"jsonrpc":"2.0","id":1,"error":{"code":\#(code),"message":"Server error"}}"#
    }

    static func remoteKey() throws -> X25519.PublicKey { try X25519.PublicKey(hexString: Self.remoteKeyHex) }

    @Test("the admin methods are still served next to the message methods")
    func merged() async throws {
        try await self.withRPC { post, _ throws in
            #expect(try await post(Self.call("getInfo")).contains(#""nodePubkey":"\#(Self.localKeyHex)""#))
        }
    }

    @Test("popMessage: the message, or null (not an error) when none came within the timeout")
    func popMessage() async throws {
        try await self.withRPC { post, bus in
            #expect(try await post(Self.call("popMessage")) == Self.result("null"))
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try await post(Self.call("popMessage", "[false, 1]")) == Self.result("null"))
            #expect(clock.now - start >= .seconds(1))

            let remote = try Self.remoteKey()
            let message = try #require(bus.deliver(Array("hi".utf8), topic: Array("t".utf8), from: remote))
            let expected = Self.result(
                #"{"id":"\#(message.id.hexString)","srcIp":"\#(Self.remoteIP)","srcPk":"\#(Self.remoteKeyHex)","#
                    + #""dstIp":"\#(Self.localIP)","dstPk":"\#(Self.localKeyHex)","topic":"dA==","payload":"aGk="}"#
            )
            #expect(try await post(Self.call("popMessage", "[true]")) == expected)
            #expect(try await post(Self.call("popMessage", #"{"peek":true,"topic":"dA=="}"#)) == expected)
            #expect(try await post(Self.call("popMessage", #"[null, null, "eA=="]"#)) == Self.result("null"))
            #expect(try await post(Self.call("popMessage", #"[false, 0, "dA=="]"#)) == expected)
            #expect(bus.inbox.isEmpty)

            #expect(try await post(Self.call("popMessage", #"[false, 0, "dA="]"#)) == Self.failure(-32013))
            #expect(try await post(Self.call("popMessage", #"["yes"]"#)).contains(#""code":-32602"#))
            #expect(try await post(Self.call("popMessage", "[false, -1]")).contains(#""code":-32602"#))
        }
    }

    @Test("pushMessage: {id}; with replyTimeout the reply or {id}; −32015 when the push is refused")
    func pushMessage() async throws {
        try await self.withRPC(maximumMessageSize: 16) { post, bus in
            let toRemote = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"payload":"aGk="}"#
            let pushed = try await post(Self.call("pushMessage", "[\(toRemote)]"))
            let id = try #require(bus.sent.first?.id)
            #expect(pushed == Self.result(#"{"id":"\#(id.hexString)"}"#))
            let named = try await post(Self.call("pushMessage", #"{"message":\#(toRemote),"reply_timeout":0}"#))
            #expect(named == Self.result(#"{"id":"\#(try #require(bus.sent.last?.id).hexString)"}"#))

            let toSelf = #"{"dst":{"ip":"\#(Self.localIP)"},"payload":"cGluZw=="}"#
            async let awaited = post(Self.call("pushMessage", "[\(toSelf), 30]"))
            let request = try await post(Self.call("popMessage", "[false, 30]"))
            let requestID = try #require(bus.sent.last?.id)
            #expect(request.contains(#""id":"\#(requestID.hexString)""#))
            let reply = #"{"dst":{"ip":"\#(Self.localIP)"},"payload":"cG9uZw=="}"#
            let replied = try await post(Self.call("pushMessageReply", #"["\#(requestID.hexString)", \#(reply)]"#))
            #expect(replied == Self.result("true"))
            #expect(
                try await awaited
                    == Self.result(
                        #"{"id":"\#(requestID.hexString)","srcIp":"\#(Self.localIP)","srcPk":"\#(Self.localKeyHex)","#
                            + #""dstIp":"\#(Self.localIP)","dstPk":"\#(Self.localKeyHex)","payload":"cG9uZw=="}"#
                    )
            )

            let topic = String(repeating: "QUFB", count: 86)
            let longTopic = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"topic":"\#(topic)","payload":""}"#
            #expect(try await post(Self.call("pushMessage", "[\(longTopic)]")) == Self.failure(-32015))
            let unknown = #"{"dst":{"ip":"2001:db8::1"},"payload":""}"#
            #expect(try await post(Self.call("pushMessage", "[\(unknown)]")) == Self.failure(-32015))
            let large = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"payload":"\#(String(repeating: "A", count: 24))"}"#
            #expect(try await post(Self.call("pushMessage", "[\(large)]")) == Self.failure(-32015))
            let badBase64 = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"payload":"aGk"}"#
            let invalid = try await post(Self.call("pushMessage", "[\(badBase64)]"))
            #expect(invalid.contains(#""code":-32602"#) && invalid.contains("payload: Invalid padding"))
        }
    }

    @Test("pushMessageReply and getMessageInfo: −32018 / −32020 for bad ids, −32019 for unknown ones")
    func ids() async throws {
        try await self.withRPC { post, bus in
            let reply = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"payload":""}"#
            #expect(try await post(Self.call("pushMessageReply", #"["xyz", \#(reply)]"#)) == Self.failure(-32018))
            let unknown = try await post(Self.call("pushMessageReply", #"["0000000000000001", \#(reply)]"#))
            #expect(unknown == Self.failure(-32019))
            #expect(try await post(Self.call("getMessageInfo", #"["xyz"]"#)) == Self.failure(-32020))
            #expect(try await post(Self.call("getMessageInfo", #"["0000000000000001"]"#)) == Self.failure(-32019))

            let id = try await bus.send(
                OutgoingMessage(destination: .publicKey(try Self.remoteKey()), payload: [1, 2]), replyTimeout: nil
            ).messageID
            #expect(
                try await post(Self.call("getMessageInfo", #"{"id":"\#(id.hexString)"}"#))
                    == Self.result(
                        #"{"dst":"\#(Self.remoteIP)","state":"pending","created":1716100000,"#
                            + #""deadline":1716100300,"msgLen":2}"#
                    )
            )
        }
    }

    @Test("topic methods: upstream's semantics; −32021 bad topic, −32023 bad subnet, −32030 unknown topic")
    func topics() async throws {
        try await self.withRPC { post, bus throws in
            #expect(try await post(Self.call("getDefaultTopicAction")) == Self.result("true"))
            #expect(try await post(Self.call("setDefaultTopicAction", "[false]")) == Self.result("true"))
            #expect(try await post(Self.call("getDefaultTopicAction", "[]")) == Self.result("false"))
            #expect(try await post(Self.call("setDefaultTopicAction", #"["no"]"#)).contains(#""code":-32602"#))

            #expect(try await post(Self.call("getTopics")) == Self.result("[]"))
            #expect(try await post(Self.call("addTopic", #"["aGk="]"#)) == Self.result("true"))
            #expect(try await post(Self.call("getTopics")) == Self.result(#"["aGk="]"#))
            #expect(try await post(Self.call("addTopic", #"["aGk"]"#)) == Self.failure(-32021))
            #expect(try await post(Self.call("getTopicSources", #"["aGk="]"#)) == Self.result("[]"))
            #expect(try await post(Self.call("getTopicSources", #"["eA=="]"#)) == Self.failure(-32030))
            #expect(try await post(Self.call("getTopicSources", #"["!"]"#)) == Self.failure(-32021))

            #expect(try await post(Self.call("addTopicSource", #"["aGk=", "400::/7"]"#)) == Self.result("true"))
            let byName = try await post(Self.call("addTopicSource", #"{"topic":"eA==","subnet":"5e5::1"}"#))
            #expect(byName == Self.result("true"))
            #expect(try await post(Self.call("getTopicSources", #"["eA=="]"#)) == Self.result(#"["5e5::1/128"]"#))
            #expect(try await post(Self.call("addTopicSource", #"["aGk=", "nonsense"]"#)) == Self.failure(-32023))
            #expect(try await post(Self.call("removeTopicSource", #"["aGk=", "400::/7"]"#)) == Self.result("true"))
            #expect(try await post(Self.call("removeTopicSource", #"["bm8=", "400::/7"]"#)) == Self.result("true"))
            #expect(try await post(Self.call("removeTopicSource", #"["aGk=", "400::/999"]"#)) == Self.failure(-32023))

            #expect(try await post(Self.call("getTopicForwardSocket", #"["aGk="]"#)) == Self.result("null"))
            let socket = try await post(Self.call("setTopicForwardSocket", #"["aGk=", "/run/hi.sock"]"#))
            #expect(socket == Self.result("true"))
            #expect(try await post(Self.call("getTopicForwardSocket", #"["aGk="]"#)) == Self.result(#""/run/hi.sock""#))
            let noTopic = try await post(Self.call("setTopicForwardSocket", #"{"topic":"bm8=","socket_path":"/x"}"#))
            #expect(noTopic == Self.result("true"))
            #expect(try await post(Self.call("removeTopicForwardSocket", #"["aGk="]"#)) == Self.result("true"))
            #expect(try await post(Self.call("getTopicForwardSocket", #"["aGk="]"#)) == Self.result("null"))

            #expect(try await post(Self.call("removeTopic", #"["aGk="]"#)) == Self.result("true"))
            #expect(try await post(Self.call("removeTopic", #"["aGk="]"#)) == Self.result("true"))
            #expect(try await bus.topicPolicy().topics == [Array("x".utf8)])
            let long = String(repeating: "QUFB", count: 86)
            #expect(try await post(Self.call("addTopic", #"["\#(long)"]"#)) == Self.failure(-32021))
            #expect(try await post(Self.call("addTopic", "[]")).contains(#""code":-32602"#))
        }
    }
}
