import MyceliumCore
import MyceliumCrypto
import Testing

/// The message API's JSON documents (spec §5.5) in upstream's serde shapes and field order, both directions.
@Suite("Message API JSON")
struct MessageJSONTests {
    static let localKeyHex = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
    static let localIP = "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"
    static let remoteKeyHex = "5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b"
    static let remoteIP = "5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e"

    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func keys() throws -> (local: X25519.PublicKey, remote: X25519.PublicKey) {
        (try X25519.PublicKey(hexString: Self.localKeyHex), try X25519.PublicKey(hexString: Self.remoteKeyHex))
    }

    @Test("the fixture keys own the fixture addresses")
    func fixtures() throws {
        let (local, remote) = try self.keys()
        #expect(local.overlayAddress.description == Self.localIP)
        #expect(remote.overlayAddress.description == Self.remoteIP)
    }

    @Test("destinations are externally tagged: {\"ip\":…} or {\"pk\":…}")
    func destination() throws {
        let (_, remote) = try self.keys()
        let byIP = try Self.parse(#"{"ip":"\#(Self.remoteIP)"}"#)
        #expect(try MessageDestination(json: byIP) == .ip(remote.overlayAddress))
        #expect(MessageDestination.ip(remote.overlayAddress).jsonValue == byIP)
        let byKey = try Self.parse(#"{"pk":"\#(Self.remoteKeyHex)"}"#)
        #expect(try MessageDestination(json: byKey) == .publicKey(remote))
        #expect(MessageDestination.publicKey(remote).jsonValue.compactText == #"{"pk":"\#(Self.remoteKeyHex)"}"#)
    }

    @Test(
        "malformed destinations are refused",
        arguments: [
            #"{}"#, #"{"ip":"1.2.3.4.5"}"#, #"{"pk":"abcd"}"#, #"{"name":"x"}"#,
            #"{"ip":"\#(remoteIP)","pk":"\#(remoteKeyHex)"}"#, #""ip""#, #"{"ip":5}"#,
        ]
    )
    func badDestination(_ text: String) throws {
        let json = try Self.parse(text)
        #expect(throws: JSONShapeError.self) { try MessageDestination(json: json) }
    }

    @Test("MessageSendInfo: topic omitted when empty, absent or null reads as empty")
    func outgoing() throws {
        let (_, remote) = try self.keys()
        let text = #"{"dst":{"pk":"\#(Self.remoteKeyHex)"},"topic":"Y2hhdA==","payload":"aGVsbG8="}"#
        let message = OutgoingMessage(
            destination: .publicKey(remote), topic: Array("chat".utf8), payload: Array("hello".utf8)
        )
        #expect(message.jsonValue.compactText == text)
        #expect(try OutgoingMessage(json: try Self.parse(text)) == message)

        let plain = OutgoingMessage(destination: .ip(remote.overlayAddress), payload: [])
        #expect(plain.jsonValue.compactText == #"{"dst":{"ip":"\#(Self.remoteIP)"},"payload":""}"#)
        let withNull = #"{"payload":"","topic":null,"dst":{"ip":"\#(Self.remoteIP)"},"extra":1}"#
        #expect(try OutgoingMessage(json: try Self.parse(withNull)) == plain)
    }

    @Test(
        "MessageSendInfo refuses missing fields and bad base64",
        arguments: [
            #"{"payload":"aGk="}"#, #"{"dst":{"ip":"\#(remoteIP)"}}"#,
            #"{"dst":{"ip":"\#(remoteIP)"},"payload":"aGk"}"#,
            #"{"dst":{"ip":"\#(remoteIP)"},"payload":"aGk=","topic":"%%%"}"#,
            #"{"dst":{"ip":"\#(remoteIP)"},"payload":5}"#,
            #"[]"#,
        ]
    )
    func badOutgoing(_ text: String) throws {
        let json = try Self.parse(text)
        #expect(throws: JSONShapeError.self) { try OutgoingMessage(json: json) }
    }

    @Test("MessageReceiveInfo in serde's field order; topic omitted (not null) when empty")
    func received() throws {
        let (local, remote) = try self.keys()
        let id = try #require(MessageID(hexString: "0123456789abcdef"))
        var message = ReceivedMessage(
            id: id, source: remote.overlayAddress, sourceKey: remote, destination: local.overlayAddress,
            destinationKey: local, topic: Array("chat".utf8), payload: [0xFF, 0x00, 0x7F]
        )
        let head =
            #"{"id":"0123456789abcdef","srcIp":"\#(Self.remoteIP)","srcPk":"\#(Self.remoteKeyHex)","#
            + #""dstIp":"\#(Self.localIP)","dstPk":"\#(Self.localKeyHex)","#
        let text = head + #""topic":"Y2hhdA==","payload":"/wB/"}"#
        #expect(message.jsonValue.compactText == text)
        #expect(try ReceivedMessage(json: try Self.parse(text)) == message)

        message.topic = []
        let untopical = head + #""payload":"/wB/"}"#
        #expect(message.jsonValue.compactText == untopical)
        #expect(try ReceivedMessage(json: try Self.parse(untopical)) == message)
        #expect(try ReceivedMessage(json: try Self.parse(head + #""topic":null,"payload":"/wB/"}"#)) == message)
        let shortID = #"{"id":"0123","# + head.dropFirst(#"{"id":"0123456789abcdef","#.count) + #""payload":""}"#
        #expect(throws: JSONShapeError.self) { try ReceivedMessage(json: try Self.parse(shortID)) }
    }

    @Test("MessageInfo with every TransmissionProgress state")
    func status() throws {
        let (_, remote) = try self.keys()
        let states: [(MessageState, String)] = [
            (.pending, #""pending""#),
            (.sending(pending: 3, sent: 2, acked: 1), #"{"sending":{"pending":3,"sent":2,"acked":1}}"#),
            (.received, #""received""#), (.read, #""read""#), (.aborted, #""aborted""#),
        ]
        for (state, stateText) in states {
            let status = MessageStatus(
                destination: remote.overlayAddress, state: state, created: 1_716_100_000, deadline: 1_716_100_300,
                length: 1_048_576
            )
            let text =
                #"{"dst":"\#(Self.remoteIP)","state":\#(stateText),"created":1716100000,"deadline":1716100300,"#
                + #""msgLen":1048576}"#
            #expect(status.jsonValue.compactText == text)
            #expect(try MessageStatus(json: try Self.parse(text)) == status)
        }
        #expect(throws: JSONShapeError.self) { try MessageState(json: .string("sent")) }
        #expect(throws: JSONShapeError.self) { try MessageState(json: try Self.parse(#"{"sending":{"pending":1}}"#)) }
    }

    @Test("PushMessageResponse: {id} or the reply, untagged")
    func pushOutcome() throws {
        let (local, remote) = try self.keys()
        let id = try #require(MessageID(hexString: "00000000000000ff"))
        #expect(PushOutcome.accepted(id).jsonValue.compactText == #"{"id":"00000000000000ff"}"#)
        #expect(PushOutcome.replyTimedOut(id).jsonValue.compactText == #"{"id":"00000000000000ff"}"#)
        let upper = try Self.parse(#"{"id":"00000000000000FF"}"#)
        #expect(try PushOutcome(json: upper, awaitedReply: false) == .accepted(id))
        #expect(try PushOutcome(json: upper, awaitedReply: true) == .replyTimedOut(id))
        let reply = ReceivedMessage(
            id: id, source: remote.overlayAddress, sourceKey: remote, destination: local.overlayAddress,
            destinationKey: local, topic: [], payload: Array("pong".utf8)
        )
        let text = PushOutcome.reply(reply).jsonValue.compactText
        let decoded = try PushOutcome(json: try Self.parse(text), awaitedReply: true)
        #expect(decoded == .reply(reply))
        #expect(decoded.messageID == id)
        #expect(throws: JSONShapeError.self) { try MessageID(idObject: try Self.parse(#"{"id":"xyz"}"#)) }
        #expect(throws: JSONShapeError.self) { try MessageID(apiText: "00000000000000fg") }
    }

    @Test("topic documents: default action, topic list, byte array body, sources, forward socket")
    func topicDocuments() throws {
        let accept = TopicPolicy.DefaultAction(accept: false)
        #expect(accept.jsonValue.compactText == #"{"accept":false}"#)
        #expect(try TopicPolicy.DefaultAction(json: try Self.parse(#"{"accept":true}"#)).accept)

        let list = TopicPolicy.TopicList(topics: [Array("chat".utf8), [0xFB, 0xFF]])
        #expect(list.jsonValue.compactText == #"["Y2hhdA==","+/8="]"#)
        #expect(try TopicPolicy.TopicList(json: try Self.parse(#"["Y2hhdA==","+/8="]"#)) == list)

        let bytes = TopicPolicy.TopicBytes(topic: Array("hi".utf8))
        #expect(bytes.jsonValue.compactText == "[104,105]")
        #expect(try TopicPolicy.TopicBytes(json: try Self.parse("[104, 105]")) == bytes)
        for bad in ["[256]", "[-1]", "[1.5]", #"["a"]"#, #""aGk=""#] {
            #expect(throws: JSONShapeError.self) { try TopicPolicy.TopicBytes(json: try Self.parse(bad)) }
        }

        let subnets = [try #require(Subnet("400::/7")), try #require(Subnet(Self.remoteIP))]
        let sources = TopicPolicy.SourceList(sources: subnets)
        #expect(sources.jsonValue.compactText == #"["400::/7","\#(Self.remoteIP)/128"]"#)
        #expect(try TopicPolicy.SourceList(json: sources.jsonValue) == sources)

        #expect(TopicPolicy.SourceRequest(subnet: "400::/7").jsonValue.compactText == #"{"subnet":"400::/7"}"#)
        #expect(try TopicPolicy.SourceRequest(json: try Self.parse(#"{"subnet":"nonsense"}"#)).subnet == "nonsense")

        #expect(TopicPolicy.ForwardSocket(path: nil).jsonValue.compactText == "null")
        #expect(TopicPolicy.ForwardSocket(path: "/run/a.sock").jsonValue.compactText == #""/run/a.sock""#)
        #expect(try TopicPolicy.ForwardSocket(json: .null).path == nil)
        #expect(try TopicPolicy.ForwardSocket(json: .string("/x")).path == "/x")

        let socket = TopicPolicy.ForwardSocketRequest(socketPath: "/run/a.sock")
        #expect(socket.jsonValue.compactText == #"{"socketPath":"/run/a.sock"}"#)
        #expect(try TopicPolicy.ForwardSocketRequest(json: socket.jsonValue) == socket)
        let snakeCase = try Self.parse(#"{"socket_path":"/x"}"#)
        #expect(throws: JSONShapeError.self) { try TopicPolicy.ForwardSocketRequest(json: snakeCase) }
    }
}
