/// The measured part of a link's cost: a smoothed round-trip time in milliseconds (spec §3.3).
///
/// Upstream starts at 1000 and moves 10 % towards each sample, one sample per 20 s Hello, so a fresh 50 ms link takes
/// minutes to look like one. `fast` takes the first sample as it is and then moves a quarter of the way per sample,
/// which settles within a few Hellos and still damps jitter.
public struct LinkCostEstimator: Hashable, Sendable {
    public enum Smoothing: Hashable, Sendable {
        /// `cost = (9·cost + sample) / 10`, from 1000.
        case upstream
        /// First sample taken as is, then `cost = (3·cost + sample) / 4`.
        case fast
    }

    /// The cost before the first sample.
    public static let initialCost: UInt16 = 1000

    public let smoothing: Smoothing
    public private(set) var cost: UInt16 = LinkCostEstimator.initialCost
    public private(set) var sampleCount = 0

    public init(smoothing: Smoothing) {
        self.smoothing = smoothing
    }

    /// Folds in one round-trip sample.
    public mutating func add(sampleMilliseconds: Int64) {
        let sample = UInt32(clamping: max(0, sampleMilliseconds))
        let current = UInt32(self.cost)
        let next: UInt32
        switch self.smoothing {
        case .upstream:
            next = (9 * current + min(sample, 0xFFFF)) / 10
        case .fast:
            next = self.sampleCount == 0 ? sample : (3 * current + min(sample, 0xFFFF)) / 4
        }
        self.cost = UInt16(clamping: min(next, UInt32(Metric.maximumFinite.rawValue)))
        self.sampleCount += 1
    }
}
