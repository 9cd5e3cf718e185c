import MyceliumCrypto

/// Reading the fields of the message API's JSON objects (spec §5.5) the way upstream's serde derives do: missing
/// required fields and wrong types are refused with serde-like reasons, unknown fields are ignored, and an optional
/// field may be absent or `null`.
enum MessageJSONFields {
    /// The members of `json`, which must be an object (`what` names the expected type in the error).
    static func object(_ json: JSONValue, _ what: String) throws(JSONShapeError) -> JSONValue {
        guard json.isObject else { throw JSONShapeError("invalid type: \(Self.kind(of: json)), expected \(what)") }
        return json
    }

    /// The value of the required field `key`.
    static func required(_ key: String, in json: JSONValue) throws(JSONShapeError) -> JSONValue {
        guard let value = json[key] else { throw JSONShapeError("missing field `\(key)`") }
        return value
    }

    /// The value of the optional field `key`; `nil` when absent or `null`.
    static func optional(_ key: String, in json: JSONValue) -> JSONValue? {
        guard let value = json[key], value != .null else { return nil }
        return value
    }

    static func string(_ value: JSONValue, field: String) throws(JSONShapeError) -> String {
        guard case .string(let text) = value else {
            throw JSONShapeError("\(field): invalid type: \(Self.kind(of: value)), expected a string")
        }
        return text
    }

    static func bool(_ value: JSONValue, field: String) throws(JSONShapeError) -> Bool {
        guard case .bool(let flag) = value else {
            throw JSONShapeError("\(field): invalid type: \(Self.kind(of: value)), expected a boolean")
        }
        return flag
    }

    /// An integer written without fraction or exponent that fits `T`.
    static func integer<T: FixedWidthInteger>(_ value: JSONValue, field: String, as type: T.Type = T.self)
        throws(JSONShapeError) -> T
    {
        guard case .number(let literal) = value else {
            throw JSONShapeError("\(field): invalid type: \(Self.kind(of: value)), expected an integer")
        }
        guard let number = T(literal) else {
            throw JSONShapeError("\(field): invalid value: \(literal), expected \(T.self)")
        }
        return number
    }

    /// Standard padded base64 (spec §5.5).
    static func base64(_ value: JSONValue, field: String) throws(JSONShapeError) -> [UInt8] {
        let text = try Self.string(value, field: field)
        do {
            return try Base64.decode(text)
        } catch {
            throw JSONShapeError("\(field): \(error)")
        }
    }

    static func address(_ value: JSONValue, field: String) throws(JSONShapeError) -> IPv6Address {
        let text = try Self.string(value, field: field)
        guard let address = IPv6Address(text) else {
            throw JSONShapeError("\(field): invalid IPv6 address syntax: \(text)")
        }
        return address
    }

    /// 64 hex characters (upstream's `PublicKey` serde form).
    static func publicKey(_ value: JSONValue, field: String) throws(JSONShapeError) -> X25519.PublicKey {
        let text = try Self.string(value, field: field)
        do {
            return try X25519.PublicKey(hexString: text)
        } catch {
            throw JSONShapeError("\(field): \(error)")
        }
    }

    /// 16 hex characters, with the reasons of upstream's `MessageIdVisitor`.
    static func messageID(_ value: JSONValue, field: String) throws(JSONShapeError) -> MessageID {
        let text = try Self.string(value, field: field)
        return try Self.messageID(text, field: field)
    }

    static func messageID(_ text: String, field: String) throws(JSONShapeError) -> MessageID {
        guard text.utf8.count == 2 * MessageID.byteCount else {
            throw JSONShapeError("\(field): Message ID is 16 characters long")
        }
        guard let id = MessageID(hexString: text) else { throw JSONShapeError("\(field): MessageID is not valid hex") }
        return id
    }

    /// serde's name for the kind of a value in "invalid type" errors.
    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "boolean `\(flag)`"
        case .number(let literal): literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            ? "floating point `\(literal)`" : "integer `\(literal)`"
        case .string(let text): "string \(JSONValue.string(text).compactText)"
        case .array: "sequence"
        case .object: "map"
        }
    }
}
