import Hummingbird
import MyceliumCore
import MyceliumGatewayKit

/// The message API call a refusal happened in; upstream's JSON-RPC picks some codes by method.
public enum MessageOperation: Hashable, Sendable {
    /// `pushMessage` / `POST /api/v1/messages`.
    case push
    /// `pushMessageReply` / `POST /api/v1/messages/reply/{id}`.
    case reply
    /// `getMessageInfo` / `GET /api/v1/messages/status/{id}`.
    case status
    /// `popMessage` / `GET /api/v1/messages`.
    case pop
    /// The topic-policy calls.
    case topics
}

/// Why a message API request was refused. This file is the one place that maps refusals to replies (house rule 5):
/// an HTTP status with a JSON body `{"error":"<reason>"}`, and a JSON-RPC error object.
///
/// The statuses and codes are upstream's, read from `mycelium-api/src/message.rs` (axum handlers) and
/// `mycelium-api/src/rpc.rs` (jsonrpsee `MyceliumMessageApi`) of threefoldtech/mycelium:
/// - `push_message` answers *any* `PushMessageError` with 400 and an empty body; the only such error upstream has is
///   `TopicTooLarge` (`mycelium/src/message.rs`, "topic too large, topic is limited to 255 bytes"). JSON-RPC: −32015.
/// - Upstream queues a message to an address it has no key for and answers 201; our bus refuses it
///   (`.unknownDestination`), which gets upstream's status for a refused push, 400 (JSON-RPC −32015).
/// - Upstream has no message size limit of its own; a body over axum's limit is 413. A payload over the bus's limit
///   gets the same 413 (JSON-RPC −32015).
/// - `Path<MessageId>` rejections (`MessageIdVisitor`: "Message ID is 16 characters long" / "MessageID is not valid
///   hex") are axum's 400 `Invalid URL: …`; JSON-RPC −32018 in `pushMessageReply`, −32020 in `getMessageInfo`.
/// - `message_status` of an unknown id: 404; JSON-RPC −32019.
/// - `reply_message` never fails upstream (204 for any id); our bus may refuse an id it never received: 404 / −32019.
/// - A topic that is not valid base64: 400 (path), 400 `Failed to deserialize query string` (query); JSON-RPC −32013
///   in `popMessage`, −32021 in the topic methods. A subnet that does not parse: 400; JSON-RPC −32023.
/// - `get_topic_sources` of a topic without an entry: 404; JSON-RPC −32030.
public enum MessageAPIError: Error, Hashable, Sendable {
    /// The JSON body was refused as axum's `Json` extractor refuses it (415, 413, 400, 422).
    case body(AdminBodyError)
    /// A query string axum's `Query` extractor refuses: 400.
    case invalidQuery(String)
    /// A message id in the path or a parameter that is not 16 hex characters: 400.
    case invalidMessageID(String)
    /// A topic in the path or a parameter that is not standard padded base64: 400.
    case invalidTopic(String)
    /// A subnet that does not parse: 400.
    case invalidSubnet(String)
    /// No entry for the topic: 404.
    case unknownTopic
    /// No sent message with the id: 404.
    case unknownMessage(MessageID)
    /// The bus refused the request.
    case bus(MessageBusError)

    /// The status and the `error` text of the JSON body.
    public var http: (status: HTTPResponse.Status, reason: String) {
        switch self {
        case .body(let error): (error.http.status, error.http.body)
        case .invalidQuery(let reason): (.badRequest, "Failed to deserialize query string: \(reason)")
        case .invalidMessageID(let reason): (.badRequest, "Invalid URL: \(reason)")
        case .invalidTopic(let reason): (.badRequest, "invalid base64 topic: \(reason)")
        case .invalidSubnet(let text): (.badRequest, "invalid subnet: \(text)")
        case .unknownTopic: (.notFound, MessageBusError.unknownTopic.description)
        case .unknownMessage(let id): (.notFound, MessageBusError.unknownMessage(id).description)
        case .bus(let error): (Self.status(of: error), error.description)
        }
    }

    /// The JSON body of the HTTP reply.
    public var jsonValue: JSONValue {
        .object([JSONMember("error", .string(self.http.reason))])
    }

    private static func status(of error: MessageBusError) -> HTTPResponse.Status {
        switch error {
        case .topicTooLong, .unknownDestination, .invalidArgument: .badRequest
        case .messageTooLarge: .contentTooLarge
        case .unknownMessage, .unknownTopic: .notFound
        case .unavailable: .serviceUnavailable
        }
    }

    /// The JSON-RPC error upstream returns for this refusal in `operation`.
    public func jsonRPC(during operation: MessageOperation) -> JSONRPCError {
        switch self {
        case .body(let error): .invalidParams(error.http.body)
        case .invalidQuery(let reason): .invalidParams(reason)
        case .invalidMessageID: .server(operation == .reply ? -32018 : -32020)
        case .invalidTopic: .server(operation == .pop ? -32013 : -32021)
        case .invalidSubnet: .server(-32023)
        case .unknownTopic: .server(-32030)
        case .unknownMessage: .server(-32019)
        case .bus(let error): Self.jsonRPC(error, during: operation)
        }
    }

    private static func jsonRPC(_ error: MessageBusError, during operation: MessageOperation) -> JSONRPCError {
        switch error {
        case .unknownMessage: .server(-32019)
        case .unknownTopic: .server(-32030)
        case .unavailable(let reason): JSONRPCError(code: -32603, message: "Internal error", data: .string(reason))
        case .topicTooLong where operation == .topics: .server(-32021)
        case .topicTooLong, .messageTooLarge, .unknownDestination, .invalidArgument:
            operation == .push || operation == .reply ? .server(-32015) : .invalidParams(error.description)
        }
    }
}

extension Response {
    /// The reply for a refused message API request: the status and `{"error":"<reason>"}`.
    static func failure(_ error: MessageAPIError) -> Response {
        .json(error.jsonValue, status: error.http.status)
    }
}
