import Synchronization

/// Thread-safe ``LoginThrottleState`` on the real clock, shared by a gateway's listeners.
///
/// A server calls ``isLocked(client:)`` before checking a password (refusing a locked-out client at once), then
/// ``succeeded(client:)`` or ``failed(client:)`` — the latter sleeps the delay before the server answers.
public final class LoginThrottle: Sendable {
    private let state: Mutex<LoginThrottleState>

    public init(capacity: Int = LoginThrottleState.maximumTrackedClients) {
        self.state = Mutex(LoginThrottleState(capacity: capacity))
    }

    /// Records a failed login and sleeps the delay (returns early, without throwing, if the task is cancelled).
    public func failed(client: String) async {
        let delay = self.state.withLock { $0.recordFailure(client: client, now: .now) }
        try? await Task.sleep(for: delay)
    }

    /// Records a successful login: the client's failures are forgotten.
    public func succeeded(client: String) {
        self.state.withLock { $0.recordSuccess(client: client) }
    }

    /// Whether `client` is locked out now.
    public func isLocked(client: String) -> Bool {
        self.state.withLock { $0.isLocked(client: client, now: .now) }
    }
}
