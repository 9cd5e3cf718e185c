/// Finds cycles in a next-hop graph towards one destination: every node has at most one next hop.
///
/// Kept apart from the simulator so that it can be checked on hand-made graphs.
public enum LoopFinder {
    /// Every cycle reachable by following `nextHop` from any of the `nodeCount` nodes. A walk ends at
    /// `destination`, at a node without a next hop, or on reaching a node already known to end without a loop.
    /// Each cycle is reported once, starting from the node where it was entered.
    public static func cycles(nodeCount: Int, destination: Int, nextHop: (Int) -> Int?) -> [[Int]] {
        var cycles: [[Int]] = []
        // 0 = not seen, 1 = on the walk being followed, 2 = done.
        var state = [UInt8](repeating: 0, count: nodeCount)
        if state.indices.contains(destination) { state[destination] = 2 }
        for start in 0..<nodeCount where state[start] == 0 {
            var walk: [Int] = []
            var current = start
            while state[current] == 0 {
                state[current] = 1
                walk.append(current)
                guard let next = nextHop(current), state.indices.contains(next) else { break }
                if state[next] == 1, let first = walk.firstIndex(of: next) {
                    cycles.append(Array(walk[first...]))
                    break
                }
                current = next
            }
            for node in walk { state[node] = 2 }
        }
        return cycles
    }

    /// The cycle met when following `nextHop` from `start` (which need not be on it), if any.
    public static func cycle(from start: Int, destination: Int, nextHop: (Int) -> Int?) -> [Int]? {
        var walk = [start]
        var current = start
        while current != destination, let next = nextHop(current) {
            if let first = walk.firstIndex(of: next) { return Array(walk[first...]) }
            walk.append(next)
            current = next
        }
        return nil
    }
}
