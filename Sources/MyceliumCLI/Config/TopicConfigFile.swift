import Foundation
import MyceliumCore
import MyceliumGatewayKit
import MyceliumNode
import TOMLKit

/// The `--topic-config` file (spec §5.4, upstream's `TopicConfig` deserialiser in `mycelium/src/message/topic.rs`):
///
/// ```toml
/// default = "Reject"                 # or "Accept" (the default); exactly these spellings
/// chat = { subnets = ["400::/7"], forward_socket = "/run/chat.sock" }
/// "old.style" = ["5a6:f0c6::/64", "5a6:f0c6::1"]
/// ```
///
/// Every key but `default` is a topic; its UTF-8 bytes are the topic bytes (not base64). A topic's value is a table
/// with optional `subnets` (array of strings) and `forward_socket` (string), or — upstream's old format — a plain
/// array of subnet strings. A bare address becomes a /128. An IPv4 subnet or address (which upstream also accepts)
/// becomes its IPv4-mapped IPv6 prefix (`::ffff:a.b.c.d/(96+n)`): like upstream's, it never matches an overlay source.
///
/// Stricter than upstream (whose serde ignores them): unknown keys inside a topic table are refused, so a typo such
/// as `subnet = […]` cannot silently leave a topic rejecting everyone.
public enum TopicConfigFile {
    /// Loads and parses the file at `path`.
    public static func load(path: String) throws(ConfigError) -> TopicPolicy {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard data.count <= ConfigFile.maximumByteCount else {
            throw .unreadable(path: path, reason: "larger than \(ConfigFile.maximumByteCount) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        return try Self.parse(toml: text, path: path)
    }

    /// Parses TOML text; `path` is only used in error messages.
    public static func parse(toml text: String, path: String) throws(ConfigError) -> TopicPolicy {
        let table = try TOMLTable.parsing(text, path: path)
        var policy = TopicPolicy()
        for key in table.keys.sorted() {
            guard let value = table[key] else { continue }
            if key == "default" {
                policy.defaultAccepts = try Self.defaultAction(value, path: path)
                continue
            }
            let rule = try Self.rule(value, topic: key, path: path)
            do {
                try policy.setRule(rule, for: Array(key.utf8))
            } catch {
                let limit = OutgoingMessage.maximumTopicByteCount
                throw .invalidValue(
                    path: path, key: key, reason: "a topic is at most \(limit) bytes, this one is \(key.utf8.count)"
                )
            }
        }
        return policy
    }

    /// `default = "Accept" | "Reject"`, spelled as upstream's serde-derived `MessageAction` requires.
    private static func defaultAction(_ value: any TOMLValueConvertible, path: String) throws(ConfigError) -> Bool {
        guard let text = value.string else {
            throw .wrongType(path: path, key: "default", expected: "the string \"Accept\" or \"Reject\"")
        }
        switch text {
        case "Accept": return true
        case "Reject": return false
        default:
            throw .invalidValue(path: path, key: "default", reason: "must be \"Accept\" or \"Reject\", not \"\(text)\"")
        }
    }

    /// A topic's entry: a table (`subnets`, `forward_socket`) or an array of subnet strings.
    private static func rule(
        _ value: any TOMLValueConvertible, topic: String, path: String
    ) throws(ConfigError) -> TopicPolicy.Rule {
        if let array = value.array {
            return TopicPolicy.Rule(sources: try Self.subnets(array, key: topic, path: path))
        }
        guard let table = value.table else {
            throw .wrongType(
                path: path, key: topic,
                expected: "a table { subnets = [...], forward_socket = \"...\" } or an array of subnets"
            )
        }
        var rule = TopicPolicy.Rule()
        for subkey in table.keys.sorted() {
            let qualified = "\(topic).\(subkey)"
            guard let subvalue = table[subkey] else { continue }
            switch subkey {
            case "subnets":
                guard let array = subvalue.array else {
                    throw .wrongType(path: path, key: qualified, expected: "an array of subnet strings")
                }
                rule.sources = try Self.subnets(array, key: qualified, path: path)
            case "forward_socket":
                guard let socket = subvalue.string else {
                    throw .wrongType(path: path, key: qualified, expected: "a string (a Unix socket path)")
                }
                guard !socket.isEmpty, !socket.contains("\0") else {
                    throw .invalidValue(path: path, key: qualified, reason: "must be a non-empty path")
                }
                rule.forwardSocket = socket
            default:
                throw .unknownKey(path: path, key: qualified)
            }
        }
        return rule
    }

    /// Subnet strings, duplicates dropped, order kept.
    private static func subnets(_ array: TOMLArray, key: String, path: String) throws(ConfigError) -> [Subnet] {
        var subnets: [Subnet] = []
        for element in array {
            guard let text = element.string else {
                throw .wrongType(path: path, key: key, expected: "an array of subnet strings")
            }
            guard let subnet = Subnet(topicSource: text) else {
                throw .invalidValue(path: path, key: key, reason: "'\(text)' is not a subnet or IP address")
            }
            if !subnets.contains(subnet) { subnets.append(subnet) }
        }
        return subnets
    }
}

extension NodeConfiguration {
    /// Loads the `--topic-config` file, if one is set, into `topicPolicy`.
    public mutating func loadTopicConfig() throws(ConfigError) {
        guard let path = self.topicConfig else { return }
        self.topicPolicy = try TopicConfigFile.load(path: path)
    }
}
