/// A handle for one live link to a neighbour, unique for the lifetime of the process.
///
/// Two links to the same remote node are two neighbours (spec §2.5: both sides listing each other as peers simply
/// yields two independent links).
public struct NeighbourID: Hashable, Sendable, Comparable {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: NeighbourID, rhs: NeighbourID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension NeighbourID: CustomStringConvertible {
    public var description: String { "neighbour#\(self.rawValue)" }
}
