import MyceliumCore

/// Typed parameter access for the message methods (spec §5.6), as jsonrpsee's generated servers read them: by position
/// or by the Rust parameter name (`reply_timeout`, `socket_path`; the camelCase spelling is accepted too), an
/// `Option<T>` parameter may be absent or `null`, and a wrong type is −32602 "Invalid params".
extension JSONRPCParams {
    /// The parameter at `position` (or named `name` / one of `aliases`); `nil` when absent or `null`.
    func argument(at position: Int, named name: String, aliases: [String] = []) throws(JSONRPCError) -> JSONValue? {
        let argument: JSONValue?
        switch self.value {
        case .array(let elements)?: argument = position < elements.count ? elements[position] : nil
        case .object?: argument = ([name] + aliases).lazy.compactMap { self.value?[$0] }.first
        case nil: argument = nil
        case .some: throw .invalidParams("expected an array or an object of parameters")
        }
        return argument == .null ? nil : argument
    }

    func required(at position: Int, named name: String, aliases: [String] = []) throws(JSONRPCError) -> JSONValue {
        guard let argument = try self.argument(at: position, named: name, aliases: aliases) else {
            throw .invalidParams("missing required parameter `\(name)`")
        }
        return argument
    }

    func requiredString(at position: Int, named name: String, aliases: [String] = []) throws(JSONRPCError) -> String {
        let argument = try self.required(at: position, named: name, aliases: aliases)
        guard case .string(let text) = argument else {
            throw .invalidParams("invalid type for `\(name)`, expected a string")
        }
        return text
    }

    func optionalString(at position: Int, named name: String, aliases: [String] = []) throws(JSONRPCError) -> String? {
        guard let argument = try self.argument(at: position, named: name, aliases: aliases) else { return nil }
        guard case .string(let text) = argument else {
            throw .invalidParams("invalid type for `\(name)`, expected a string")
        }
        return text
    }

    func requiredBool(at position: Int, named name: String) throws(JSONRPCError) -> Bool {
        guard case .bool(let flag) = try self.required(at: position, named: name) else {
            throw .invalidParams("invalid type for `\(name)`, expected a boolean")
        }
        return flag
    }

    func optionalBool(at position: Int, named name: String) throws(JSONRPCError) -> Bool? {
        guard let argument = try self.argument(at: position, named: name) else { return nil }
        guard case .bool(let flag) = argument else {
            throw .invalidParams("invalid type for `\(name)`, expected a boolean")
        }
        return flag
    }

    /// A `u64` number of seconds, capped at `longest`.
    func optionalSeconds(
        at position: Int,
        named name: String,
        aliases: [String] = [],
        longest: Duration
    ) throws(JSONRPCError) -> Duration? {
        guard let argument = try self.argument(at: position, named: name, aliases: aliases) else { return nil }
        guard case .number(let literal) = argument, let seconds = UInt64(literal) else {
            throw .invalidParams("invalid type for `\(name)`, expected u64")
        }
        return min(.seconds(Int64(clamping: seconds)), longest)
    }
}
