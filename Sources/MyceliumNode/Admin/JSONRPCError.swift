import MyceliumCore
/// A JSON-RPC 2.0 error object, with jsonrpsee's codes and messages (`jsonrpsee-types/src/error.rs`): the standard
/// codes carry their standard message, and every application code (upstream's −32007…−32032) the message
/// `"Server error"` and no data, which is what `ErrorObject::from(ErrorCode::from(code))` produces.
public struct JSONRPCError: Error, Hashable, Sendable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The body is not JSON.
    public static let parseError = JSONRPCError(code: -32700, message: "Parse error")
    /// The body exceeds the server's limit.
    public static let oversizedRequest = JSONRPCError(code: -32701, message: "Request is too big")
    /// The JSON is not a request object (or a non-empty batch of them).
    public static let invalidRequest = JSONRPCError(code: -32600, message: "Invalid request")
    /// No method of that name.
    public static let methodNotFound = JSONRPCError(code: -32601, message: "Method not found")
    /// Something failed inside the server.
    public static let internalError = JSONRPCError(code: -32603, message: "Internal error")

    /// jsonrpsee puts the reason a parameter did not parse into `data`, as a string.
    public static func invalidParams(_ reason: String) -> JSONRPCError {
        JSONRPCError(code: -32602, message: "Invalid params", data: .string(reason))
    }

    /// An application error code, as `ErrorCode::ServerError(code)`.
    public static func server(_ code: Int) -> JSONRPCError {
        JSONRPCError(code: code, message: "Server error")
    }

    /// `{"code":…,"message":…}` plus `"data"` when present.
    public var jsonValue: JSONValue {
        var members = [JSONMember("code", .integer(self.code)), JSONMember("message", .string(self.message))]
        if let data { members.append(JSONMember("data", data)) }
        return .object(members)
    }
}
