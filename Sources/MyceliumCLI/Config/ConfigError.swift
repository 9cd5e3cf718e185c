/// A configuration file that cannot be used. Every case names the file and, where there is one, the key.
public enum ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case unreadable(path: String, reason: String)
    case syntax(path: String, line: Int, column: Int, message: String)
    case unknownKey(path: String, key: String)
    case wrongType(path: String, key: String, expected: String)
    case invalidValue(path: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): "config file \(path) not found"
        case .unreadable(let path, let reason): "cannot read config file \(path): \(reason)"
        case .syntax(let path, let line, let column, let message):
            "\(path):\(line):\(column): invalid TOML: \(message)"
        case .unknownKey(let path, let key): "\(path): unknown key '\(key)'"
        case .wrongType(let path, let key, let expected): "\(path): key '\(key)' must be \(expected)"
        case .invalidValue(let path, let key, let reason): "\(path): key '\(key)': \(reason)"
        }
    }
}
