import Logging
import MyceliumCore
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import MyceliumNode

/// Two (or three) peer managers over real loopback sockets.
@Suite("PeerManager over loopback")
struct PeerManagerTests {
    @Test("static peer by IP: linkUp on both sides, control packets both ways, linkDown after the far side stops")
    func connectByAddress() async throws {
        let logs = LogRecorder()
        let delegateA = RecordingDelegate()
        let delegateB = RecordingDelegate()
        try await withConnectedManagers(logs: logs, delegateA: delegateA, delegateB: delegateB) { connected in
            let (a, b, portA, peer) = (connected.a, connected.b, connected.portA, connected.peer)
            let (linkA, linkB) = (connected.linkA, connected.linkB)

            // Upstream's identifier and static cost class (IPv4 and v4-mapped are both "IPv4").
            let portB = try #require((linkB as? ChannelPeerLink)?.localAddress.port)
            #expect(linkB.connectionDescription == "TCP 127.0.0.1:\(portB) <-> 127.0.0.1:\(portA)")
            #expect(
                linkA.connectionDescription
                    == "TCP [::ffff:127.0.0.1]:\(portA) <-> [::ffff:127.0.0.1]:\(portB)"
            )
            #expect(linkA.linkKind == .tcpIPv4)
            #expect(linkB.linkKind == .tcpIPv4)
            #expect(linkA.neighbour != linkB.neighbour)

            // TCP_NODELAY on both the dialled and the accepted socket.
            for link in [linkA, linkB] {
                let channel = try #require((link as? ChannelPeerLink)?.channel)
                #expect(try await channel.getOption(.tcpOption(.tcp_nodelay)).get() != 0)
            }

            linkB.send(PeerFixtures.hello(7))
            linkA.send(PeerFixtures.ihu())
            try await eventually("packets both ways") {
                delegateA.received(on: linkA.neighbour) == [PeerFixtures.hello(7)]
                    && delegateB.received(on: linkB.neighbour) == [PeerFixtures.ihu()]
            }

            let statusB = try #require(b.statuses().first)
            #expect(statusB.endpoint == peer)
            #expect(statusB.origin == .static)
            #expect(statusB.connectionState == .alive)
            #expect(statusB.txBytes > 0 && statusB.rxBytes > 0)
            #expect(statusB.lastConnected != nil)
            let statusA = try #require(a.statuses().first)
            #expect(statusA.endpoint == (try PeerFixtures.endpoint("tcp://[::ffff:127.0.0.1]:\(portB)")))
            #expect(statusA.origin == .inbound)
            #expect(statusA.connectionState == .alive)
            #expect(statusA.rxBytes == statusB.txBytes)

            // The far side stops: B sees linkDown; A's own links went down at shutdown.
            await connected.groupA.triggerGracefulShutdown()
            try await eventually("linkDown on B") { delegateB.isDown(linkB.neighbour) }
            try await eventually("linkDown on A") { delegateA.isDown(linkA.neighbour) }
            try await eventually("B's peer no longer alive") {
                b.statuses().first.map { $0.connectionState != .alive } ?? false
            }
        }
        #expect(delegateA.orderViolations.isEmpty)
        #expect(delegateB.orderViolations.isEmpty)
        #expect(delegateA.downCount == 1 && delegateB.downCount == 1)
    }

    @Test("static peer by host name: tcp://localhost:port is resolved and connected")
    func connectByHostName() async throws {
        let logs = LogRecorder()
        let delegateA = RecordingDelegate()
        let delegateB = RecordingDelegate()
        try await withConnectedManagers(
            peerHost: "localhost", logs: logs, delegateA: delegateA, delegateB: delegateB
        ) { connected in
            let (b, peer, linkA, linkB) = (connected.b, connected.peer, connected.linkA, connected.linkB)
            linkB.send(PeerFixtures.hello(1))
            linkA.send(PeerFixtures.hello(2))
            try await eventually("packets both ways") {
                delegateA.received(on: linkA.neighbour) == [PeerFixtures.hello(1)]
                    && delegateB.received(on: linkB.neighbour) == [PeerFixtures.hello(2)]
            }
            #expect(b.statuses().map(\.endpoint) == [peer])
            #expect(b.statuses().first?.connectionState == .alive)
        }
    }

    @Test("a static peer is redialled when its listener comes back")
    func reconnect() async throws {
        let logs = LogRecorder()
        let delegateB = RecordingDelegate()
        let first = PeerManager(
            configuration: PeerFixtures.configuration(), delegate: RecordingDelegate(), logger: logs.logger("a1"))
        let port = try await withServices([first], logger: logs.logger()) { _ in try await first.listeningPort() }
        let peer = try PeerFixtures.endpoint("tcp://127.0.0.1:\(port)")
        let b = PeerManager(
            configuration: PeerFixtures.configuration(peers: [peer]), delegate: delegateB, logger: logs.logger("b"))
        try await withServices([b], logger: logs.logger()) { _ in
            // Nobody listens: dials fail, the peer stays and is not alive.
            try await eventually("a failed dial") { logs.contains(.error, "could not connect to peer") }
            #expect(b.statuses().first?.connectionState != .alive)

            let delegateA = RecordingDelegate()
            let second = PeerManager(
                configuration: PeerFixtures.configuration(port: port), delegate: delegateA, logger: logs.logger("a2"))
            try await withServices([second], logger: logs.logger()) { groups in
                try await eventually("connected") { delegateB.liveLinks.count == 1 && delegateA.liveLinks.count == 1 }
                let firstLink = try #require(delegateB.liveLinks.first)

                // Restart the far side on the same port: B notices and redials.
                await groups[0].triggerGracefulShutdown()
                try await eventually("first link down") { delegateB.isDown(firstLink.neighbour) }
            }
            let delegateA2 = RecordingDelegate()
            let third = PeerManager(
                configuration: PeerFixtures.configuration(port: port), delegate: delegateA2, logger: logs.logger("a3"))
            try await withServices([third], logger: logs.logger()) { _ in
                try await eventually("reconnected") {
                    delegateB.liveLinks.count == 1 && delegateA2.liveLinks.count == 1
                }
                let secondLink = try #require(delegateB.liveLinks.first)
                #expect(delegateB.upCount == 2)
                #expect(delegateB.isDown(secondLink.neighbour) == false)
                secondLink.send(PeerFixtures.hello(3))
                try await eventually("packet over the new link") { delegateA2.events.count >= 2 }
                #expect(b.statuses().first?.connectionState == .alive)
            }
        }
        #expect(delegateB.upCount == 2)
        #expect(delegateB.orderViolations.isEmpty)
    }

    @Test("statuses: connecting while a dial hangs, alive when connected, dead after it fails")
    func statusStates() async throws {
        let logs = LogRecorder()
        // A listener whose accept queue is full: the kernel drops further SYNs, so a dial hangs until its timeout.
        let group = MultiThreadedEventLoopGroup.singleton
        let stuck = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 0)
            .serverChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let stuckPort = try #require(stuck.localAddress?.port)
        var fillers: [any Channel] = []
        for _ in 0..<3 {
            // Up to backlog + 1 connections complete; later ones hang. Fill it without waiting on the hanging ones.
            let attempt = ClientBootstrap(group: group).connectTimeout(.milliseconds(300))
                .connect(host: "127.0.0.1", port: stuckPort)
            if let channel = try? await attempt.get() { fillers.append(channel) }
        }
        defer {
            for filler in fillers { filler.close(promise: nil) }
            stuck.close(promise: nil)
        }

        let delegate = RecordingDelegate()
        var configuration = PeerFixtures.configuration()
        configuration.connectTimeout = .seconds(1)
        configuration.reconnectInterval = .seconds(30)
        let manager = PeerManager(configuration: configuration, delegate: delegate, logger: logs.logger())
        let a = PeerManager(
            configuration: PeerFixtures.configuration(), delegate: RecordingDelegate(), logger: logs.logger("a"))
        try await withServices([manager, a], logger: logs.logger()) { _ in
            _ = try await manager.listeningPort()
            let stuckPeer = try PeerFixtures.endpoint("tcp://127.0.0.1:\(stuckPort)")
            try manager.addPeer(stuckPeer)
            #expect(manager.statuses().first { $0.endpoint == stuckPeer }?.connectionState == .connecting)

            let goodPeer = try PeerFixtures.endpoint("tcp://[::1]:\(try await a.listeningPort())")
            try manager.addPeer(goodPeer)
            do {
                try await eventually("good peer alive") {
                    manager.statuses().first { $0.endpoint == goodPeer }?.connectionState == .alive
                }
            } catch {
                for line in logs.all { print("LOG", line.level, line.message, line.metadata) }
                print(manager.statuses())
                throw error
            }
            #expect(delegate.liveLinks.first?.linkKind == .tcpIPv6)
            try await eventually("stuck dial timed out", timeout: .seconds(5)) {
                manager.statuses().first { $0.endpoint == stuckPeer }?.connectionState == .dead
            }
            let stuckStatus = try #require(manager.statuses().first { $0.endpoint == stuckPeer })
            #expect(stuckStatus.lastConnected == nil)
            #expect(stuckStatus.txBytes == 0)
        }
    }

    @Test("add and remove peers at runtime")
    func addAndRemove() async throws {
        let logs = LogRecorder()
        let delegateA = RecordingDelegate()
        let delegateB = RecordingDelegate()
        let a = PeerManager(configuration: PeerFixtures.configuration(), delegate: delegateA, logger: logs.logger("a"))
        let b = PeerManager(configuration: PeerFixtures.configuration(), delegate: delegateB, logger: logs.logger("b"))
        try await withServices([a, b], logger: logs.logger()) { _ in
            let peer = try PeerFixtures.endpoint("tcp://127.0.0.1:\(try await a.listeningPort())")
            #expect(b.statuses().isEmpty)
            try b.addPeer(peer)
            #expect(throws: PeerManagementError.alreadyExists(peer)) { try b.addPeer(peer) }
            try await eventually("connected") { delegateA.liveLinks.count == 1 && delegateB.liveLinks.count == 1 }
            #expect(a.statuses().map(\.origin) == [.inbound])

            try b.removePeer(peer)
            try await eventually("both sides down") { delegateA.downCount == 1 && delegateB.downCount == 1 }
            #expect(b.statuses().isEmpty)
            try await eventually("inbound entry dropped once dead") { a.statuses().isEmpty }
            #expect(throws: PeerManagementError.notFound(peer)) { try b.removePeer(peer) }

            // Not redialled: several reconnect ticks later there is still no new link.
            try await Task.sleep(for: .milliseconds(500))
            #expect(delegateA.upCount == 1)
            #expect(delegateB.upCount == 1)
        }
    }

    @Test("quic://, tls:// and vsock:// peers are refused: errors from the API, skipped from configuration")
    func unsupportedTransports() throws {
        let logs = LogRecorder()
        let quic = try PeerFixtures.endpoint("quic://127.0.0.1:9651")
        let tls = try PeerFixtures.endpoint("tls://[::1]:9651")
        let vsock = try PeerFixtures.endpoint("vsock://3:9651")
        let tcp = try PeerFixtures.endpoint("tcp://192.0.2.1:9651")
        let manager = PeerManager(
            configuration: PeerFixtures.configuration(peers: [quic, tcp, tls]),
            delegate: RecordingDelegate(),
            logger: logs.logger()
        )
        #expect(manager.statuses().map(\.endpoint) == [tcp])
        #expect(manager.statuses().first?.connectionState == .dead)
        #expect(logs.all.filter { $0.level == .error && $0.message.contains("skipping configured peer") }.count == 2)
        #expect(throws: PeerManagementError.unsupportedTransport(quic, reason: "QUIC is not supported yet; use tcp://"))
        {
            try manager.addPeer(quic)
        }
        #expect(throws: PeerManagementError.self) { try manager.addPeer(tls) }
        #expect(throws: PeerManagementError.self) { try manager.addPeer(vsock) }
        #expect(manager.statuses().count == 1)
    }
}
