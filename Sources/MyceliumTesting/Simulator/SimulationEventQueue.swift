import MyceliumCore

/// Something that happens at one instant of the simulation.
enum SimulationEvent {
    /// A control packet arrives at one end of a link, as the real codec decoded it from the bytes that were sent.
    case deliver(link: Int, epoch: Int, toEnd: Int, packet: ControlPacket)
    /// The other end closed the connection (FIN/RST); arrives in order after everything it sent before.
    case close(link: Int, epoch: Int, toEnd: Int)
    /// A node's router asked to be woken (its `nextDeadline`).
    case wake(node: Int, incarnation: Int)
}

/// A min-heap of events ordered by (time, sequence number): events at the same instant run in the order they were
/// scheduled, so a run is a pure function of the seed and the calls made on the simulator.
struct SimulationEventQueue {
    /// The heap holds plain values only; payloads stay put in `slots` (sifting never retains or releases).
    private struct Entry {
        var time: MonotonicInstant
        var sequence: UInt64
        var slot: Int

        func precedes(_ other: Entry) -> Bool {
            (self.time.nanoseconds, self.sequence) < (other.time.nanoseconds, other.sequence)
        }
    }

    private var heap: [Entry] = []
    private var slots: [SimulationEvent?] = []
    private var freeSlots: [Int] = []
    private var nextSequence: UInt64 = 0

    var count: Int { self.heap.count }
    var nextTime: MonotonicInstant? { self.heap.first?.time }

    mutating func schedule(_ event: SimulationEvent, at time: MonotonicInstant) {
        let slot: Int
        if let free = self.freeSlots.popLast() {
            slot = free
            self.slots[slot] = event
        } else {
            slot = self.slots.count
            self.slots.append(event)
        }
        self.heap.append(Entry(time: time, sequence: self.nextSequence, slot: slot))
        self.nextSequence += 1
        var child = self.heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.heap[child].precedes(self.heap[parent]) else { break }
            self.heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest event if it happens no later than `limit`.
    mutating func pop(notAfter limit: MonotonicInstant) -> (time: MonotonicInstant, event: SimulationEvent)? {
        guard let first = self.heap.first, first.time <= limit else { return nil }
        let last = self.heap.removeLast()
        if !self.heap.isEmpty {
            self.heap[0] = last
            var parent = 0
            let count = self.heap.count
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < count, self.heap[left].precedes(self.heap[smallest]) { smallest = left }
                if right < count, self.heap[right].precedes(self.heap[smallest]) { smallest = right }
                guard smallest != parent else { break }
                self.heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        guard let event = self.slots[first.slot].take() else {
            preconditionFailure("every heap entry has its event")
        }
        self.freeSlots.append(first.slot)
        return (first.time, event)
    }
}
