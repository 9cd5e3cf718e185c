import Foundation
import MyceliumCore
import NIOCore
import NIOPosix
import Testing

@Suite("The daemon on a real socket")
struct DaemonTests {
    @Test("a peer connecting over TCP gets the node's /64 announced and an IHU for its Hello")
    func peerLink() async throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path + "/priv_key.bin"
        try Data((1...32).map { UInt8($0) }).write(to: URL(fileURLWithPath: keyPath))
        let config = directory.path + "/empty.toml"
        try "".write(toFile: config, atomically: true, encoding: .utf8)
        let port = Int.random(in: 20_000..<60_000)

        let daemon = Process()
        daemon.executableURL = MyceliumProcess.executable
        daemon.arguments = [
            "-c", config, "-k", keyPath, "-t", String(port), "--no-tun", "--disable-peer-discovery", "--silent",
            "--state-dir", directory.path + "/state",
        ] + Self.ephemeralAPIs
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }

        let channel = try await Self.connect(port: port)
        try await channel.executeThenClose { inbound, outbound in
            var packets = inbound.makeAsyncIterator()
            // On connect the node announces its own /64 with metric 0 (spec §2.2).
            guard case .control(.update(let update)) = try await packets.next() else {
                Issue.record("first packet was not an Update")
                return
            }
            #expect(update.prefix == .ipv6(try #require(Subnet("5a6:f0c6:f365:177d::/64"))))
            #expect(update.metric == .zero)
            #expect(update.routerID.publicKey.hexString
                == "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c")

            try await outbound.write(.control(.hello(Hello(seqno: SeqNo(1), interval: 2000))))
            // The node also asks for our table and says Hello; the IHU follows within a few packets.
            var ihu: IHU?
            for _ in 0..<10 {
                guard let packet = try await packets.next() else { break }
                if case .control(.ihu(let answer)) = packet {
                    ihu = answer
                    break
                }
            }
            #expect(ihu?.interval == 6000, "no IHU in reply to a Hello")
        }
    }

    @Test("a peer sending garbage is dropped and the node keeps serving others")
    func garbagePeer() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.path + "/empty.toml"
        try "".write(toFile: config, atomically: true, encoding: .utf8)
        let port = Int.random(in: 20_000..<60_000)
        let daemon = Process()
        daemon.executableURL = MyceliumProcess.executable
        daemon.arguments =
            ["-c", config, "-k", directory.path + "/k.bin", "-t", String(port), "--no-tun", "--disable-peer-discovery"]
            + ["--silent", "--state-dir", directory.path + "/state"] + Self.ephemeralAPIs
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }

        let bad = try await Self.connectRaw(port: port)
        try await bad.writeAndFlush(ByteBuffer(bytes: [0x07, 0x07, 0x07, 0x07, 0x07, 0x07])).get()
        try await bad.closeFuture.get()  // the node closes the link

        let good = try await Self.connect(port: port)
        try await good.executeThenClose { inbound, _ in
            var packets = inbound.makeAsyncIterator()
            guard case .control(.update) = try await packets.next() else {
                Issue.record("second peer got no Update")
                return
            }
        }
        #expect(daemon.isRunning)
    }

    /// API servers on random ports, so tests running side by side do not collide.
    static var ephemeralAPIs: [String] {
        let port = Int.random(in: 20_000..<60_000)
        return ["--api-addr", "127.0.0.1:\(port)", "--jsonrpc-addr", "127.0.0.1:\(port + 1)"]
    }

    /// Connects with the link codec, retrying while the daemon starts.
    static func connect(port: Int) async throws -> NIOAsyncChannel<LinkPacket, LinkPacket> {
        try await Self.retrying {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(LinkPacketDecoder()),
                            MessageToByteHandler(LinkPacketEncoder()),
                        ])
                        return try NIOAsyncChannel<LinkPacket, LinkPacket>(wrappingChannelSynchronously: channel)
                    }
                }
        }
    }

    static func connectRaw(port: Int) async throws -> any Channel {
        try await Self.retrying {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
        }
    }

    static func retrying<T>(_ body: () async throws -> T) async throws -> T {
        var lastError: (any Error)?
        for _ in 0..<100 {
            do {
                return try await body()
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw lastError ?? CancellationError()
    }
}
