import Foundation
import MyceliumCore
import MyceliumCrypto
import MyceliumNode
import Synchronization

/// A test double for the API layer only (the CLI's verbs talk to a real `AdminHTTPServer` answering from it): fixed
/// node data, routes and an in-memory peer list.
final class CLITestAdministration: NodeAdministration {
    static let nextHop = "TCP [2a02:1811::1]:45694 <-> [2a01:4f8:212:fa6::2]:9651"

    let info: NodeInfo
    private let peerList: Mutex<[PeerStatus]>
    private let routerID: RouterID

    init() throws {
        let key = try X25519.PublicKey(hexString: "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c")
        self.info = NodeInfo(subnet: key.nodeSubnet, address: key.overlayAddress, publicKey: key, startTime: 1_716_100_000)
        self.routerID = RouterID(publicKey: key, tail: 1)
        self.peerList = Mutex([
            PeerStatus(
                endpoint: try PeerEndpoint(parsing: "tcp://192.0.2.6:9651"), origin: .static, connectionState: .alive,
                txBytes: 464_531_564, rxBytes: 64_645_089, discovered: 3725, lastConnected: 62
            ),
            PeerStatus(
                endpoint: try PeerEndpoint(parsing: "tcp://[2a01:4f8:212:fa6::2]:9651"), origin: .inbound,
                connectionState: .connecting, txBytes: 0, rxBytes: 1536, discovered: 90061, lastConnected: nil
            ),
        ])
    }

    var peerEndpoints: [String] { self.peerList.withLock { $0.map(\.endpoint.description) } }

    func peers() async -> [PeerStatus] { self.peerList.withLock { $0 } }

    func addPeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError) {
        let added = self.peerList.withLock { peers in
            guard !peers.contains(where: { $0.endpoint == endpoint }) else { return false }
            peers.append(
                PeerStatus(
                    endpoint: endpoint, origin: .static, connectionState: .connecting, txBytes: 0, rxBytes: 0,
                    discovered: 0, lastConnected: nil
                )
            )
            return true
        }
        if !added { throw .alreadyExists(endpoint) }
    }

    func removePeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError) {
        let removed = self.peerList.withLock { peers in
            guard let index = peers.firstIndex(where: { $0.endpoint == endpoint }) else { return false }
            peers.remove(at: index)
            return true
        }
        if !removed { throw .notFound(endpoint) }
    }

    func selectedRoutes() async -> [RouteStatus] {
        guard let first = Subnet("406:1d77:2438:aa7c::/64"), let second = Subnet("408:7ba3:3a4d:808a::/64") else {
            return []
        }
        return [
            RouteStatus(subnet: first, nextHop: Self.nextHop, metric: Metric(20), seqno: SeqNo(0), routerID: self.routerID),
            RouteStatus(subnet: second, nextHop: Self.nextHop, metric: .infinite, seqno: SeqNo(7), routerID: self.routerID),
        ]
    }

    func fallbackRoutes() async -> [RouteStatus] { [] }

    func queriedSubnets() async -> [QueriedSubnetStatus] {
        Subnet("503:5478:df06:d79a::/64").map { [QueriedSubnetStatus(subnet: $0, expiresIn: 37)] } ?? []
    }

    func publicKey(for address: IPv6Address) async -> X25519.PublicKey? { nil }

    func metrics() async -> [MetricSample] { [] }
}

/// Runs the admin HTTP API on an ephemeral port for the duration of `body`.
func withLiveAdminAPI(
    _ administration: CLITestAdministration,
    _ body: @Sendable (Int) async throws -> Void
) async throws {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await AdminHTTPServer(
                administration: administration,
                address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0),
                onListening: { port in continuation.yield(port) }
            ).run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        try await body(port)
        group.cancelAll()
    }
}

extension MyceliumProcess {
    /// Runs the executable on a thread of its own, so that waiting for it never blocks the cooperative pool that the
    /// in-process server needs to answer it.
    static func runDetached(_ arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result { try MyceliumProcess.run(arguments) })
            }.start()
        }
    }
}
