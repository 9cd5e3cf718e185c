/// The JSON documents of the topic endpoints (spec §5.4–5.5, `mycelium-api/src/message.rs`, "Topic configuration
/// API"), each a small value with `jsonValue` and `init(json:)` so the node encodes them and `HTTPMessageBus` decodes
/// them.
extension TopicPolicy {
    /// `{"accept":bool}`: `GET` and `PUT /api/v1/messages/topics/default` (`DefaultTopicActionResponse` /
    /// `DefaultTopicActionRequest`).
    public struct DefaultAction: Hashable, Sendable {
        public var accept: Bool

        public init(accept: Bool) { self.accept = accept }

        public var jsonValue: JSONValue { .object([JSONMember("accept", .bool(self.accept))]) }

        public init(json: JSONValue) throws(JSONShapeError) {
            let object = try MessageJSONFields.object(json, "struct DefaultTopicActionRequest")
            let value = try MessageJSONFields.required("accept", in: object)
            self.accept = try MessageJSONFields.bool(value, field: "accept")
        }
    }

    /// `["<b64>",…]`: the configured topics, `GET /api/v1/messages/topics` and JSON-RPC `getTopics`.
    public struct TopicList: Hashable, Sendable {
        public var topics: [[UInt8]]

        public init(topics: [[UInt8]]) { self.topics = topics }

        public var jsonValue: JSONValue { .array(self.topics.map { .string(Base64.encode($0)) }) }

        public init(json: JSONValue) throws(JSONShapeError) {
            guard case .array(let elements) = json else {
                throw JSONShapeError("invalid type: \(MessageJSONFields.kind(of: json)), expected a sequence")
            }
            var topics: [[UInt8]] = []
            for element in elements { topics.append(try MessageJSONFields.base64(element, field: "topic")) }
            self.topics = topics
        }
    }

    /// `[104,105]`: the body of `POST /api/v1/messages/topics`, upstream's `Json<Vec<u8>>`: the topic as an array of
    /// byte values, **not** base64.
    public struct TopicBytes: Hashable, Sendable {
        public var topic: [UInt8]

        public init(topic: [UInt8]) { self.topic = topic }

        public var jsonValue: JSONValue { .array(self.topic.map { .integer($0) }) }

        public init(json: JSONValue) throws(JSONShapeError) {
            guard case .array(let elements) = json else {
                throw JSONShapeError("invalid type: \(MessageJSONFields.kind(of: json)), expected a sequence")
            }
            var topic: [UInt8] = []
            topic.reserveCapacity(elements.count)
            for element in elements {
                topic.append(try MessageJSONFields.integer(element, field: "topic", as: UInt8.self))
            }
            self.topic = topic
        }
    }

    /// `["<subnet>",…]`: `GET /api/v1/messages/topics/{topic}/sources` and JSON-RPC `getTopicSources`.
    public struct SourceList: Hashable, Sendable {
        public var sources: [Subnet]

        public init(sources: [Subnet]) { self.sources = sources }

        public var jsonValue: JSONValue { .array(self.sources.map { .string($0.description) }) }

        public init(json: JSONValue) throws(JSONShapeError) {
            guard case .array(let elements) = json else {
                throw JSONShapeError("invalid type: \(MessageJSONFields.kind(of: json)), expected a sequence")
            }
            var sources: [Subnet] = []
            for element in elements {
                let text = try MessageJSONFields.string(element, field: "subnet")
                guard let subnet = Subnet(text) else { throw JSONShapeError("subnet: invalid subnet: \(text)") }
                sources.append(subnet)
            }
            self.sources = sources
        }
    }

    /// `{"subnet":"<subnet or ip>"}`: the body of `POST /api/v1/messages/topics/{topic}/sources`
    /// (`TopicSourceRequest`). The text is kept as is: upstream parses it after deserializing, and answers a bad
    /// subnet with 400, not with a body rejection.
    public struct SourceRequest: Hashable, Sendable {
        public var subnet: String

        public init(subnet: String) { self.subnet = subnet }

        public init(subnet: Subnet) { self.subnet = subnet.description }

        public var jsonValue: JSONValue { .object([JSONMember("subnet", .string(self.subnet))]) }

        public init(json: JSONValue) throws(JSONShapeError) {
            let object = try MessageJSONFields.object(json, "struct TopicSourceRequest")
            let value = try MessageJSONFields.required("subnet", in: object)
            self.subnet = try MessageJSONFields.string(value, field: "subnet")
        }
    }

    /// `"<path>"` or `null`: `GET /api/v1/messages/topics/{topic}/forward` and JSON-RPC `getTopicForwardSocket`
    /// (`Json<Option<String>>`; `null` also for a topic that is not configured).
    public struct ForwardSocket: Hashable, Sendable {
        public var path: String?

        public init(path: String?) { self.path = path }

        public var jsonValue: JSONValue { self.path.map(JSONValue.string) ?? .null }

        public init(json: JSONValue) throws(JSONShapeError) {
            switch json {
            case .null: self.path = nil
            case .string(let path): self.path = path
            default:
                throw JSONShapeError("invalid type: \(MessageJSONFields.kind(of: json)), expected a string or null")
            }
        }
    }

    /// `{"socketPath":"<path>"}`: the body of `PUT /api/v1/messages/topics/{topic}/forward`
    /// (`TopicForwardSocketRequest`).
    public struct ForwardSocketRequest: Hashable, Sendable {
        public var socketPath: String

        public init(socketPath: String) { self.socketPath = socketPath }

        public var jsonValue: JSONValue { .object([JSONMember("socketPath", .string(self.socketPath))]) }

        public init(json: JSONValue) throws(JSONShapeError) {
            let object = try MessageJSONFields.object(json, "struct TopicForwardSocketRequest")
            self.socketPath = try MessageJSONFields.string(
                try MessageJSONFields.required("socketPath", in: object),
                field: "socketPath"
            )
        }
    }
}
