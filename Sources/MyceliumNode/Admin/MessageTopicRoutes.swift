import Hummingbird
import MyceliumCore
import MyceliumGatewayKit

/// Upstream's topic configuration routes (spec §5.4–5.5, "Topic configuration endpoints" of `message_router_v1` in
/// `mycelium-api/src/message.rs`), answered from any ``MessageBus``:
///
/// | route | reply |
/// |---|---|
/// | `GET /api/v1/messages/topics/default` | 200 `{"accept":bool}` |
/// | `PUT /api/v1/messages/topics/default` `{"accept":bool}` | 204 |
/// | `GET /api/v1/messages/topics` | 200 `["<b64>",…]` |
/// | `POST /api/v1/messages/topics` `[byte,…]` | 201 |
/// | `DELETE /api/v1/messages/topics/{b64}` | 204 (also for a topic without an entry) |
/// | `GET /api/v1/messages/topics/{b64}/sources` | 200 `["<subnet>",…]`, 404 without an entry |
/// | `POST /api/v1/messages/topics/{b64}/sources` `{"subnet":…}` | 201 (creates the entry) |
/// | `DELETE /api/v1/messages/topics/{b64}/sources/{subnet}` | 204 |
/// | `GET /api/v1/messages/topics/{b64}/forward` | 200 `"<path>"` or `null` |
/// | `PUT /api/v1/messages/topics/{b64}/forward` `{"socketPath":…}` | 204 |
/// | `DELETE /api/v1/messages/topics/{b64}/forward` | 204 |
///
/// A topic that is not base64, or a subnet that does not parse, is 400. Where upstream's handler has a JSON body, the
/// body is checked before the topic (axum runs the `Json` extractor before the handler decodes the path's topic).
enum MessageTopicRoutes {
    static func register<Context: RequestContext>(on router: some RouterMethods<Context>, bus: any MessageBus) {
        typealias Operations = MessageAPIOperations
        let limit = AdminRoutes.maximumBodySize

        router.get("api/v1/messages/topics/default") { _, _ in
            try await MessageRoutes.handle {
                let policy = try await bus.topicPolicy()
                return .json(TopicPolicy.DefaultAction(accept: policy.defaultAccepts).jsonValue)
            }
        }
        router.put("api/v1/messages/topics/default") { request, _ in
            try await MessageRoutes.handle {
                var request = request
                let body = try await MessageRoutes.readBody(
                    &request, limit: limit, as: TopicPolicy.DefaultAction.init(json:)
                )
                try await bus.setDefaultTopicAction(accept: body.accept)
                return Response(status: .noContent)
            }
        }
        MessageRoutes.allow([.get, .put], at: "api/v1/messages/topics/default", on: router)

        router.get("api/v1/messages/topics") { _, _ in
            try await MessageRoutes.handle {
                let policy = try await bus.topicPolicy()
                return .json(TopicPolicy.TopicList(topics: policy.topics).jsonValue)
            }
        }
        router.post("api/v1/messages/topics") { request, _ in
            try await MessageRoutes.handle {
                var request = request
                let body = try await MessageRoutes.readBody(
                    &request, limit: limit, as: TopicPolicy.TopicBytes.init(json:)
                )
                try await bus.addTopic(body.topic)
                return Response(status: .created)
            }
        }
        MessageRoutes.allow([.get, .post], at: "api/v1/messages/topics", on: router)

        router.delete("api/v1/messages/topics/:topic") { _, context in
            try await MessageRoutes.handle {
                let topic = try Self.topic(context)
                try await bus.removeTopic(topic)
                return Response(status: .noContent)
            }
        }
        MessageRoutes.allow([.delete], at: "api/v1/messages/topics/:topic", on: router)

        router.get("api/v1/messages/topics/:topic/sources") { _, context in
            try await MessageRoutes.handle {
                let sources = try await Operations.sources(of: try Self.topic(context), bus: bus)
                return .json(TopicPolicy.SourceList(sources: sources).jsonValue)
            }
        }
        router.post("api/v1/messages/topics/:topic/sources") { request, context in
            try await MessageRoutes.handle {
                var request = request
                let body = try await MessageRoutes.readBody(
                    &request, limit: limit, as: TopicPolicy.SourceRequest.init(json:)
                )
                let topic = try Self.topic(context)
                try await Operations.addSource(try Operations.subnet(body.subnet), to: topic, bus: bus)
                return Response(status: .created)
            }
        }
        MessageRoutes.allow([.get, .post], at: "api/v1/messages/topics/:topic/sources", on: router)

        router.delete("api/v1/messages/topics/:topic/sources/:subnet") { _, context in
            try await MessageRoutes.handle {
                let topic = try Self.topic(context)
                let subnetText = try MessageRoutes.pathText(context, "subnet", invalid: MessageAPIError.invalidSubnet)
                try await Operations.removeSource(try Operations.subnet(subnetText), from: topic, bus: bus)
                return Response(status: .noContent)
            }
        }
        MessageRoutes.allow([.delete], at: "api/v1/messages/topics/:topic/sources/:subnet", on: router)

        router.get("api/v1/messages/topics/:topic/forward") { _, context in
            try await MessageRoutes.handle {
                let path = try await Operations.forwardSocket(of: try Self.topic(context), bus: bus)
                return .json(TopicPolicy.ForwardSocket(path: path).jsonValue)
            }
        }
        router.put("api/v1/messages/topics/:topic/forward") { request, context in
            try await MessageRoutes.handle {
                var request = request
                let body = try await MessageRoutes.readBody(
                    &request, limit: limit, as: TopicPolicy.ForwardSocketRequest.init(json:)
                )
                try await Operations.setForwardSocket(body.socketPath, for: try Self.topic(context), bus: bus)
                return Response(status: .noContent)
            }
        }
        router.delete("api/v1/messages/topics/:topic/forward") { _, context in
            try await MessageRoutes.handle {
                try await Operations.setForwardSocket(nil, for: try Self.topic(context), bus: bus)
                return Response(status: .noContent)
            }
        }
        MessageRoutes.allow([.get, .put, .delete], at: "api/v1/messages/topics/:topic/forward", on: router)
    }

    /// The `{topic}` path parameter: percent-decoded, then standard base64.
    private static func topic<Context: RequestContext>(_ context: Context) throws(MessageAPIError) -> [UInt8] {
        let text = try MessageRoutes.pathText(context, "topic", invalid: MessageAPIError.invalidTopic)
        return try MessageAPIOperations.topic(text)
    }
}
