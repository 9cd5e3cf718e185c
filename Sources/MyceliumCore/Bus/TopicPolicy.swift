/// Which senders may deliver messages under which topic, and where a topic's messages are forwarded (spec §5.4,
/// upstream's `TopicConfig`).
///
/// A topic without an entry gets the default action (accept unless configured otherwise). A topic with an entry
/// accepts only sources inside one of its subnets; an entry with no subnets rejects everyone. Replies bypass the
/// policy (the receiver checks `accepts` only for messages that are not replies).
public struct TopicPolicy: Hashable, Sendable {
    /// One configured topic.
    public struct Rule: Hashable, Sendable {
        /// Sources allowed to send under the topic (bare addresses are /128).
        public var sources: [Subnet]
        /// A Unix socket path: each message is written to it and what the socket answers is sent back as the reply.
        public var forwardSocket: String?

        public init(sources: [Subnet] = [], forwardSocket: String? = nil) {
            self.sources = sources
            self.forwardSocket = forwardSocket
        }
    }

    /// Why a policy change was refused.
    public enum Error: Swift.Error, Hashable, Sendable {
        /// The topic has no entry (add it first).
        case unknownTopic
        /// The topic is longer than 255 bytes.
        case topicTooLong(Int)
    }

    /// The action for topics without an entry: `true` is upstream's `Accept`.
    public var defaultAccepts: Bool
    public private(set) var rules: [[UInt8]: Rule]

    public init(defaultAccepts: Bool = true, rules: [[UInt8]: Rule] = [:]) {
        self.defaultAccepts = defaultAccepts
        self.rules = rules
    }

    /// The configured topics, in byte order.
    public var topics: [[UInt8]] {
        self.rules.keys.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Whether a (non-reply) message under `topic` from `source` is accepted.
    public func accepts(topic: [UInt8], from source: IPv6Address) -> Bool {
        guard let rule = self.rules[topic] else { return self.defaultAccepts }
        return rule.sources.contains { $0.contains(source) }
    }

    /// The socket `topic`'s messages are forwarded to, if any.
    public func forwardSocket(for topic: [UInt8]) -> String? {
        self.rules[topic]?.forwardSocket
    }

    /// Adds an entry for `topic` with no sources (so it rejects everyone until sources are added); an existing entry
    /// is kept.
    public mutating func addTopic(_ topic: [UInt8]) throws(TopicPolicy.Error) {
        guard topic.count <= OutgoingMessage.maximumTopicByteCount else { throw .topicTooLong(topic.count) }
        if self.rules[topic] == nil { self.rules[topic] = Rule() }
    }

    /// Removes `topic`'s entry (it falls back to the default action).
    public mutating func removeTopic(_ topic: [UInt8]) {
        self.rules[topic] = nil
    }

    /// Allows `subnet` to send under `topic`.
    public mutating func addSource(_ subnet: Subnet, to topic: [UInt8]) throws(TopicPolicy.Error) {
        guard var rule = self.rules[topic] else { throw .unknownTopic }
        if !rule.sources.contains(subnet) { rule.sources.append(subnet) }
        self.rules[topic] = rule
    }

    /// No longer allows `subnet` to send under `topic`.
    public mutating func removeSource(_ subnet: Subnet, from topic: [UInt8]) throws(TopicPolicy.Error) {
        guard var rule = self.rules[topic] else { throw .unknownTopic }
        rule.sources.removeAll { $0 == subnet }
        self.rules[topic] = rule
    }

    /// Forwards `topic`'s messages to the Unix socket at `path` (`nil` stops forwarding).
    public mutating func setForwardSocket(_ path: String?, for topic: [UInt8]) throws(TopicPolicy.Error) {
        guard var rule = self.rules[topic] else { throw .unknownTopic }
        rule.forwardSocket = path
        self.rules[topic] = rule
    }

    /// Sets a whole entry, as a topic configuration file does.
    public mutating func setRule(_ rule: Rule, for topic: [UInt8]) throws(TopicPolicy.Error) {
        guard topic.count <= OutgoingMessage.maximumTopicByteCount else { throw .topicTooLong(topic.count) }
        self.rules[topic] = rule
    }
}
