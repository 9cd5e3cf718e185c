import Foundation

/// A local account, as listed by `AccountStore.list()`.
public struct Account: Hashable, Sendable {
    /// The canonical (lowercase) name clients log in with.
    public var name: String
    /// When the account was created (whole seconds).
    public var created: Date

    public init(name: String, created: Date) {
        self.name = name
        self.created = created
    }
}
