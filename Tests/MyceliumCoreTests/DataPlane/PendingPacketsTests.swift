import MyceliumCore
import Testing

@Suite struct PendingPacketsTests {
    let start = MonotonicInstant(nanoseconds: 1_000_000_000)
    let first = Subnet("4aa:1:2:3::/64")!
    let second = Subnet("5bb:4:5:6::/64")!

    @Test func theFirstPacketOfASubnetAsksForARoute() {
        var queue = PendingPackets<Int>(limits: .init(perSubnet: 10, total: 100, totalBytes: 10_000))
        #expect(queue.enqueue(1, byteCount: 10, for: self.first, now: self.start) == .queuedFirst)
        #expect(queue.enqueue(2, byteCount: 10, for: self.first, now: self.start) == .queued)
        #expect(queue.enqueue(3, byteCount: 10, for: self.second, now: self.start) == .queuedFirst)
        #expect(queue.count == 3 && queue.byteCount == 30)
        #expect(queue.removeAll(for: self.first) == [1, 2])
        #expect(queue.count == 1 && queue.byteCount == 10)
        #expect(queue.enqueue(4, byteCount: 10, for: self.first, now: self.start) == .queuedFirst)
    }

    @Test func limitsPerSubnetTotalAndBytes() {
        var perSubnet = PendingPackets<Int>(limits: .init(perSubnet: 2, total: 100, totalBytes: 10_000))
        #expect(perSubnet.enqueue(1, byteCount: 1, for: self.first, now: self.start) == .queuedFirst)
        #expect(perSubnet.enqueue(2, byteCount: 1, for: self.first, now: self.start) == .queued)
        #expect(perSubnet.enqueue(3, byteCount: 1, for: self.first, now: self.start) == .full)
        #expect(perSubnet.enqueue(4, byteCount: 1, for: self.second, now: self.start) == .queuedFirst)

        var total = PendingPackets<Int>(limits: .init(perSubnet: 10, total: 2, totalBytes: 10_000))
        _ = total.enqueue(1, byteCount: 1, for: self.first, now: self.start)
        _ = total.enqueue(2, byteCount: 1, for: self.second, now: self.start)
        #expect(total.enqueue(3, byteCount: 1, for: self.second, now: self.start) == .full)

        var bytes = PendingPackets<Int>(limits: .init(perSubnet: 10, total: 10, totalBytes: 1_500))
        #expect(bytes.enqueue(1, byteCount: 1_400, for: self.first, now: self.start) == .queuedFirst)
        #expect(bytes.enqueue(2, byteCount: 1_400, for: self.first, now: self.start) == .full)
        #expect(bytes.count == 1 && bytes.byteCount == 1_400)
    }

    @Test func queuesExpireAfterTheTimeoutFromTheirFirstPacket() {
        var queue = PendingPackets<Int>(limits: .init(perSubnet: 10, total: 100, totalBytes: 10_000, timeout: .seconds(15)))
        _ = queue.enqueue(1, byteCount: 1, for: self.first, now: self.start)
        _ = queue.enqueue(2, byteCount: 1, for: self.second, now: self.start + .seconds(10))
        _ = queue.enqueue(3, byteCount: 1, for: self.first, now: self.start + .seconds(14))
        #expect(queue.removeExpired(now: self.start + .seconds(14)).isEmpty)
        let expired = queue.removeExpired(now: self.start + .seconds(15))
        #expect(expired.map(\.subnet) == [self.first])
        #expect(expired.first?.packets == [1, 3])
        #expect(queue.count == 1)
        #expect(queue.removeExpired(now: self.start + .seconds(25)).map(\.subnet) == [self.second])
        #expect(queue.isEmpty)
    }
}
