/// A 16-bit Babel sequence number, compared modulo 2¹⁶ as RFC 8966 §3.2.1 prescribes (spec §3.2).
///
/// It is deliberately not `Comparable`: the order is not transitive. `a` precedes `b` when
/// `(b − a) mod 2¹⁶` is in `1..<32768`; values exactly 32768 apart are unordered.
public struct SeqNo: Hashable, Sendable {
    public var rawValue: UInt16

    public init(_ rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// Whether `self` is older than `other`.
    public func isOlder(than other: SeqNo) -> Bool {
        let distance = other.rawValue &- self.rawValue
        return distance != 0 && distance < 0x8000
    }

    /// Whether `self` is newer than `other`.
    public func isNewer(than other: SeqNo) -> Bool {
        other.rawValue &- self.rawValue > 0x8000
    }

    /// The next sequence number, wrapping at 2¹⁶.
    public func next() -> SeqNo {
        SeqNo(self.rawValue &+ 1)
    }
}

extension SeqNo: CustomStringConvertible {
    public var description: String { String(self.rawValue) }
}
