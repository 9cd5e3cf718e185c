import MyceliumCore

/// The topic policy over HTTP (spec §5.4, §5.5): topics in paths are standard padded base64, percent-escaped.
///
/// | bus call | route |
/// |---|---|
/// | `topicPolicy` | `GET …/topics/default`, `GET …/topics`, per topic `GET …/{t}/sources`, `GET …/{t}/forward` |
/// | `setDefaultTopicAction` | `PUT …/topics/default` `{"accept":bool}` |
/// | `addTopic` | `POST …/topics` with the topic as a JSON array of byte values |
/// | `removeTopic` | `DELETE …/topics/{t}` |
/// | `addTopicSource` | `POST …/{t}/sources` `{"subnet":…}` |
/// | `removeTopicSource` | `DELETE …/{t}/sources/{subnet}` |
/// | `setTopicForwardSocket` | `PUT …/{t}/forward` `{"socketPath":…}`, or `DELETE …/{t}/forward` for `nil` |
extension HTTPMessageBus {
    static let topicsPath = "/api/v1/messages/topics"

    public func topicPolicy() async throws(MessageBusError) -> TopicPolicy {
        let defaultJSON = try await self.getJSON(Self.topicsPath + "/default")
        guard case .bool(let accept)? = defaultJSON["accept"] else {
            throw .unavailable("unexpected answer to GET \(Self.topicsPath)/default: \(defaultJSON.compactText)")
        }
        var policy = TopicPolicy(defaultAccepts: accept)
        for topic in try await self.listedTopics() {
            // An empty topic has no path of its own (its base64 is empty); it is reported without sources.
            var rule = TopicPolicy.Rule()
            if !topic.isEmpty {
                guard let sources = try await self.sources(of: topic) else { continue }  // removed meanwhile
                rule.sources = sources
                rule.forwardSocket = try await self.forwardSocket(of: topic)
            }
            do {
                try policy.setRule(rule, for: topic)
            } catch {
                throw .unavailable("the node listed a topic of \(topic.count) bytes")
            }
        }
        return policy
    }

    public func setDefaultTopicAction(accept: Bool) async throws(MessageBusError) {
        let body = JSONValue.object([JSONMember("accept", .bool(accept))])
        try await self.change("PUT", Self.topicsPath + "/default", json: body, notFound: nil)
    }

    public func addTopic(_ topic: [UInt8]) async throws(MessageBusError) {
        guard topic.count <= OutgoingMessage.maximumTopicByteCount else { throw .topicTooLong(topic.count) }
        let body = JSONValue.array(topic.map { .integer($0) })
        try await self.change("POST", Self.topicsPath, json: body, notFound: nil)
    }

    public func removeTopic(_ topic: [UInt8]) async throws(MessageBusError) {
        try await self.change("DELETE", try Self.topicPath(topic), notFound: .unknownTopic)
    }

    public func addTopicSource(_ subnet: Subnet, to topic: [UInt8]) async throws(MessageBusError) {
        let body = JSONValue.object([JSONMember("subnet", .string(subnet.description))])
        try await self.change("POST", try Self.topicPath(topic) + "/sources", json: body, notFound: .unknownTopic)
    }

    public func removeTopicSource(_ subnet: Subnet, from topic: [UInt8]) async throws(MessageBusError) {
        let path = try Self.topicPath(topic) + "/sources/" + HTTPAPITransport.percentEscaped(subnet.description)
        try await self.change("DELETE", path, notFound: .unknownTopic)
    }

    public func setTopicForwardSocket(_ path: String?, for topic: [UInt8]) async throws(MessageBusError) {
        let route = try Self.topicPath(topic) + "/forward"
        if let path {
            let body = JSONValue.object([JSONMember("socketPath", .string(path))])
            try await self.change("PUT", route, json: body, notFound: .unknownTopic)
        } else {
            try await self.change("DELETE", route, notFound: .unknownTopic)
        }
    }

    // MARK: Helpers

    /// `/api/v1/messages/topics/{percent-escaped base64}`; an empty or over-long topic cannot be addressed.
    static func topicPath(_ topic: [UInt8]) throws(MessageBusError) -> String {
        guard topic.count <= OutgoingMessage.maximumTopicByteCount else { throw .topicTooLong(topic.count) }
        guard !topic.isEmpty else { throw .invalidArgument("the empty topic cannot be addressed over the HTTP API") }
        return Self.topicsPath + "/" + HTTPAPITransport.percentEscaped(Base64.encode(topic))
    }

    /// The topics with an entry (`GET …/topics`: a list of base64 strings).
    private func listedTopics() async throws(MessageBusError) -> [[UInt8]] {
        let json = try await self.getJSON(Self.topicsPath)
        guard let elements = json.arrayValue else {
            throw .unavailable("unexpected answer to GET \(Self.topicsPath): \(json.compactText)")
        }
        var topics: [[UInt8]] = []
        for element in elements {
            guard let text = element.stringValue, let topic = try? Base64.decode(text) else {
                throw .unavailable("GET \(Self.topicsPath) listed a topic that is not base64: \(element.compactText)")
            }
            topics.append(topic)
        }
        return topics
    }

    /// The sources allowed under `topic`; `nil` if the topic has no entry (404).
    private func sources(of topic: [UInt8]) async throws(MessageBusError) -> [Subnet]? {
        let path = try Self.topicPath(topic) + "/sources"
        let reply = try await self.transport.exchange("GET", path)
        if reply.status == 404 { return nil }
        guard reply.status == 200 else { throw self.failure(reply, route: "GET …/sources", notFound: nil) }
        let json = try HTTPAPITransport.json(reply, route: "GET …/sources")
        guard let elements = json.arrayValue else {
            throw .unavailable("unexpected answer to GET …/sources: \(json.compactText)")
        }
        var subnets: [Subnet] = []
        for element in elements {
            guard let text = element.stringValue, let subnet = Subnet(topicSource: text) else {
                throw .unavailable("GET …/sources listed something that is not a subnet: \(element.compactText)")
            }
            subnets.append(subnet)
        }
        return subnets
    }

    /// The forward socket of `topic` (`GET …/forward`: a string or `null`).
    private func forwardSocket(of topic: [UInt8]) async throws(MessageBusError) -> String? {
        let json = try await self.getJSON(try Self.topicPath(topic) + "/forward", notFound: .unknownTopic)
        switch json {
        case .null: return nil
        case .string(let path): return path
        default: throw .unavailable("unexpected answer to GET …/forward: \(json.compactText)")
        }
    }

    /// `GET path`, expecting 200 and JSON.
    private func getJSON(_ path: String, notFound: MessageBusError? = nil) async throws(MessageBusError) -> JSONValue {
        let reply = try await self.transport.exchange("GET", path)
        guard reply.status == 200 else { throw self.failure(reply, route: "GET \(path)", notFound: notFound) }
        return try HTTPAPITransport.json(reply, route: "GET \(path)")
    }

    /// A change (`PUT`, `POST`, `DELETE`), expecting any 2xx.
    private func change(
        _ method: String, _ path: String, json: JSONValue? = nil, notFound: MessageBusError?
    ) async throws(MessageBusError) {
        let reply = try await self.transport.exchange(method, path, json: json)
        guard (200..<300).contains(reply.status) else {
            throw self.failure(reply, route: "\(method) \(path)", notFound: notFound)
        }
    }
}
