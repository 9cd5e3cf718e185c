/// How a sender cuts a message into CHUNK packets so that both Rust and Swift receivers accept it (spec §5.3, §13).
///
/// Upstream's receiver pre-sizes `ceil(length / 1300)` slots, requires DONE's chunk count to equal them, and rejects a
/// chunk under 250 bytes unless its index is `ceil(length / 250) − 1` — so upstream's own 1300-byte chunks fail for
/// lengths `1300·k + r` with `k ≥ 1, 0 < r < 250`. Equal-sized chunks avoid that for every length: `ceil(length / 1300)`
/// chunks whose sizes differ by at most one byte, each at most 1300 and (with more than one chunk) at least
/// `1300·k / (k + 1) ≥ 650` bytes.
public struct MessageChunkPlan: Hashable, Sendable {
    /// Upstream's chunk size: no chunk is larger.
    public static let maximumChunkSize = 1300
    /// Upstream's receiver refuses smaller chunks except at one index.
    public static let minimumChunkSize = 250

    public let length: Int
    public let count: Int
    private let baseSize: Int
    /// The first `extra` chunks are one byte longer than `baseSize`.
    private let extra: Int

    public init(length: Int) {
        let length = max(0, length)
        self.length = length
        self.count = (length + Self.maximumChunkSize - 1) / Self.maximumChunkSize
        self.baseSize = self.count == 0 ? 0 : length / self.count
        self.extra = self.count == 0 ? 0 : length % self.count
    }

    /// The byte range of chunk `index` (0 ..< count).
    public func range(of index: Int) -> Range<Int> {
        let start = index * self.baseSize + min(index, self.extra)
        let size = self.baseSize + (index < self.extra ? 1 : 0)
        return start..<(start + size)
    }
}
