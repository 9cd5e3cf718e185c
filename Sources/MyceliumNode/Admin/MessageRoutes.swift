import Hummingbird
import MyceliumCore
import MyceliumGatewayKit
import NIOCore

/// Upstream's message routes under `/api/v1` (spec §5.5, `message_router_v1` in `mycelium-api/src/message.rs`),
/// answered from any ``MessageBus``.
///
/// Successful replies have upstream's statuses and JSON shapes byte for byte; refusals have upstream's statuses (see
/// ``MessageAPIError``) with a JSON body `{"error":"<reason>"}`. Like the admin routes, a known path with a method it
/// does not serve is 405 with an `Allow` header. Topics in paths are standard base64, percent-encoded (`/` as `%2F`,
/// `+` as `%2B`); subnets in paths are percent-encoded too.
public enum MessageRoutes {
    /// Adds every message route to `router`, answering from `bus`.
    public static func register<Context: RequestContext>(on router: some RouterMethods<Context>, bus: any MessageBus) {
        let pushLimit = MessageAPIOperations.pushBodyLimit(maximumMessageSize: bus.maximumMessageSize)

        router.get("api/v1/messages") { request, _ in try await Self.handle { try await Self.pop(request, bus) } }
        router.post("api/v1/messages") { request, _ in
            try await Self.handle { try await Self.push(request, bus, limit: pushLimit) }
        }
        Self.allow([.get, .post], at: "api/v1/messages", on: router)

        router.post("api/v1/messages/reply/:id") { request, context in
            try await Self.handle {
                let id = try MessageAPIOperations.messageID(try Self.pathText(context, "id"))
                var request = request
                let message = try await Self.readBody(&request, limit: pushLimit, as: OutgoingMessage.init(json:))
                try await bus.reply(to: id, with: message)
                return Response(status: .noContent)
            }
        }
        Self.allow([.post], at: "api/v1/messages/reply/:id", on: router)

        router.get("api/v1/messages/status/:id") { _, context in
            try await Self.handle {
                let id = try MessageAPIOperations.messageID(try Self.pathText(context, "id"))
                let status = try await bus.status(of: id)
                guard let status else { throw MessageAPIError.unknownMessage(id) }
                return .json(status.jsonValue)
            }
        }
        Self.allow([.get], at: "api/v1/messages/status/:id", on: router)

        MessageTopicRoutes.register(on: router, bus: bus)
    }

    /// `GET /api/v1/messages?peek=&timeout=&topic=`: 200 and the message, or 204 when none came within the timeout.
    private static func pop(_ request: Request, _ bus: any MessageBus) async throws -> Response {
        let query = try MessageQuery(request.uri.query, known: ["peek", "timeout", "topic"])
        let peek = try query.bool("peek") ?? false
        let timeout = try query.seconds("timeout", longest: MessageAPIOperations.longestWait) ?? .zero
        let topic = try query.base64("topic")
        let message = try await bus.receive(peek: peek, timeout: timeout, topic: topic)
        guard let message else { return Response(status: .noContent) }
        return .json(message.jsonValue)
    }

    /// `POST /api/v1/messages[?reply_timeout=secs]`: 201 `{id}`; with a reply timeout 200 and the reply, or 408 `{id}`.
    private static func push(_ request: Request, _ bus: any MessageBus, limit: Int) async throws -> Response {
        let query = try MessageQuery(request.uri.query, known: ["reply_timeout"])
        let replyTimeout = try query.seconds("reply_timeout", longest: MessageAPIOperations.longestWait)
        var request = request
        let message = try await Self.readBody(&request, limit: limit, as: OutgoingMessage.init(json:))
        let outcome = try await bus.send(message, replyTimeout: replyTimeout)
        switch outcome {
        case .accepted(let id): return .json(id.idObject, status: .created)
        case .reply(let reply): return .json(reply.jsonValue)
        case .replyTimedOut(let id): return .json(id.idObject, status: .requestTimeout)
        }
    }

    // MARK: Shared plumbing (also used by MessageTopicRoutes)

    /// Runs a handler, turning a ``MessageAPIError`` or a ``MessageBusError`` into its JSON reply; other errors (I/O)
    /// propagate.
    static func handle(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as MessageAPIError {
            return .failure(error)
        } catch let error as MessageBusError {
            return .failure(.bus(error))
        }
    }

    /// A path parameter, percent-decoded as axum's `Path` extractor does; `invalid` makes the refusal for text that
    /// does not decode to UTF-8.
    static func pathText<Context: RequestContext>(
        _ context: Context,
        _ name: String,
        invalid: (String) -> MessageAPIError = MessageAPIError.invalidMessageID
    ) throws(MessageAPIError) -> String {
        guard let text = PercentDecoding.decode(context.parameters.get(name) ?? "") else {
            throw invalid("invalid percent-encoding in the path")
        }
        return text
    }

    /// Reads a JSON body as axum's `Json` extractor does (content type, then size, then syntax, then shape) and
    /// decodes it with `decode`.
    static func readBody<T>(
        _ request: inout Request,
        limit: Int,
        as decode: (JSONValue) throws(JSONShapeError) -> T
    ) async throws -> T {
        guard AdminRoutes.isJSONContentType(request.headers[.contentType]) else {
            throw MessageAPIError.body(.unsupportedMediaType)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw MessageAPIError.body(.tooLarge)
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw MessageAPIError.body(.malformed(error))
        }
        do {
            return try decode(json)
        } catch {
            throw MessageAPIError.body(.wrongShape(error.description))
        }
    }

    /// Answers the methods `path` does not serve with 405 and an `Allow` header, as axum's method router does.
    static func allow<Context: RequestContext>(
        _ methods: [HTTPRequest.Method],
        at path: RouterPath,
        on router: some RouterMethods<Context>
    ) {
        let listed = methods.contains(.get) ? methods + [.head] : methods
        let allowed = listed.map(\.rawValue).joined(separator: ",")
        for method in AdminRoutes.refusableMethods where !methods.contains(method) {
            router.on(path, method: method) { _, _ in
                Response(status: .methodNotAllowed, headers: [.allow: allowed])
            }
        }
    }
}
