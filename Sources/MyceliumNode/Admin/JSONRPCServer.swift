import Hummingbird
import Logging
import MyceliumCore
import MyceliumGatewayKit
import NIOCore
import ServiceLifecycle

/// JSON-RPC 2.0 over HTTP (spec §5.6) on `--jsonrpc-addr` (default `127.0.0.1:8990`), compatible with upstream's
/// jsonrpsee server: `POST` on any path (upstream documents `/rpc`, jsonrpsee ignores the path), a JSON content type,
/// single requests and batches. A `Service` for the node's `ServiceGroup`.
public struct JSONRPCServer: Service, CustomStringConvertible {
    /// Request bodies above this are refused with 413 and a `-32701` error object.
    public static let maximumBodySize = 1024 * 1024

    public let dispatcher: JSONRPCDispatcher
    public let listener: HTTPListener
    /// Request bodies above this are refused: ``maximumBodySize``, or more when a message bus accepts payloads whose
    /// base64 text is larger.
    public let bodyLimit: Int

    /// Serves the admin methods of `administration`, and the message methods (spec §5.6) of `messages` if given.
    public init(
        administration: any NodeAdministration,
        messages: (any MessageBus)? = nil,
        address: MyceliumCore.SocketAddress,
        logger: Logger = Logger(label: "mycelium.api"),
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        var methods = AdminRPCMethods.methods(administration: administration)
        var bodyLimit = Self.maximumBodySize
        if let messages {
            methods.merge(MessageRPCMethods.methods(bus: messages)) { admin, _ in admin }
            bodyLimit = max(
                bodyLimit,
                MessageAPIOperations.pushBodyLimit(maximumMessageSize: messages.maximumMessageSize)
            )
        }
        self.init(
            dispatcher: JSONRPCDispatcher(methods: methods),
            bodyLimit: bodyLimit,
            address: address,
            logger: logger,
            onListening: onListening
        )
    }

    /// Serves an arbitrary method table (for when more method families join the admin ones).
    public init(
        dispatcher: JSONRPCDispatcher,
        bodyLimit: Int = JSONRPCServer.maximumBodySize,
        address: MyceliumCore.SocketAddress,
        logger: Logger = Logger(label: "mycelium.api"),
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        self.dispatcher = dispatcher
        self.bodyLimit = bodyLimit
        self.listener = HTTPListener(name: "JSON-RPC API", address: address, logger: logger, onListening: onListening)
    }

    public var description: String { self.listener.description }

    /// The HTTP side of the server, usable with HummingbirdTesting.
    public var responder: JSONRPCResponder { JSONRPCResponder(dispatcher: self.dispatcher, bodyLimit: self.bodyLimit) }

    public func run() async throws {
        try await self.listener.run(self.responder)
    }
}

/// Turns HTTP requests into ``JSONRPCDispatcher`` calls, with jsonrpsee's transport rules: only `POST` (else 405),
/// only `application/json` bodies (else 415), an empty 200 reply when every call was a notification.
public struct JSONRPCResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let dispatcher: JSONRPCDispatcher
    var bodyLimit = JSONRPCServer.maximumBodySize

    public func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .post else { return Response(status: .methodNotAllowed, headers: [.allow: "POST"]) }
        let contentType = request.headers[.contentType]
        let isJSONRPC = contentType?.lowercased().hasPrefix("application/json-rpc") == true
        guard AdminRoutes.isJSONContentType(contentType) || isJSONRPC else {
            return .text(
                "Supplied content type is not allowed. Content-Type: application/json is required",
                status: .unsupportedMediaType
            )
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: self.bodyLimit)
        } catch is NIOTooManyBytesError {
            let reply = JSONRPCDispatcher.response(id: .null, outcome: .failure(.oversizedRequest))
            return .json(reply, status: .contentTooLarge)
        }
        guard let reply = await self.dispatcher.respond(to: body.readableBytesView) else {
            return Response(status: .ok)
        }
        return .json(reply)
    }
}
