/// The local accounts clients log in with, shared by every gateway: `state_dir/accounts.sqlite`, passwords stored as
/// Argon2id hashes. (Being written: see the GatewayKit helper's task.)
public final class AccountStore: Sendable {
    public let path: String

    public init(path: String) throws {
        self.path = path
    }
}
