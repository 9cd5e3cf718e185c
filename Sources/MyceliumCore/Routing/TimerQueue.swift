/// A min-heap of deadlines. Entries are never removed early: whoever pops one checks that the state it refers to
/// still wants it (a route whose hold time was extended simply finds its old deadline stale).
struct TimerQueue<Key: Sendable>: Sendable {
    private var heap: [(deadline: MonotonicInstant, key: Key)] = []

    var isEmpty: Bool { self.heap.isEmpty }
    var count: Int { self.heap.count }
    var nextDeadline: MonotonicInstant? { self.heap.first?.deadline }

    mutating func schedule(_ key: Key, at deadline: MonotonicInstant) {
        self.heap.append((deadline, key))
        var child = self.heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.heap[child].deadline < self.heap[parent].deadline else { break }
            self.heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(at now: MonotonicInstant) -> Key? {
        guard let first = self.heap.first, first.deadline <= now else { return nil }
        let last = self.heap.removeLast()
        if !self.heap.isEmpty {
            self.heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < self.heap.count, self.heap[left].deadline < self.heap[smallest].deadline { smallest = left }
                if right < self.heap.count, self.heap[right].deadline < self.heap[smallest].deadline { smallest = right }
                guard smallest != parent else { break }
                self.heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first.key
    }
}
