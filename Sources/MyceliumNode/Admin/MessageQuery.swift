import MyceliumCore

/// A query string read as axum's `Query` extractor reads it (`serde_urlencoded` into upstream's `GetMessageQuery` /
/// `PushMessageQuery`, spec §5.5): `application/x-www-form-urlencoded`, so `+` is a space and `%XX` a byte (a
/// base64 topic's `+` must be sent as `%2B`); unknown keys are ignored, a repeated known key is refused, and values
/// must parse as the field's type.
struct MessageQuery {
    private var fields: [String: String] = [:]

    /// Parses `query` (the part after `?`, `nil` for none), keeping only `known` keys.
    init(_ query: String?, known: Set<String>) throws(MessageAPIError) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.formDecode(parts[0])
            guard known.contains(key) else { continue }
            guard self.fields[key] == nil else { throw .invalidQuery("duplicate field `\(key)`") }
            self.fields[key] = parts.count > 1 ? Self.formDecode(parts[1]) : ""
        }
    }

    /// `true` / `false`; `nil` when absent.
    func bool(_ key: String) throws(MessageAPIError) -> Bool? {
        guard let text = self.fields[key] else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw .invalidQuery("\(key): provided string was not `true` or `false`")
        }
    }

    /// A number of seconds (`u64`), capped at `longest`; `nil` when absent.
    func seconds(_ key: String, longest: Duration) throws(MessageAPIError) -> Duration? {
        guard let text = self.fields[key] else { return nil }
        guard let seconds = UInt64(text) else { throw .invalidQuery("\(key): invalid digit found in string") }
        return min(.seconds(Int64(clamping: seconds)), longest)
    }

    /// Standard padded base64 bytes; `nil` when absent (an empty value is the empty topic).
    func base64(_ key: String) throws(MessageAPIError) -> [UInt8]? {
        guard let text = self.fields[key] else { return nil }
        do {
            return try Base64.decode(text)
        } catch {
            throw .invalidQuery("\(key): \(error)")
        }
    }

    /// `+` → space, `%XX` → byte; malformed escapes are kept as they are, and invalid UTF-8 replaced, as the
    /// `form_urlencoded` crate does.
    static func formDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = Self.hexValue(utf8[index + 1]), let low = Self.hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
