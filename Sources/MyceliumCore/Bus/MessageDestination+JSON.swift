/// Upstream's externally tagged `MessageDestination` (spec §5.5, `mycelium-api/src/message.rs`, serde
/// `rename_all = "camelCase"`): `{"ip":"5xx:…"}` or `{"pk":"<64 hex>"}`.
extension MessageDestination {
    public var jsonValue: JSONValue {
        switch self {
        case .ip(let address): .object([JSONMember("ip", .string(address.description))])
        case .publicKey(let key): .object([JSONMember("pk", .string(key.hexString))])
        }
    }

    /// Reads `{"ip":…}` or `{"pk":…}`; like serde, the object must have exactly one member.
    public init(json: JSONValue) throws(JSONShapeError) {
        guard case .object(let members) = json else {
            let kind = MessageJSONFields.kind(of: json)
            throw JSONShapeError("dst: invalid type: \(kind), expected enum MessageDestination")
        }
        guard members.count == 1, let member = members.first else {
            throw JSONShapeError("dst: expected a map with a single key `ip` or `pk`")
        }
        switch member.key {
        case "ip": self = .ip(try MessageJSONFields.address(member.value, field: "dst.ip"))
        case "pk": self = .publicKey(try MessageJSONFields.publicKey(member.value, field: "dst.pk"))
        default: throw JSONShapeError("dst: unknown variant `\(member.key)`, expected `ip` or `pk`")
        }
    }
}
