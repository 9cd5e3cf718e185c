import MyceliumCore
import MyceliumGatewayKit

/// Upstream's message JSON-RPC methods (spec §5.6, trait `MyceliumMessageApi` in `mycelium-api/src/rpc.rs`),
/// answering from any ``MessageBus``. Positional parameters (or named, by the Rust parameter names):
///
/// | method | params | result |
/// |---|---|---|
/// | `popMessage` | `peek?`, `timeout?` (s), `topic?` (b64) | the message, or `null` when none came in time |
/// | `pushMessage` | `{dst,topic?,payload}`, `reply_timeout?` (s) | `{id}`, or the reply (`{id}` again on timeout) |
/// | `pushMessageReply` | `id`, `{dst,payload}` | `true` |
/// | `getMessageInfo` | `id` | `{dst,state,created,deadline,msgLen}` |
/// | `getDefaultTopicAction` / `setDefaultTopicAction` | — / `accept` | `bool` / `true` |
/// | `getTopics` / `addTopic` / `removeTopic` | — / `topic` / `topic` | `["<b64>"]` / `true` / `true` |
/// | `getTopicSources` / `addTopicSource` / `removeTopicSource` | `topic` [, `subnet`] | `["<subnet>"]` / `true` |
/// | `get…` / `set…` / `removeTopicForwardSocket` | `topic` [, `socket_path`] | path or `null` / `true` |
///
/// Error codes come from ``MessageAPIError/jsonRPC(during:)``; a parameter of the wrong shape (including a bad base64
/// payload inside the message object, which upstream's serde rejects) is −32602.
public enum MessageRPCMethods {
    /// The method table, to merge with the admin methods into one ``JSONRPCDispatcher``.
    public static func methods(bus: any MessageBus) -> [String: JSONRPCMethod] {
        typealias Operations = MessageAPIOperations
        return [
            "popMessage": Self.method(.pop) { params in try await Self.pop(params, bus: bus) },
            "pushMessage": Self.method(.push) { params in try await Self.push(params, bus: bus) },
            "pushMessageReply": Self.method(.reply) { params in
                let id = try Operations.messageID(try params.requiredString(at: 0, named: "id"))
                let message = try Self.message(try params.required(at: 1, named: "message"))
                try await bus.reply(to: id, with: message)
                return .bool(true)
            },
            "getMessageInfo": Self.method(.status) { params in
                let id = try Operations.messageID(try params.requiredString(at: 0, named: "id"))
                let status = try await bus.status(of: id)
                guard let status else { throw MessageAPIError.unknownMessage(id) }
                return status.jsonValue
            },
            "getDefaultTopicAction": Self.method(.topics) { _ in
                .bool(try await bus.topicPolicy().defaultAccepts)
            },
            "setDefaultTopicAction": Self.method(.topics) { params in
                let accept = try params.requiredBool(at: 0, named: "accept")
                try await bus.setDefaultTopicAction(accept: accept)
                return .bool(true)
            },
            "getTopics": Self.method(.topics) { _ in
                let policy = try await bus.topicPolicy()
                return TopicPolicy.TopicList(topics: policy.topics).jsonValue
            },
            "addTopic": Self.method(.topics) { params in
                let topic = try Self.topic(params)
                try await bus.addTopic(topic)
                return .bool(true)
            },
            "removeTopic": Self.method(.topics) { params in
                let topic = try Self.topic(params)
                try await bus.removeTopic(topic)
                return .bool(true)
            },
            "getTopicSources": Self.method(.topics) { params in
                let sources = try await Operations.sources(of: try Self.topic(params), bus: bus)
                return TopicPolicy.SourceList(sources: sources).jsonValue
            },
            "addTopicSource": Self.method(.topics) { params in
                let topic = try Self.topic(params)
                let subnet = try Operations.subnet(try params.requiredString(at: 1, named: "subnet"))
                try await Operations.addSource(subnet, to: topic, bus: bus)
                return .bool(true)
            },
            "removeTopicSource": Self.method(.topics) { params in
                let topic = try Self.topic(params)
                let subnet = try Operations.subnet(try params.requiredString(at: 1, named: "subnet"))
                try await Operations.removeSource(subnet, from: topic, bus: bus)
                return .bool(true)
            },
            "getTopicForwardSocket": Self.method(.topics) { params in
                let path = try await Operations.forwardSocket(of: try Self.topic(params), bus: bus)
                return TopicPolicy.ForwardSocket(path: path).jsonValue
            },
            "setTopicForwardSocket": Self.method(.topics) { params in
                let topic = try Self.topic(params)
                let path = try params.requiredString(at: 1, named: "socket_path", aliases: ["socketPath"])
                try await Operations.setForwardSocket(path, for: topic, bus: bus)
                return .bool(true)
            },
            "removeTopicForwardSocket": Self.method(.topics) { params in
                try await Operations.setForwardSocket(nil, for: try Self.topic(params), bus: bus)
                return .bool(true)
            },
        ]
    }

    /// `popMessage(peek?, timeout?, topic?)`: the message, or `null` (not an error) when none came within `timeout`.
    private static func pop(_ params: JSONRPCParams, bus: any MessageBus) async throws -> JSONValue {
        let peek = try params.optionalBool(at: 0, named: "peek") ?? false
        let timeout =
            try params.optionalSeconds(at: 1, named: "timeout", longest: MessageAPIOperations.longestWait) ?? .zero
        let topic = try params.optionalString(at: 2, named: "topic", aliases: ["topicB64"]).map {
            text throws(MessageAPIError) in try MessageAPIOperations.topic(text)
        }
        let message = try await bus.receive(peek: peek, timeout: timeout, topic: topic)
        return message?.jsonValue ?? .null
    }

    /// `pushMessage(message, reply_timeout?)`: `{id}`, or the reply, or `{id}` when no reply came in time.
    private static func push(_ params: JSONRPCParams, bus: any MessageBus) async throws -> JSONValue {
        let message = try Self.message(try params.required(at: 0, named: "message"))
        let replyTimeout = try params.optionalSeconds(
            at: 1, named: "reply_timeout", aliases: ["replyTimeout"], longest: MessageAPIOperations.longestWait
        )
        let outcome = try await bus.send(message, replyTimeout: replyTimeout)
        return outcome.jsonValue
    }

    /// A `MessageSendInfo` parameter; a wrong shape (or bad base64 inside) is −32602, as serde fails upstream.
    private static func message(_ json: JSONValue) throws(JSONRPCError) -> OutgoingMessage {
        do {
            return try OutgoingMessage(json: json)
        } catch {
            throw .invalidParams(error.description)
        }
    }

    /// The base64 `topic` parameter (position 0) of the topic methods.
    private static func topic(_ params: JSONRPCParams) throws -> [UInt8] {
        try MessageAPIOperations.topic(try params.requiredString(at: 0, named: "topic"))
    }

    /// Wraps a method body: ``MessageAPIError`` and ``MessageBusError`` map to upstream's code for `operation`,
    /// parameter errors pass through.
    private static func method(
        _ operation: MessageOperation,
        _ body: @escaping @Sendable (JSONRPCParams) async throws -> JSONValue
    ) -> JSONRPCMethod {
        { params in
            do {
                return .success(try await body(params))
            } catch let error as MessageAPIError {
                return .failure(error.jsonRPC(during: operation))
            } catch let error as MessageBusError {
                return .failure(MessageAPIError.bus(error).jsonRPC(during: operation))
            } catch let error as JSONRPCError {
                return .failure(error)
            } catch {
                return .failure(.internalError)
            }
        }
    }
}
