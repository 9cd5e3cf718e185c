/// Failed-login bookkeeping per client address: the pure core of ``LoginThrottle``; time is passed in.
///
/// - A failed login is answered late: 1 s after the first consecutive failure, doubling per further failure, at most
///   8 s (``delay(for:now:)``).
/// - ``lockoutFailureCount`` failures within ``lockoutWindow`` lock the client out for ``lockoutDuration``: the
///   gateway refuses its logins without checking the password (``isLocked(client:now:)``).
/// - A successful login forgets the client.
/// - At most ``maximumTrackedClients`` clients are tracked; the one seen least recently is forgotten first.
public struct LoginThrottleState: Sendable {
    /// The delay after the first failure; each further consecutive failure doubles it.
    public static let initialDelay: Duration = .seconds(1)
    /// The longest delay.
    public static let maximumDelay: Duration = .seconds(8)
    /// Failures within ``lockoutWindow`` that lock a client out.
    public static let lockoutFailureCount = 10
    /// The window in which ``lockoutFailureCount`` failures lock a client out.
    public static let lockoutWindow: Duration = .seconds(300)
    /// How long a lockout lasts.
    public static let lockoutDuration: Duration = .seconds(300)
    /// Most clients tracked at once.
    public static let maximumTrackedClients = 10_000

    /// One client's record.
    struct Record: Sendable {
        /// Failures since the last success (drives the delay).
        var consecutiveFailures = 0
        /// When the recent failures happened, oldest first (at most ``lockoutFailureCount``, within the window).
        var recentFailures: [ContinuousClock.Instant] = []
        /// Until when the client is locked out.
        var lockedUntil: ContinuousClock.Instant?
        /// The last time the client failed (for eviction).
        var lastSeen: ContinuousClock.Instant
    }

    private var records: [String: Record] = [:]
    private let capacity: Int

    /// A throttle tracking at most `capacity` clients (default ``maximumTrackedClients``; at least 1).
    public init(capacity: Int = LoginThrottleState.maximumTrackedClients) {
        self.capacity = max(1, capacity)
    }

    /// The number of clients tracked.
    public var trackedClientCount: Int { self.records.count }

    /// Records a failed login by `client` at `now` and returns how long to wait before answering it.
    public mutating func recordFailure(client: String, now: ContinuousClock.Instant) -> Duration {
        if self.records[client] == nil, self.records.count >= self.capacity { self.evictOne(now: now) }
        var record = self.records[client] ?? Record(lastSeen: now)
        record.consecutiveFailures += 1
        record.lastSeen = now
        record.recentFailures.removeAll { now - $0 >= Self.lockoutWindow }
        record.recentFailures.append(now)
        if record.recentFailures.count > Self.lockoutFailureCount { record.recentFailures.removeFirst() }
        if record.recentFailures.count >= Self.lockoutFailureCount {
            record.lockedUntil = now + Self.lockoutDuration
            record.recentFailures.removeAll()
        }
        self.records[client] = record
        return Self.delay(afterConsecutiveFailures: record.consecutiveFailures)
    }

    /// How long to wait before answering `client`'s latest failed login; `nil` if it has no failures on record.
    public func delay(for client: String, now: ContinuousClock.Instant) -> Duration? {
        guard let record = self.records[client], record.consecutiveFailures > 0 else { return nil }
        return Self.delay(afterConsecutiveFailures: record.consecutiveFailures)
    }

    /// Whether `client` is locked out at `now`.
    public func isLocked(client: String, now: ContinuousClock.Instant) -> Bool {
        guard let lockedUntil = self.records[client]?.lockedUntil else { return false }
        return now < lockedUntil
    }

    /// Records a successful login: the client is forgotten.
    public mutating func recordSuccess(client: String) {
        self.records[client] = nil
    }

    /// 1 s, 2 s, 4 s, 8 s, 8 s, … for 1, 2, 3, 4, 5, … consecutive failures.
    static func delay(afterConsecutiveFailures failures: Int) -> Duration {
        let doublings = min(max(failures - 1, 0), 3)
        let delay = Self.initialDelay * (1 << doublings)
        return min(delay, Self.maximumDelay)
    }

    /// Forgets expired records, or if none, the client seen least recently.
    private mutating func evictOne(now: ContinuousClock.Instant) {
        let before = self.records.count
        self.records = self.records.filter { _, record in
            if let lockedUntil = record.lockedUntil, now < lockedUntil { return true }
            return now - record.lastSeen < Self.lockoutWindow
        }
        guard self.records.count == before,
            let oldest = self.records.min(by: { $0.value.lastSeen < $1.value.lastSeen })
        else { return }
        self.records[oldest.key] = nil
    }
}
