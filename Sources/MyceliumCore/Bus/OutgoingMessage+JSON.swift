/// Upstream's `MessageSendInfo` (spec §5.5, `mycelium-api/src/message.rs`):
/// `{"dst":…,"topic":"<b64>","payload":"<b64>"}`, the body of `POST /api/v1/messages` and
/// `POST /api/v1/messages/reply/{id}` and the first parameter of JSON-RPC `pushMessage` / `pushMessageReply`.
///
/// `topic` is `#[serde(default, skip_serializing_if = "Option::is_none")]`: it is left out when empty, and reads as
/// empty when absent or `null`.
extension OutgoingMessage {
    public var jsonValue: JSONValue {
        var members = [JSONMember("dst", self.destination.jsonValue)]
        if !self.topic.isEmpty { members.append(JSONMember("topic", .string(Base64.encode(self.topic)))) }
        members.append(JSONMember("payload", .string(Base64.encode(self.payload))))
        return .object(members)
    }

    public init(json: JSONValue) throws(JSONShapeError) {
        let object = try MessageJSONFields.object(json, "struct MessageSendInfo")
        let destination = try MessageDestination(json: try MessageJSONFields.required("dst", in: object))
        let topic = try MessageJSONFields.optional("topic", in: object).map { value throws(JSONShapeError) in
            try MessageJSONFields.base64(value, field: "topic")
        }
        let payload = try MessageJSONFields.base64(
            try MessageJSONFields.required("payload", in: object),
            field: "payload"
        )
        self.init(destination: destination, topic: topic ?? [], payload: payload)
    }
}
