import Logging
import MyceliumCore
import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing

@testable import MyceliumNode

/// The link and its handler on an `EmbeddedChannel`: write coalescing, the queue bound, malformed input.
@Suite("ChannelPeerLink")
struct ChannelPeerLinkTests {
    /// Everything the handler reports, instead of a peer manager.
    final class FakeOwner: PeerLinkOwner {
        let adopted = Mutex<[ChannelPeerLink]>([])
        let received = Mutex<[ControlPacket]>([])
        let released = Mutex<Int>(0)

        func adopt(_ link: ChannelPeerLink, role: PeerChannelHandler.Role) -> Bool {
            self.adopted.withLock { $0.append(link) }
            return true
        }

        func linkUp(_ link: ChannelPeerLink) {}
        func link(_ link: ChannelPeerLink, received packet: ControlPacket) {
            self.received.withLock { $0.append(packet) }
        }
        func link(_ link: ChannelPeerLink, receivedData packet: DataPacket) {}
        func linkReadComplete(_ link: ChannelPeerLink) {}
        func release(_ link: ChannelPeerLink) { self.released.withLock { $0 += 1 } }
    }

    /// Counts flushes on their way to the socket.
    final class FlushCounter: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = ByteBuffer
        let flushes = Atomic<Int>(0)

        func flush(context: ChannelHandlerContext) {
            self.flushes.add(1, ordering: .relaxed)
            context.flush()
        }
    }

    struct Harness {
        let channel: EmbeddedChannel
        let owner: FakeOwner
        let flushes: FlushCounter
        let link: ChannelPeerLink
    }

    func makeHarness(limits: PeerLinkLimits = PeerLinkLimits(), logs: LogRecorder = LogRecorder()) throws -> Harness {
        let channel = EmbeddedChannel()
        let owner = FakeOwner()
        let flushes = FlushCounter()
        try channel.pipeline.syncOperations.addHandler(flushes)
        try channel.pipeline.syncOperations.addHandlers(
            PeerChannelHandler.pipeline(owner: owner, role: .inbound, limits: limits, logger: logs.logger())
        )
        channel.localAddress = try NIOCore.SocketAddress(ipAddress: "::1", port: 9651)
        let remote = try NIOCore.SocketAddress(ipAddress: "::1", port: 40312)
        try channel.connect(to: remote).wait()
        let link = try #require(owner.adopted.withLock { $0.first })
        return Harness(channel: channel, owner: owner, flushes: flushes, link: link)
    }

    func drainOutbound(_ channel: EmbeddedChannel) throws -> [LinkPacket] {
        var packets: [LinkPacket] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            while let packet = try buffer.readLinkPacket() { packets.append(packet) }
        }
        return packets
    }

    @Test("identifier, link kind and a fresh neighbour id per connection")
    func identity() throws {
        let first = try self.makeHarness()
        let second = try self.makeHarness()
        #expect(first.link.connectionDescription == "TCP [::1]:9651 <-> [::1]:40312")
        #expect(first.link.linkKind == .tcpIPv6)
        #expect(first.link.neighbour != second.link.neighbour)
        _ = try first.channel.finish()
        _ = try second.channel.finish()
    }

    @Test("packets sent within one event-loop tick leave with one flush")
    func coalescing() throws {
        let harness = try self.makeHarness()
        for seqno in 0..<100 {
            harness.link.send(PeerFixtures.hello(UInt16(seqno)))
        }
        #expect(try self.drainOutbound(harness.channel).isEmpty)
        harness.channel.embeddedEventLoop.run()
        let written = try self.drainOutbound(harness.channel)
        #expect(written == (0..<100).map { .control(PeerFixtures.hello(UInt16($0))) })
        #expect(harness.flushes.flushes.load(ordering: .relaxed) == 1)
        #expect(harness.link.txBytes == UInt64(100 * 16))
        _ = try harness.channel.finish()
    }

    @Test("while the socket is not writable packets wait, and go out when it is again")
    func writability() throws {
        let harness = try self.makeHarness()
        harness.channel.isWritable = false
        for seqno in 0..<5 { harness.link.send(PeerFixtures.hello(UInt16(seqno))) }
        harness.channel.embeddedEventLoop.run()
        #expect(try self.drainOutbound(harness.channel).isEmpty)
        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        #expect(try self.drainOutbound(harness.channel).count == 5)
        #expect(harness.flushes.flushes.load(ordering: .relaxed) == 1)
        _ = try harness.channel.finish()
    }

    @Test("a peer that stops reading is disconnected once the queue passes its bound")
    func queueBound() throws {
        let logs = LogRecorder()
        let harness = try self.makeHarness(limits: PeerLinkLimits(maximumQueuedPackets: 16), logs: logs)
        harness.channel.isWritable = false
        for seqno in 0..<16 { harness.link.send(PeerFixtures.hello(UInt16(seqno))) }
        harness.channel.embeddedEventLoop.run()
        #expect(harness.channel.isActive)
        harness.link.send(PeerFixtures.hello(16))
        harness.channel.embeddedEventLoop.run()
        #expect(!harness.channel.isActive)
        #expect(logs.contains(.warning, "peer too slow"))
        #expect(harness.owner.released.withLock { $0 } == 1)
        // Later sends are dropped quietly.
        harness.link.send(PeerFixtures.hello(17))
        harness.channel.embeddedEventLoop.run()
        #expect(try self.drainOutbound(harness.channel).isEmpty)
    }

    @Test("the byte bound counts too")
    func byteBound() throws {
        let logs = LogRecorder()
        // A Hello is 4 + 4 + 8 = 16 framed bytes: the fourth one finds 48 > 40 bytes waiting.
        let limits = PeerLinkLimits(maximumQueuedBytes: 40)
        let harness = try self.makeHarness(limits: limits, logs: logs)
        harness.channel.isWritable = false
        for seqno in 0..<5 { harness.link.send(PeerFixtures.hello(UInt16(seqno))) }
        harness.channel.embeddedEventLoop.run()
        #expect(!harness.channel.isActive)
        #expect(logs.contains(.warning, "peer too slow"))
    }

    @Test("a full queue drops data packets and keeps the link and its control packets")
    func dataDropsWhenCongested() throws {
        let logs = LogRecorder()
        let limits = PeerLinkLimits(maximumQueuedBytes: 64 * 1024, maximumQueuedDataBytes: 4 * 1024)
        let harness = try self.makeHarness(limits: limits, logs: logs)
        harness.channel.isWritable = false
        let data = DataPacket(
            source: IPv6Address("400::1") ?? .unspecified, destination: IPv6Address("400::2") ?? .unspecified,
            hopLimit: 64, payload: ByteBuffer(repeating: 0xAB, count: 1000)
        )
        // 1,040 framed bytes each: the fifth finds 4,160 ≥ 4,096 bytes queued and is dropped, as are the rest.
        for _ in 0..<10 { harness.link.send(data: data) }
        harness.link.send(PeerFixtures.hello(1))
        harness.channel.embeddedEventLoop.run()
        #expect(harness.channel.isActive)
        #expect(harness.link.droppedDataPackets.load(ordering: .relaxed) == 6)
        #expect(!logs.contains(.warning, "peer too slow"))

        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        let sent = try self.drainOutbound(harness.channel)
        #expect(sent.count == 5)
        #expect(sent.last == .control(PeerFixtures.hello(1)))
    }

    @Test("received control packets reach the owner; garbage closes the link with a warning")
    func receiveAndGarbage() throws {
        let logs = LogRecorder()
        let harness = try self.makeHarness(logs: logs)
        var buffer = harness.channel.allocator.buffer(capacity: 64)
        try buffer.writeLinkPacket(.control(PeerFixtures.ihu()))
        try harness.channel.writeInbound(buffer)
        #expect(harness.owner.received.withLock { $0 } == [PeerFixtures.ihu()])
        #expect(harness.link.rxBytes == UInt64(buffer.readableBytes))

        try harness.channel.writeInbound(harness.channel.allocator.buffer(bytes: [0x02, 0x01, 0x00, 0x00, 0x00, 0x00]))
        harness.channel.embeddedEventLoop.run()
        #expect(!harness.channel.isActive)
        #expect(logs.contains(.warning, "protocol error"))
        #expect(harness.owner.released.withLock { $0 } == 1)
    }
}
