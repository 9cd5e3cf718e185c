import MyceliumCore
import MyceliumCrypto
import MyceliumNode
import Synchronization

/// A test double for the API layer only: fixed node data and an in-memory peer list, so the HTTP, JSON-RPC and
/// metrics servers can be checked without a running node. It refuses `quic://` peers to exercise the
/// unsupported-transport mapping.
final class FixedNodeAdministration: NodeAdministration {
    static let publicKeyHex = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
    static let remoteKeyHex = "5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b"
    static let nextHop = "TCP [2a02:1811::1]:45694 <-> [2a01:4f8:212:fa6::2]:9651"

    let info: NodeInfo
    private let peerList: Mutex<[PeerStatus]>
    private let remoteKey: X25519.PublicKey
    private let routerID: RouterID

    init() throws {
        let key = try X25519.PublicKey(hexString: Self.publicKeyHex)
        self.info = NodeInfo(subnet: key.nodeSubnet, address: key.overlayAddress, publicKey: key, startTime: 1_716_100_000)
        self.remoteKey = try X25519.PublicKey(hexString: Self.remoteKeyHex)
        self.routerID = RouterID(publicKey: self.remoteKey, tail: 7)
        self.peerList = Mutex([
            PeerStatus(
                endpoint: try PeerEndpoint(parsing: "tcp://192.0.2.6:9651"), origin: .static, connectionState: .alive,
                txBytes: 464_531_564, rxBytes: 64_645_089, discovered: 3725, lastConnected: 62
            ),
            PeerStatus(
                endpoint: try PeerEndpoint(parsing: "tcp://[2a01:4f8:212:fa6::2]:9651"), origin: .inbound,
                connectionState: .connecting, txBytes: 0, rxBytes: 1536, discovered: 5, lastConnected: nil
            ),
            PeerStatus(
                endpoint: try PeerEndpoint(parsing: "tcp://node.example.org:9651"), origin: .static,
                connectionState: .dead, txBytes: 0, rxBytes: 0, discovered: 90061, lastConnected: nil
            ),
            PeerStatus(
                endpoint: try PeerEndpoint(parsing: "vsock://3:5000"), origin: .linkLocalDiscovery,
                connectionState: .alive, txBytes: 1_073_741_824, rxBytes: 999, discovered: 0, lastConnected: 0
            ),
        ])
    }

    /// The subnet the double knows a key for.
    var remoteSubnet: Subnet { self.remoteKey.nodeSubnet }

    func peers() async -> [PeerStatus] { self.peerList.withLock { $0 } }

    func addPeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError) {
        if endpoint.transport == .quic { throw .unsupportedTransport(endpoint, reason: "QUIC is not supported yet") }
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
        [
            RouteStatus(
                subnet: self.remoteSubnet, nextHop: Self.nextHop, metric: Metric(20), seqno: SeqNo(3),
                routerID: self.routerID
            ),
            RouteStatus(
                subnet: Subnet("408:7ba3:3a4d:808a::/64") ?? self.remoteSubnet, nextHop: Self.nextHop,
                metric: .infinite, seqno: SeqNo(0), routerID: self.routerID
            ),
        ]
    }

    func fallbackRoutes() async -> [RouteStatus] {
        [
            RouteStatus(
                subnet: self.remoteSubnet, nextHop: "TCP 203.0.113.2:60128 <-> 198.51.100.27:9651",
                metric: Metric(174), seqno: SeqNo(2), routerID: self.routerID
            )
        ]
    }

    func queriedSubnets() async -> [QueriedSubnetStatus] {
        [QueriedSubnetStatus(subnet: Subnet("503:5478:df06:d79a::/64") ?? self.remoteSubnet, expiresIn: 37)]
    }

    func publicKey(for address: IPv6Address) async -> X25519.PublicKey? {
        self.remoteSubnet.contains(address) ? self.remoteKey : nil
    }

    func metrics() async -> [MetricSample] {
        [
            MetricSample(
                name: "mycelium_router_processed_tlvs", help: "Amount of processed TLVs", kind: .counter,
                labels: ["tlv_type": "update"], value: 12
            ),
            MetricSample(name: "mycelium_peer_manager_known_peers", help: "Known peers", kind: .gauge, value: 4),
            MetricSample(
                name: "mycelium_router_processed_tlvs", help: "ignored", kind: .counter,
                labels: ["tlv_type": "hello"], value: 3
            ),
        ]
    }
}
