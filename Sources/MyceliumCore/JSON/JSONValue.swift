/// A JSON document whose objects keep their key order, so the API can emit exactly the field order upstream's serde
/// structs produce (spec §5.5) and the CLI can pretty-print the way `serde_json::to_string_pretty` does.
///
/// Numbers keep their literal text: JSON-RPC ids are echoed back unchanged, and `UInt64` counters never pass
/// through `Double`.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number literal in JSON syntax, e.g. `42`, `-1`, `2.5e3`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// An integer number.
    public static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(String(value))
    }

    /// The value of `key` if this is an object containing it (the first occurrence wins).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The text, if this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The number as an unsigned integer, if it is written as one and fits.
    public var uint64Value: UInt64? {
        if case .number(let literal) = self { return UInt64(literal) }
        return nil
    }

    /// Whether this is an object (of any members).
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Hashable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension JSONValue {
    /// Compact text, as `serde_json::to_string` writes it: no whitespace at all.
    public var compactText: String {
        var output = ""
        self.write(to: &output, indent: nil, depth: 0)
        return output
    }

    /// Indented text, as `serde_json::to_string_pretty` writes it: two spaces per level, `"key": value`.
    public var prettyText: String {
        var output = ""
        self.write(to: &output, indent: "  ", depth: 0)
        return output
    }

    private func write(to output: inout String, indent: String?, depth: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let literal): output += literal
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let elements):
            Self.writeContainer("[", "]", count: elements.count, to: &output, indent: indent, depth: depth) {
                index, output in elements[index].write(to: &output, indent: indent, depth: depth + 1)
            }
        case .object(let members):
            Self.writeContainer("{", "}", count: members.count, to: &output, indent: indent, depth: depth) {
                index, output in
                Self.writeString(members[index].key, to: &output)
                output += indent == nil ? ":" : ": "
                members[index].value.write(to: &output, indent: indent, depth: depth + 1)
            }
        }
    }

    private static func writeContainer(
        _ open: String,
        _ close: String,
        count: Int,
        to output: inout String,
        indent: String?,
        depth: Int,
        element: (Int, inout String) -> Void
    ) {
        output += open
        guard count > 0 else {
            output += close
            return
        }
        for index in 0..<count {
            if index > 0 { output += "," }
            if let indent { output += "\n" + String(repeating: indent, count: depth + 1) }
            element(index, &output)
        }
        if let indent { output += "\n" + String(repeating: indent, count: depth) }
        output += close
    }

    /// serde_json's escaping: `"`, `\` and control characters; everything else (including `/` and non-ASCII) as is.
    /// Runs of bytes that need no escaping are appended whole (a 14 MB base64 payload is one append); runs only end at
    /// ASCII bytes, so each run is whole UTF-8.
    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    output += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                }
                output += Self.escape(byte)
                runStart = index + 1
            }
            if runStart < bytes.count {
                output += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart...]), as: UTF8.self)
            }
        }
        output += "\""
    }

    private static func escape(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "\n"): return "\\n"
        case UInt8(ascii: "\r"): return "\\r"
        case UInt8(ascii: "\t"): return "\\t"
        case 0x08: return "\\b"
        case 0x0C: return "\\f"
        default:
            let hex = String(byte, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
}
