/// A `sequence-set` (RFC 3501 §9): comma-separated numbers and ranges, where `*` is the largest number in use.
/// Ranges may be written in either order (`5:2` is `2:5`).
public struct IMAPSequenceSet: Hashable, Sendable {
    /// One number or range; `UInt32.max` stands for `*`.
    public struct Range: Hashable, Sendable {
        public var first: UInt32
        public var last: UInt32

        public init(_ first: UInt32, _ last: UInt32) {
            self.first = first
            self.last = last
        }
    }

    /// The value that stands for `*`.
    public static let star = UInt32.max
    /// Most ranges one set may have.
    public static let maximumRangeCount = 1_000

    public var ranges: [Range]

    public init(_ ranges: [Range]) {
        self.ranges = ranges
    }

    /// The set with `*` replaced by `largest` and every range ordered low to high, merged and sorted.
    /// RFC 3501 §6.4.8: a range `n:*` always includes the largest value, even if `n` is above it.
    public func resolved(largest: UInt32) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        result.reserveCapacity(self.ranges.count)
        for range in self.ranges {
            let a = range.first == Self.star ? largest : range.first
            let b = range.last == Self.star ? largest : range.last
            result.append(min(a, b)...max(a, b))
        }
        result.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        merged.reserveCapacity(result.count)
        for range in result {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1, last.upperBound != UInt32.max {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else if let last = merged.last, last.upperBound == UInt32.max {
                continue
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Whether `value` is in the set when `*` is `largest`.
    public func contains(_ value: UInt32, largest: UInt32) -> Bool {
        for range in self.ranges {
            let a = range.first == Self.star ? largest : range.first
            let b = range.last == Self.star ? largest : range.last
            if value >= min(a, b) && value <= max(a, b) { return true }
        }
        return false
    }

    /// The IMAP text form, e.g. `1:3,7,9:*`.
    public var description: String {
        self.ranges.map { range in
            let a = range.first == Self.star ? "*" : String(range.first)
            let b = range.last == Self.star ? "*" : String(range.last)
            return range.first == range.last ? a : "\(a):\(b)"
        }.joined(separator: ",")
    }

    /// The compact text form of sorted values, e.g. `[1, 2, 3, 7]` → `1:3,7` (for `COPYUID`/`APPENDUID`).
    public static func compactDescription(of values: [UInt32]) -> String {
        var parts: [String] = []
        var index = 0
        while index < values.count {
            var end = index
            while end + 1 < values.count, values[end + 1] == values[end] &+ 1, values[end] != UInt32.max { end += 1 }
            parts.append(end == index ? String(values[index]) : "\(values[index]):\(values[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}
