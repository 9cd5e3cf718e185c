import MyceliumGatewayKit
import NIOCore

/// Logins against the node's local accounts, with wrong passwords throttled per client IP: each failure is answered
/// after a growing delay, and a client with too many failures is refused without a password check until its lockout
/// ends (`LoginThrottle`).
public struct AccountMailAuthenticator: MailAuthenticator {
    let accounts: AccountStore
    let throttle: LoginThrottle

    public init(accounts: AccountStore, throttle: LoginThrottle = LoginThrottle()) {
        self.accounts = accounts
        self.throttle = throttle
    }

    public func authenticate(user: String, password: [UInt8], client: SocketAddress?) async -> String? {
        let key = client?.ipAddress ?? "unknown"
        if !self.throttle.isLocked(client: key), let name = await self.accounts.authenticate(user, password: password) {
            self.throttle.succeeded(client: key)
            return name
        }
        await self.throttle.failed(client: key)
        return nil
    }
}
