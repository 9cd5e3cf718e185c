/// Upstream's `MessageInfo` (spec §5.5, `mycelium/src/message.rs`, serde `rename_all = "camelCase"`):
/// `{"dst":"<ip>","state":…,"created":<unix s>,"deadline":<unix s>,"msgLen":<bytes>}`, what
/// `GET /api/v1/messages/status/{id}` and JSON-RPC `getMessageInfo` return.
extension MessageStatus {
    public var jsonValue: JSONValue {
        .object([
            JSONMember("dst", .string(self.destination.description)),
            JSONMember("state", self.state.jsonValue),
            JSONMember("created", .integer(self.created)),
            JSONMember("deadline", .integer(self.deadline)),
            JSONMember("msgLen", .integer(self.length)),
        ])
    }

    public init(json: JSONValue) throws(JSONShapeError) {
        typealias Fields = MessageJSONFields
        let object = try Fields.object(json, "struct MessageInfo")
        self.init(
            destination: try Fields.address(try Fields.required("dst", in: object), field: "dst"),
            state: try MessageState(json: try Fields.required("state", in: object)),
            created: try Fields.integer(try Fields.required("created", in: object), field: "created"),
            deadline: try Fields.integer(try Fields.required("deadline", in: object), field: "deadline"),
            length: try Fields.integer(try Fields.required("msgLen", in: object), field: "msgLen")
        )
    }
}

/// Upstream's `TransmissionProgress` (externally tagged, camelCase): the unit variants are bare strings
/// (`"pending"`, `"received"`, `"read"`, `"aborted"`), `Sending` is `{"sending":{"pending":n,"sent":n,"acked":n}}`.
extension MessageState {
    public var jsonValue: JSONValue {
        switch self {
        case .pending: .string("pending")
        case .sending(let pending, let sent, let acked):
            .object([
                JSONMember(
                    "sending",
                    .object([
                        JSONMember("pending", .integer(pending)),
                        JSONMember("sent", .integer(sent)),
                        JSONMember("acked", .integer(acked)),
                    ])
                )
            ])
        case .received: .string("received")
        case .read: .string("read")
        case .aborted: .string("aborted")
        }
    }

    public init(json: JSONValue) throws(JSONShapeError) {
        typealias Fields = MessageJSONFields
        switch json {
        case .string("pending"): self = .pending
        case .string("received"): self = .received
        case .string("read"): self = .read
        case .string("aborted"): self = .aborted
        case .string(let other):
            throw JSONShapeError(
                "state: unknown variant `\(other)`, expected one of `pending`, `sending`, `received`, `read`, `aborted`"
            )
        case .object(let members) where members.count == 1 && members.first?.key == "sending":
            let counts = try Fields.object(
                members.first?.value ?? .null,
                "struct variant TransmissionProgress::Sending"
            )
            self = .sending(
                pending: try Fields.integer(try Fields.required("pending", in: counts), field: "state.sending.pending"),
                sent: try Fields.integer(try Fields.required("sent", in: counts), field: "state.sending.sent"),
                acked: try Fields.integer(try Fields.required("acked", in: counts), field: "state.sending.acked")
            )
        default:
            throw JSONShapeError("state: invalid type: \(Fields.kind(of: json)), expected enum TransmissionProgress")
        }
    }
}
