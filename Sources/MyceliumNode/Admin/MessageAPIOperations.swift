import MyceliumCore
import MyceliumGatewayKit

/// What the HTTP routes and the JSON-RPC methods of the message API share (spec §5.5–5.6): parsing their text
/// arguments, and the topic-policy calls with upstream's semantics on top of ``MessageBus``, so both APIs behave the
/// same.
///
/// Upstream's `TopicConfig` (`mycelium/src/message/topic.rs`) creates a topic when a source is added to it
/// (`add_topic_whitelist_src` uses `entry(topic).or_default()`), and silently does nothing when a source or the
/// forward socket of a missing topic is removed or set (`and_modify`, `if let Some`); the HTTP endpoints answer
/// 201 / 204 either way. Our bus reports those cases as `.unknownTopic`, so this layer adds the topic first or ignores
/// the refusal.
enum MessageAPIOperations {
    /// Long-poll and reply waits are capped at one day (upstream takes any `u64` number of seconds).
    static let longestWait = Duration.seconds(24 * 3600)

    /// Request bytes beyond a payload's base64 text that a `POST /api/v1/messages` body may have: the destination, a
    /// 255-byte topic in base64, the field names and some whitespace.
    static let pushBodySlack = 64 * 1024

    /// The body limit of `POST /api/v1/messages` and `…/reply/{id}`: the base64 text of the bus's largest payload
    /// plus ``pushBodySlack``.
    static func pushBodyLimit(maximumMessageSize: Int) -> Int {
        let encoded = Base64.encodedLength(ofByteCount: max(0, maximumMessageSize)) ?? Int.max
        return encoded > Int.max - Self.pushBodySlack ? Int.max : encoded + Self.pushBodySlack
    }

    /// A topic as it appears in paths and parameters: standard padded base64 (not URL-safe).
    static func topic(_ text: String) throws(MessageAPIError) -> [UInt8] {
        do {
            return try Base64.decode(text)
        } catch {
            throw .invalidTopic(error.description)
        }
    }

    /// A subnet (`<ip>/<length>`, or a bare address as a /128).
    static func subnet(_ text: String) throws(MessageAPIError) -> Subnet {
        guard let subnet = Subnet(text) else { throw .invalidSubnet(text) }
        return subnet
    }

    /// A message id: 16 hex characters.
    static func messageID(_ text: String) throws(MessageAPIError) -> MessageID {
        do {
            return try MessageID(apiText: text)
        } catch {
            // The reason without the field prefix, as upstream's `MessageIdVisitor` words it.
            let text = error.description
            let reason = text.hasPrefix("id: ") ? String(text.dropFirst(4)) : text
            throw .invalidMessageID(reason)
        }
    }

    /// Runs a bus call, wrapping its refusal.
    static func bus<T>(_ call: () async throws(MessageBusError) -> T) async throws(MessageAPIError) -> T {
        do {
            return try await call()
        } catch {
            throw .bus(error)
        }
    }

    /// The sources of `topic`; `.unknownTopic` (404 / −32030) when it has no entry.
    static func sources(of topic: [UInt8], bus: any MessageBus) async throws(MessageAPIError) -> [Subnet] {
        let policy = try await Self.bus { () async throws(MessageBusError) in try await bus.topicPolicy() }
        guard let rule = policy.rules[topic] else { throw .unknownTopic }
        return rule.sources
    }

    /// The forward socket of `topic`, `nil` also when the topic has no entry.
    static func forwardSocket(of topic: [UInt8], bus: any MessageBus) async throws(MessageAPIError) -> String? {
        let policy = try await Self.bus { () async throws(MessageBusError) in try await bus.topicPolicy() }
        return policy.forwardSocket(for: topic)
    }

    /// Allows `subnet` under `topic`, creating the topic's entry first if needed (as upstream does).
    static func addSource(_ subnet: Subnet, to topic: [UInt8], bus: any MessageBus) async throws(MessageAPIError) {
        try await Self.bus { () async throws(MessageBusError) in
            if try await bus.topicPolicy().rules[topic] == nil { try await bus.addTopic(topic) }
            try await bus.addTopicSource(subnet, to: topic)
        }
    }

    /// Removes `subnet` from `topic`; nothing happens for a topic without an entry (as upstream).
    static func removeSource(_ subnet: Subnet, from topic: [UInt8], bus: any MessageBus) async throws(MessageAPIError) {
        try await Self.ignoringUnknownTopic { () async throws(MessageBusError) in
            try await bus.removeTopicSource(subnet, from: topic)
        }
    }

    /// Sets or removes `topic`'s forward socket; nothing happens for a topic without an entry (as upstream).
    static func setForwardSocket(
        _ path: String?,
        for topic: [UInt8],
        bus: any MessageBus
    ) async throws(MessageAPIError) {
        try await Self.ignoringUnknownTopic { () async throws(MessageBusError) in
            try await bus.setTopicForwardSocket(path, for: topic)
        }
    }

    private static func ignoringUnknownTopic(
        _ call: () async throws(MessageBusError) -> Void
    ) async throws(MessageAPIError) {
        do {
            try await call()
        } catch .unknownTopic {
            return
        } catch {
            throw .bus(error)
        }
    }
}
