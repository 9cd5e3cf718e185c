/// Why an account operation failed. `description` is the message the CLI prints.
public enum AccountStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name is not 1–64 characters of `[a-z0-9._-]` (after lowercasing), or starts with `.` or `-`.
    case invalidName(String)
    /// An account of that name already exists.
    case exists(String)
    /// No account of that name.
    case noSuchUser(String)
    /// The password is empty.
    case passwordEmpty
    /// The password is longer than `maximum` bytes.
    case passwordTooLong(maximum: Int)
    /// The database could not be opened, read or written (including a file that is not an accounts database, or
    /// one written by a newer version).
    case storage(String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "invalid account name '\(name)': use 1 to \(AccountStore.maximumNameLength) characters of a-z, 0-9, "
                + "'.', '_' and '-', not starting with '.' or '-'"
        case .exists(let name): "account '\(name)' already exists"
        case .noSuchUser(let name): "no account named '\(name)'"
        case .passwordEmpty: "the password must not be empty"
        case .passwordTooLong(let maximum): "the password is longer than \(maximum) bytes"
        case .storage(let reason): "account store: \(reason)"
        }
    }
}
