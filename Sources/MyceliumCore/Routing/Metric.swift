/// A route metric (spec §3.2): 16 bits, `0xFFFF` meaning unreachable.
///
/// Addition is saturating: anything plus infinity is infinity; otherwise the sum stops at `0xFFFE`, so adding link
/// costs can never turn a reachable route into a retraction.
public struct Metric: Hashable, Sendable, Comparable {
    public var rawValue: UInt16

    public init(_ rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let infinite = Metric(0xFFFF)
    public static let zero = Metric(0)
    /// The largest finite metric.
    public static let maximumFinite = Metric(0xFFFE)

    public var isInfinite: Bool { self == .infinite }

    public static func + (lhs: Metric, rhs: Metric) -> Metric {
        guard !lhs.isInfinite, !rhs.isInfinite else { return .infinite }
        let sum = UInt32(lhs.rawValue) + UInt32(rhs.rawValue)
        return Metric(UInt16(min(sum, UInt32(maximumFinite.rawValue))))
    }

    public static func < (lhs: Metric, rhs: Metric) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension Metric: CustomStringConvertible {
    /// A number, or `infinite` (as upstream's API prints it).
    public var description: String { self.isInfinite ? "infinite" : String(self.rawValue) }
}
