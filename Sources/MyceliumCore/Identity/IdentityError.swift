/// Failures reading or writing a node identity.
public enum IdentityError: Error, Hashable, Sendable {
    /// Text that should be hex has an odd length or a non-hex character.
    case invalidHex
    /// A key has this many bytes instead of 32.
    case invalidKeyLength(Int)
    /// A key file could not be read; `reason` is the operating system's message.
    case unreadableKeyFile(path: String, reason: String)
    /// A key file could not be created or written.
    case unwritableKeyFile(path: String, reason: String)
    /// A key file exists and overwriting it was not asked for.
    case keyFileExists(path: String)
    /// A key file holds fewer than 32 bytes.
    case truncatedKeyFile(path: String, byteCount: Int)
}

extension IdentityError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidHex: "invalid hex: expected 64 hexadecimal characters"
        case .invalidKeyLength(let count): "invalid key length: expected 32 bytes, got \(count)"
        case .unreadableKeyFile(let path, let reason): "cannot read key file \(path): \(reason)"
        case .unwritableKeyFile(let path, let reason): "cannot write key file \(path): \(reason)"
        case .keyFileExists(let path): "key file \(path) already exists (use --force to overwrite it)"
        case .truncatedKeyFile(let path, let count): "key file \(path) holds \(count) bytes, expected 32"
        }
    }
}
