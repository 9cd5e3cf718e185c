import Foundation
import MyceliumCore
import MyceliumCrypto
import NIOCore
import NIOPosix
import Testing

/// Several real daemons on loopback (spec §2–3): convergence, failover, and misbehaving peers.
@Suite("Daemons on loopback", .serialized)
struct ClusterTests {
    /// A–B, A–C, B–D, C–D, D–E: two paths from A to D and E.
    static let diamondWithTail: [Int: [Int]] = [0: [1, 2], 1: [3], 2: [3], 3: [4]]

    @Test("five daemons in a diamond with a tail converge within 5 s; killing the preferred path reroutes within 2 s")
    func diamondConvergesAndReroutes() async throws {
        let cluster = try DaemonCluster(names: ["A", "B", "C", "D", "E"], links: Self.diamondWithTail)
        let clock = ContinuousClock()
        let start = clock.now
        try await cluster.startAll()
        let all = Array(0..<5)
        let converged = try await DaemonCluster.waitUntil(timeout: .seconds(5) - (clock.now - start)) {
            await cluster.isConverged(all)
        }
        try #require(converged != nil, "not converged within 5 s of start")
        let convergence = clock.now - start
        print("cluster: diamond-with-tail (5 daemons) converged in \(convergence.millisecondsClamped) ms")

        // A's route to E goes through B or C; kill that one.
        let tail = cluster.nodes[4].subnet.description
        let before = try #require(await cluster.selectedRoutes(0)?[tail])
        let viaB = before.hasSuffix(":\(cluster.nodes[1].tcpPort)")
        let viaC = before.hasSuffix(":\(cluster.nodes[2].tcpPort)")
        #expect(viaB || viaC, "A's next hop to E is neither B nor C: \(before)")
        let (dead, survivor) = viaB ? (1, 2) : (2, 1)
        cluster.kill(dead)
        let rerouted = try await DaemonCluster.waitUntil(timeout: .seconds(2)) {
            guard let routes = await cluster.selectedRoutes(0) else { return false }
            return routes[tail]?.hasSuffix(":\(cluster.nodes[survivor].tcpPort)") == true
                && routes[cluster.nodes[3].subnet.description]?.hasSuffix(":\(cluster.nodes[survivor].tcpPort)") == true
        }
        let reroute = try #require(rerouted, "A still routes to E through the killed node after 2 s")
        print("cluster: killing \(cluster.nodes[dead].name) moved A's routes to D and E onto \(cluster.nodes[survivor].name) in \(reroute.millisecondsClamped) ms")

        // The rest of the network stays converged, and the daemons stop cleanly on SIGTERM.
        let remaining = all.filter { $0 != dead }
        let reconverged = try await DaemonCluster.waitUntil(timeout: .seconds(2)) { await cluster.isConverged(remaining) }
        #expect(reconverged != nil)
        for index in remaining {
            #expect(cluster.terminate(index) == 0, "\(cluster.nodes[index].name) did not exit cleanly on SIGTERM")
        }
    }

    @Test("random bytes, a subnet the key does not own and an Update outside 400::/7 are refused; other peers unaffected")
    func misbehavingPeers() async throws {
        let cluster = try DaemonCluster(names: ["X", "Y"], links: [0: [1]])
        let metricsPort = cluster.nodes[1].metricsPort
        try cluster.start(1, extraArguments: ["--metrics-api-address", "127.0.0.1:\(metricsPort)"])
        _ = try await DaemonCluster.waitUntil(timeout: .seconds(5)) { await cluster.get(1, "/api/v1/admin") != nil }
        try cluster.start(0)
        let converged = try await DaemonCluster.waitUntil(timeout: .seconds(5)) { await cluster.isConverged([0, 1]) }
        try #require(converged != nil)

        // A fake peer with its own key: one honest route, two forged ones.
        let fakeKey = X25519.SecretKey.generate().publicKey
        var random = SecureRandom()
        let fakeRouter = RouterID(publicKey: fakeKey, using: &random)
        let honest = fakeKey.nodeSubnet
        let stolen = cluster.nodes[0].subnet  // X's /64, announced with the fake key
        let outside = try #require(Subnet("2001:db8::/64"))
        let fake = try await DaemonTests.connect(port: cluster.nodes[1].tcpPort)
        try await fake.executeThenClose { inbound, outbound in
            for subnet in [honest, stolen, outside] {
                let update = Update(
                    prefix: .ipv6(subnet), seqno: SeqNo(0), metric: .zero, interval: 30000, routerID: fakeRouter
                )
                try await outbound.write(.control(.update(update)))
            }
            // The link stays up: Y keeps sending Hellos, and answers ours.
            try await outbound.write(.control(.hello(Hello(seqno: SeqNo(0), interval: 2000))))
            var packets = inbound.makeAsyncIterator()
            var sawIHU = false
            for _ in 0..<20 {
                guard let packet = try await packets.next() else { break }
                if case .control(.ihu) = packet {
                    sawIHU = true
                    break
                }
            }
            #expect(sawIHU, "Y dropped the link after the forged updates")

            let accepted = try await DaemonCluster.waitUntil(timeout: .seconds(2)) {
                await cluster.selectedRoutes(1)?[honest.description] != nil
            }
            #expect(accepted != nil, "Y did not accept the fake peer's own /64")
            let routes = try #require(await cluster.selectedRoutes(1))
            #expect(routes[outside.description] == nil)
            // X's /64 is still routed over X's link, not to the forger.
            let toX = try #require(routes[stolen.description])
            let fakePort = try #require(fake.channel.localAddress?.port)
            #expect(!toX.hasSuffix(":\(fakePort)"), "Y routes X's /64 to the forger: \(toX)")
        }

        // Garbage on another connection closes only that connection.
        let garbage = try await DaemonTests.connectRaw(port: cluster.nodes[1].tcpPort)
        var bytes = ByteBuffer()
        for _ in 0..<64 { bytes.writeInteger(UInt8.random(in: 2...255)) }
        try await garbage.writeAndFlush(bytes).get()
        try await garbage.closeFuture.get()
        #expect(await cluster.isConverged([0, 1]))

        let metrics = try #require(await Self.fetchText("http://127.0.0.1:\(metricsPort)/metrics"))
        let denied = metrics.split(separator: "\n").first { $0.hasPrefix("mycelium_router_update_denied ") }
        #expect(denied == "mycelium_router_update_denied 2", "metrics: \(denied ?? "missing")")
    }

    static func fetchText(_ address: String) async -> String? {
        guard let url = URL(string: address), let (data, _) = try? await URLSession.shared.data(from: url) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }
}

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
