import Logging
import MyceliumCore
import NIOCore
import NIOPosix
import Testing

@testable import MyceliumNode

/// Misbehaving peers over real loopback sockets.
@Suite("Peer links against misbehaving peers")
struct PeerLinkRobustnessTests {
    @Test("a client sending random bytes is dropped; another link stays up and keeps exchanging packets")
    func garbageClient() async throws {
        let logs = LogRecorder()
        let delegateA = RecordingDelegate()
        let delegateB = RecordingDelegate()
        try await withConnectedManagers(logs: logs, delegateA: delegateA, delegateB: delegateB) { connected in
            let (a, portA, goodA, goodB) = (connected.a, connected.portA, connected.linkA, connected.linkB)

            // Random bytes, with a first byte that is not link protocol version 1, so decoding must fail.
            var generator = SystemRandomNumberGenerator()
            var garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
            garbage[0] = 0x07
            let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: portA)
                .get()
            try await raw.writeAndFlush(raw.allocator.buffer(bytes: garbage))
            try await eventually("garbage link closed by A") { !raw.isActive }
            #expect(logs.contains(.warning, "protocol error"))
            try await eventually("A reported the garbage link down") { delegateA.downCount == 1 }
            #expect(a.statuses().count == 1)

            // The good link carries on, in both directions.
            for round in 0..<10 {
                goodB.send(PeerFixtures.hello(UInt16(round)))
                goodA.send(PeerFixtures.hello(UInt16(100 + round)))
            }
            try await eventually("packets on the good link") {
                delegateA.received(on: goodA.neighbour).count == 10
                    && delegateB.received(on: goodB.neighbour).count == 10
            }
            #expect(!delegateA.isDown(goodA.neighbour))
            #expect(!delegateB.isDown(goodB.neighbour))
        }
        #expect(delegateA.orderViolations.isEmpty)
    }

    @Test("a peer that never reads is disconnected once its queue passes the bound")
    func slowPeer() async throws {
        let logs = LogRecorder()
        // Accepts connections but never reads from them; a small receive buffer keeps the kernel from absorbing
        // megabytes first.
        let sink = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_rcvbuf), value: 4096)
            .childChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        defer { sink.close(promise: nil) }
        let port = try #require(sink.localAddress?.port)

        let limits = PeerLinkLimits(maximumQueuedPackets: 10_000, maximumQueuedBytes: 256 * 1024)
        let delegate = RecordingDelegate()
        let manager = PeerManager(
            configuration: PeerFixtures.configuration(
                peers: [try PeerFixtures.endpoint("tcp://127.0.0.1:\(port)")],
                limits: limits
            ),
            delegate: delegate,
            logger: logs.logger()
        )
        try await withServices([manager], logger: logs.logger()) { _ in
            try await eventually("link up") { delegate.liveLinks.count == 1 }
            let link = try #require(delegate.liveLinks.first as? ChannelPeerLink)
            let loop = link.closeFuture.eventLoop
            // Paced sending: a batch of ~100 KiB (control packets and 1 KiB data packets), then one event-loop turn,
            // which hands the whole outbox to the socket while it is writable. The outbox can only pass 256 KiB
            // once the socket has stopped taking bytes.
            let data = DataPacket(
                source: IPv6Address("400::1") ?? .unspecified,
                destination: IPv6Address("400::2") ?? .unspecified,
                hopLimit: 64,
                payload: ByteBuffer(repeating: 0xAB, count: 1024)
            )
            let batchBytes = 100 * (1024 + 40) + 10 * 16
            var batches = 0
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while !delegate.isDown(link.neighbour) && clock.now < deadline {
                for index in 0..<100 {
                    link.send(data: data)
                    if index % 10 == 0 { link.send(PeerFixtures.hello(UInt16(truncatingIfNeeded: batches))) }
                }
                batches += 1
                try await loop.submit {}.get()
            }
            #expect(delegate.isDown(link.neighbour))
            #expect(logs.contains(.warning, "peer too slow"))
            // Closed for not reading, not for one burst: the socket took many batches before it stopped.
            #expect(link.txBytes > UInt64(4 * batchBytes))
            #expect(batches > 4)
        }
    }
}
