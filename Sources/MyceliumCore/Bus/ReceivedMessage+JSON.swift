/// Upstream's `MessageReceiveInfo` (spec §5.5, `mycelium-api/src/message.rs`):
/// `{"id","srcIp","srcPk","dstIp","dstPk","topic"?,"payload"}` in that order, what `GET /api/v1/messages`, a
/// reply to `POST /api/v1/messages?reply_timeout=…` and JSON-RPC `popMessage` return.
///
/// Upstream builds it with `topic: if m.topic.is_empty() { None } else { Some(m.topic) }` and the field is
/// `skip_serializing_if = "Option::is_none"`, so an empty topic is **omitted** (never `null`); reading accepts
/// absent or `null` as empty.
extension ReceivedMessage {
    public var jsonValue: JSONValue {
        var members = [
            JSONMember("id", .string(self.id.hexString)),
            JSONMember("srcIp", .string(self.source.description)),
            JSONMember("srcPk", .string(self.sourceKey.hexString)),
            JSONMember("dstIp", .string(self.destination.description)),
            JSONMember("dstPk", .string(self.destinationKey.hexString)),
        ]
        if !self.topic.isEmpty { members.append(JSONMember("topic", .string(Base64.encode(self.topic)))) }
        members.append(JSONMember("payload", .string(Base64.encode(self.payload))))
        return .object(members)
    }

    public init(json: JSONValue) throws(JSONShapeError) {
        typealias Fields = MessageJSONFields
        let object = try Fields.object(json, "struct MessageReceiveInfo")
        let topic = try Fields.optional("topic", in: object).map { value throws(JSONShapeError) in
            try Fields.base64(value, field: "topic")
        }
        self.init(
            id: try Fields.messageID(try Fields.required("id", in: object), field: "id"),
            source: try Fields.address(try Fields.required("srcIp", in: object), field: "srcIp"),
            sourceKey: try Fields.publicKey(try Fields.required("srcPk", in: object), field: "srcPk"),
            destination: try Fields.address(try Fields.required("dstIp", in: object), field: "dstIp"),
            destinationKey: try Fields.publicKey(try Fields.required("dstPk", in: object), field: "dstPk"),
            topic: topic ?? [],
            payload: try Fields.base64(try Fields.required("payload", in: object), field: "payload")
        )
    }
}
