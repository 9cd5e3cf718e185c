/// A point in time on a monotonic clock, as the routing core sees it: nanoseconds since an arbitrary origin.
///
/// The core never reads a clock. The node passes `ContinuousClock` readings in; the simulator passes virtual time.
public struct MonotonicInstant: Hashable, Sendable, Comparable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = MonotonicInstant(nanoseconds: 0)

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: lhs.nanoseconds &+ rhs.nanosecondsClamped)
    }

    public static func - (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: lhs.nanoseconds &- rhs.nanosecondsClamped)
    }

    /// The time from `earlier` to `self` (negative if `earlier` is later).
    public func duration(since earlier: MonotonicInstant) -> Duration {
        .nanoseconds(self.nanoseconds &- earlier.nanoseconds)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to the `Int64` range.
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = self.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = product.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !overflow2 else { return seconds < 0 ? .min : .max }
        return sum
    }

    /// The duration in whole milliseconds, clamped to the `Int64` range.
    public var millisecondsClamped: Int64 { self.nanosecondsClamped / 1_000_000 }
}
