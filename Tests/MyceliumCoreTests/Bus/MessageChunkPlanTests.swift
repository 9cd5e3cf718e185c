import MyceliumCore
import MyceliumTesting
import Testing

@Suite("Message chunk plan (§5.2, §5.3, §13)")
struct MessageChunkPlanTests {
    static let maximum = MessageChunkPlan.maximumChunkSize
    static let minimum = MessageChunkPlan.minimumChunkSize

    /// Every property a plan must have for `length`, as failure messages (empty when the plan is good):
    /// - chunks `0 ..< count` cover `[0, length)` exactly, in order, without gaps or overlaps;
    /// - `count == ceil(length / 1300)` (upstream's receiver pre-sizes that many slots and DONE must match them);
    /// - every chunk holds at most 1300 bytes;
    /// - with more than one chunk, every chunk holds at least 250 bytes, and every index is at most
    ///   `ceil(length / 250) − 1`, so upstream's receiver accepts each one;
    /// - a single short chunk sits at upstream's exempt index `ceil(length / 250) − 1`.
    static func violations(length: Int) -> [String] {
        let plan = MessageChunkPlan(length: length)
        var problems: [String] = []
        let expectedCount = (length + maximum - 1) / maximum
        if plan.length != length { problems.append("length \(plan.length)") }
        if plan.count != expectedCount { problems.append("count \(plan.count), expected \(expectedCount)") }
        let maximumIndex = (length + minimum - 1) / minimum - 1
        var position = 0
        var smallest = Int.max
        var largest = 0
        for index in 0..<plan.count {
            let range = plan.range(of: index)
            if range.lowerBound != position {
                problems.append("chunk \(index) starts at \(range.lowerBound), expected \(position)")
                break
            }
            if range.isEmpty { problems.append("chunk \(index) is empty") }
            if range.count > maximum { problems.append("chunk \(index) has \(range.count) bytes") }
            if index > maximumIndex { problems.append("chunk index \(index) > ceil(len/250)−1 = \(maximumIndex)") }
            // Upstream's receiver: size ≥ 250 unless index == ceil(len/250) − 1.
            if range.count < minimum, index != maximumIndex {
                problems.append("chunk \(index) has \(range.count) < 250 bytes at a non-exempt index")
            }
            if plan.count > 1, range.count < minimum {
                problems.append("chunk \(index) of \(plan.count) has \(range.count) < 250 bytes")
            }
            smallest = min(smallest, range.count)
            largest = max(largest, range.count)
            position = range.upperBound
            if !problems.isEmpty { break }
        }
        if problems.isEmpty, position != length { problems.append("chunks end at \(position), expected \(length)") }
        if problems.isEmpty, plan.count > 0, largest - smallest > 1 {
            problems.append("sizes range \(smallest)…\(largest): not equal-sized")
        }
        return problems
    }

    @Test("every length 0…20,000 is cut into chunks both receivers accept")
    func everySmallLength() {
        var failures: [String] = []
        for length in 0...20_000 {
            let problems = Self.violations(length: length)
            if !problems.isEmpty, failures.count < 20 { failures.append("length \(length): \(problems)") }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test(
        "sampled lengths up to 64 MiB",
        arguments: [
            65_535, 65_536, 1_300 * 1_000, 1_300 * 1_000 + 1, 1_300 * 1_000 + 249, 1_300 * 1_000 + 1_299,
            1 << 20, 10 << 20, (10 << 20) + 1, (64 << 20) - 1, 64 << 20,
        ]
    )
    func sampledLargeLengths(length: Int) {
        #expect(Self.violations(length: length) == [])
    }

    @Test("random lengths up to 64 MiB")
    func randomLengths() {
        var generator = SeededGenerator(seed: 0xC4_0C)
        var failures: [String] = []
        for _ in 0..<40 {
            let length = Int.random(in: 20_001...(64 << 20), using: &generator)
            let problems = Self.violations(length: length)
            if !problems.isEmpty { failures.append("length \(length): \(problems)") }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("exact cuts at the boundaries upstream's 1300-byte chunks get wrong")
    func exactCuts() {
        func sizes(_ length: Int) -> [Int] {
            let plan = MessageChunkPlan(length: length)
            return (0..<plan.count).map { plan.range(of: $0).count }
        }
        #expect(sizes(0) == [])
        #expect(sizes(1) == [1])
        #expect(sizes(249) == [249])
        #expect(sizes(1_300) == [1_300])
        #expect(sizes(1_301) == [651, 650])
        // Upstream would send 1300 + 100; the receiver would reject the 100-byte chunk at index 1.
        #expect(sizes(1_400) == [700, 700])
        #expect(sizes(2_600) == [1_300, 1_300])
        #expect(sizes(3_900 + 100) == [1_000, 1_000, 1_000, 1_000])
        #expect(sizes(1_300 * 3 + 249) == [1_038, 1_037, 1_037, 1_037])
    }

    @Test("a negative length is an empty plan")
    func negativeLength() {
        let plan = MessageChunkPlan(length: -5)
        #expect(plan.length == 0)
        #expect(plan.count == 0)
    }
}
