import NIOCore

/// Checks a client's login for the SMTP and IMAP servers. The gateway's implementation verifies against the local
/// accounts (Argon2id) and throttles repeated failures from one client, so a wrong password is answered late.
public protocol MailAuthenticator: Sendable {
    /// The account's canonical name if `password` is right for `user`, else `nil` (after the throttling delay).
    func authenticate(user: String, password: [UInt8], client: SocketAddress?) async -> String?
}
