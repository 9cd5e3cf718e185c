import MyceliumCore
/// The parameters of one JSON-RPC call: positional (an array) or by name (an object), as jsonrpsee's generated
/// servers accept both. Absent and `null` parameters are the same.
public struct JSONRPCParams: Sendable {
    public let value: JSONValue?

    public init(_ value: JSONValue?) {
        self.value = value == .null ? nil : value
    }

    /// The required string parameter at `position`, or named `name` (or one of `aliases`) when given by name.
    public func string(at position: Int, named name: String, aliases: [String] = []) -> Result<String, JSONRPCError> {
        let argument: JSONValue?
        switch self.value {
        case .array(let elements)?: argument = position < elements.count ? elements[position] : nil
        case .object?: argument = ([name] + aliases).lazy.compactMap { self.value?[$0] }.first
        case nil: argument = nil
        case .some: return .failure(.invalidParams("expected an array or an object of parameters"))
        }
        switch argument {
        case .string(let text)?: return .success(text)
        case nil: return .failure(.invalidParams("missing required parameter `\(name)`"))
        case .some: return .failure(.invalidParams("invalid type for `\(name)`, expected a string"))
        }
    }
}

/// One JSON-RPC method: its parameters in, a result or an error out.
public typealias JSONRPCMethod = @Sendable (JSONRPCParams) async -> Result<JSONValue, JSONRPCError>

/// JSON-RPC 2.0 request handling, independent of the transport (spec §5.6; behaviour of jsonrpsee's server):
/// single requests and batches, notifications (no `id`) answered with nothing, `-32700` for bodies that are not JSON,
/// `-32600` for anything that is not a request object (including an empty batch), `-32601` for unknown methods.
public struct JSONRPCDispatcher: Sendable {
    public var methods: [String: JSONRPCMethod]

    public init(methods: [String: JSONRPCMethod]) {
        self.methods = methods
    }

    /// The response document for a request body; `nil` when there is nothing to answer (only notifications).
    public func respond(to body: some Collection<UInt8>) async -> JSONValue? {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            return Self.response(id: .null, outcome: .failure(.parseError))
        }
        guard case .array(let batch) = document else { return await self.handle(document) }
        guard !batch.isEmpty else { return Self.response(id: .null, outcome: .failure(.invalidRequest)) }
        var responses: [JSONValue] = []
        for request in batch {
            if let response = await self.handle(request) { responses.append(response) }
        }
        return responses.isEmpty ? nil : .array(responses)
    }

    /// Handles one request object; `nil` for a notification.
    private func handle(_ request: JSONValue) async -> JSONValue? {
        guard request.isObject else { return Self.response(id: .null, outcome: .failure(.invalidRequest)) }
        let id = request["id"]
        switch id {
        case nil, .null?, .number?, .string?: break
        case .some: return Self.response(id: .null, outcome: .failure(.invalidRequest))
        }
        guard request["jsonrpc"] == .string("2.0"), case .string(let name)? = request["method"] else {
            return Self.response(id: id ?? .null, outcome: .failure(.invalidRequest))
        }
        let outcome: Result<JSONValue, JSONRPCError>
        if let method = self.methods[name] {
            outcome = await method(JSONRPCParams(request["params"]))
        } else {
            outcome = .failure(.methodNotFound)
        }
        guard let id else { return nil }
        return Self.response(id: id, outcome: outcome)
    }

    /// `{"jsonrpc":"2.0","id":…,"result":…}` or `{"jsonrpc":"2.0","id":…,"error":{…}}`, in jsonrpsee's field
    /// order.
    static func response(id: JSONValue, outcome: Result<JSONValue, JSONRPCError>) -> JSONValue {
        let payload: JSONMember =
            switch outcome {
            case .success(let result): JSONMember("result", result)
            case .failure(let error): JSONMember("error", error.jsonValue)
            }
        return .object([JSONMember("jsonrpc", .string("2.0")), JSONMember("id", id), payload])
    }
}
