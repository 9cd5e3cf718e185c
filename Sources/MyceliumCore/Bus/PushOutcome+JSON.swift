/// Upstream's `PushMessageResponse` (spec §5.5, `mycelium-api/src/message.rs`), an *untagged* enum: either the reply
/// (`MessageReceiveInfo`) or `MessageIdReply` `{"id":"<16 hex>"}`. Over HTTP the status tells the cases apart (201
/// accepted, 200 reply, 408 no reply in time); over JSON-RPC `pushMessage` a timed-out wait also returns `{id}`, so
/// only whether a reply was awaited tells "accepted" from "timed out".
extension PushOutcome {
    public var jsonValue: JSONValue {
        switch self {
        case .accepted(let id), .replyTimedOut(let id): id.idObject
        case .reply(let message): message.jsonValue
        }
    }

    /// Reads either shape: an object with a `payload` is the reply, else `{id}` is `.replyTimedOut` when a reply was
    /// awaited and `.accepted` otherwise.
    public init(json: JSONValue, awaitedReply: Bool) throws(JSONShapeError) {
        let object = try MessageJSONFields.object(json, "untagged enum PushMessageResponse")
        if object["payload"] != nil {
            self = .reply(try ReceivedMessage(json: object))
            return
        }
        let id = try MessageID(idObject: object)
        self = awaitedReply ? .replyTimedOut(id) : .accepted(id)
    }

    /// The id of the message sent (a reply carries the id of the message it answers).
    public var messageID: MessageID {
        switch self {
        case .accepted(let id), .replyTimedOut(let id): id
        case .reply(let message): message.id
        }
    }
}

extension MessageID {
    /// `{"id":"<16 hex>"}`, upstream's `MessageIdReply`.
    public var idObject: JSONValue {
        .object([JSONMember("id", .string(self.hexString))])
    }

    /// Reads `{"id":"<16 hex>"}`.
    public init(idObject json: JSONValue) throws(JSONShapeError) {
        let object = try MessageJSONFields.object(json, "struct MessageIdReply")
        self = try MessageJSONFields.messageID(try MessageJSONFields.required("id", in: object), field: "id")
    }

    /// Parses an id from a URL path or a JSON-RPC string parameter, with the reasons of upstream's
    /// `MessageIdVisitor` ("Message ID is 16 characters long", "MessageID is not valid hex").
    public init(apiText text: String) throws(JSONShapeError) {
        self = try MessageJSONFields.messageID(text, field: "id")
    }
}
