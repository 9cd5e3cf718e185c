import MyceliumCore

/// A graph shape to build a simulated network from.
public enum Topology: Hashable, Sendable {
    /// 0 – 1 – 2 – … – (n−1).
    case line(Int)
    /// A line closed into a cycle.
    case ring(Int)
    /// A `width` × `height` mesh; node `row * width + column`.
    case grid(width: Int, height: Int)
    /// A random connected graph: a random spanning tree plus random extra links up to `n · averageDegree / 2`.
    case randomConnected(Int, averageDegree: Double)
    /// A–B, A–C, B–D, C–D, D–E (nodes 0…4 = A…E): two ways from A to D, and a tail to E.
    case diamondWithTail

    /// The number of nodes.
    public var nodeCount: Int {
        switch self {
        case .line(let n), .ring(let n), .randomConnected(let n, _): n
        case .grid(let width, let height): width * height
        case .diamondWithTail: 5
        }
    }

    /// The links as pairs of node indices, drawing randomness (random graphs only) from `generator`.
    public func edges(using generator: inout some RandomNumberGenerator) -> [(Int, Int)] {
        switch self {
        case .line(let n):
            return n < 2 ? [] : (1..<n).map { ($0 - 1, $0) }
        case .ring(let n):
            return n < 3 ? Topology.line(n).edges(using: &generator) : (0..<n).map { ($0, ($0 + 1) % n) }
        case .grid(let width, let height):
            var edges: [(Int, Int)] = []
            for row in 0..<height {
                for column in 0..<width {
                    let node = row * width + column
                    if column + 1 < width { edges.append((node, node + 1)) }
                    if row + 1 < height { edges.append((node, node + width)) }
                }
            }
            return edges
        case .randomConnected(let n, let averageDegree):
            return Self.randomConnectedEdges(n, averageDegree: averageDegree, using: &generator)
        case .diamondWithTail:
            return [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)]
        }
    }

    private static func randomConnectedEdges(
        _ n: Int,
        averageDegree: Double,
        using generator: inout some RandomNumberGenerator
    ) -> [(Int, Int)] {
        guard n >= 2 else { return [] }
        var edges: [(Int, Int)] = []
        var present = Set<Int>()
        func add(_ a: Int, _ b: Int) -> Bool {
            let key = min(a, b) * n + max(a, b)
            guard a != b, present.insert(key).inserted else { return false }
            edges.append((min(a, b), max(a, b)))
            return true
        }
        for node in 1..<n {
            _ = add(node, Int.random(in: 0..<node, using: &generator))
        }
        let target = min(Int((Double(n) * averageDegree / 2).rounded()), n * (n - 1) / 2)
        while edges.count < target {
            _ = add(Int.random(in: 0..<n, using: &generator), Int.random(in: 0..<n, using: &generator))
        }
        return edges
    }
}

extension NetworkSimulator {
    /// Adds the topology's nodes and links. Each link's one-way latency is drawn uniformly (whole milliseconds) from
    /// `latencyMilliseconds`; the rest of the link's behaviour comes from `parameters`.
    @discardableResult
    public mutating func build(
        _ topology: Topology,
        latencyMilliseconds: ClosedRange<Int> = 10...10,
        parameters: LinkParameters = LinkParameters(),
        configuration: RouterConfiguration? = nil
    ) -> [NodeHandle] {
        let nodes = self.addNodes(topology.nodeCount, configuration: configuration)
        for (a, b) in topology.edges(using: &self.generator) {
            var link = parameters
            link.latency = .milliseconds(Int.random(in: latencyMilliseconds, using: &self.generator))
            self.connect(nodes[a], nodes[b], parameters: link)
        }
        return nodes
    }

    /// A random number from the simulator's generator (for tests that pick links or nodes at random).
    public mutating func random(in range: Range<Int>) -> Int {
        Int.random(in: range, using: &self.generator)
    }
}
