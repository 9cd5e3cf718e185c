import MyceliumCore
import MyceliumCrypto
import NIOCore

/// Answers the admin API from the running node's parts: peers from the `PeerManager`, routes from the router.
public struct RouterAdministrator: NodeAdministration {
    public let info: NodeInfo
    let router: RouterDriver
    let peerManager: PeerManager
    let messageBus: MessageBusDriver?

    public init(info: NodeInfo, router: RouterDriver, peerManager: PeerManager, messageBus: MessageBusDriver? = nil) {
        self.info = info
        self.router = router
        self.peerManager = peerManager
        self.messageBus = messageBus
    }

    public func peers() async -> [PeerStatus] {
        self.peerManager.statuses()
    }

    public func addPeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError) {
        try self.peerManager.addPeer(endpoint)
    }

    public func removePeer(_ endpoint: PeerEndpoint) async throws(PeerManagementError) {
        try self.peerManager.removePeer(endpoint)
    }

    public func selectedRoutes() async -> [RouteStatus] {
        await self.routes { $0.selectedRoutes }
    }

    public func fallbackRoutes() async -> [RouteStatus] {
        await self.routes { $0.fallbackRoutes }
    }

    public func queriedSubnets() async -> [QueriedSubnetStatus] {
        let now = RouterDriver.now()
        let queried = try? await self.router.inspect { machine, _ in machine.queriedSubnets }
        return (queried ?? []).map { query in
            let remaining = max(0, query.expiresAt.duration(since: now).millisecondsClamped / 1000)
            return QueriedSubnetStatus(subnet: query.subnet, expiresIn: UInt64(remaining))
        }
    }

    public func publicKey(for address: IPv6Address) async -> X25519.PublicKey? {
        try? await self.router.inspect { machine, _ in machine.publicKey(for: address) } ?? nil
    }

    public func metrics() async -> [MetricSample] {
        let counters = try? await self.router.inspect { machine, _ in
            (machine.counters, machine.selectedRoutes.count, machine.fallbackRoutes.count, machine.neighbourIDs.count)
        }
        guard let (router, selected, fallback, neighbours) = counters else { return [] }
        let peers = self.peerManager.statuses()
        func counter(_ name: String, _ help: String, _ value: Int) -> MetricSample {
            MetricSample(name: "mycelium_router_\(name)", help: help, kind: .counter, value: Double(value))
        }
        func gauge(_ name: String, _ help: String, _ value: Int) -> MetricSample {
            MetricSample(name: name, help: help, kind: .gauge, value: Double(value))
        }
        return [
            counter("received_tlvs", "Control TLVs received from neighbours.", router.receivedTLVs),
            counter("tlv_discarded", "Control TLVs discarded (unrecognized or unusable).", router.discardedTLVs),
            counter("update_denied", "Updates refused by the route filters.", router.deniedUpdates),
            counter("route_selections", "Times a subnet's selected route changed.", router.routeSelections),
            counter("triggered_updates", "Triggered updates sent.", router.triggeredUpdates),
            counter("expired_routes", "Unselected routes whose hold time ran out.", router.expiredRoutes),
            counter("selected_route_expired", "Selected routes whose hold time ran out.", router.expiredSelectedRoutes),
            counter("source_key_expired", "Source-table entries collected.", router.expiredSourceKeys),
            counter("seqno_requests_sent", "Seqno requests sent or forwarded.", router.seqnoRequestsSent),
            counter("seqno_bumps", "Times this router's seqno was bumped.", router.seqnoBumps),
            counter("route_requests_sent", "Route requests sent or forwarded.", router.routeRequestsSent),
            counter("peer_added", "Links that came up.", router.neighboursAdded),
            counter("peer_removed", "Links that went down.", router.neighboursRemoved),
            counter("peer_died", "Links dropped because the peer stopped answering Hellos.", router.neighboursDied),
            gauge("mycelium_router_selected_routes", "Subnets with a selected route.", selected),
            gauge("mycelium_router_fallback_routes", "Routes kept as fallbacks.", fallback),
            gauge("mycelium_router_neighbours", "Live links.", neighbours),
            gauge("mycelium_peer_manager_known_peers", "Peers known to the peer manager.", peers.count),
            gauge(
                "mycelium_peer_manager_alive_peers", "Peers with a live connection.",
                peers.filter { $0.connectionState == .alive }.count
            ),
        ] + (self.messageBus?.metricSamples() ?? [])
    }

    private func routes(_ select: @escaping @Sendable (RouterStateMachine) -> [RouteView]) async -> [RouteStatus] {
        let statuses = try? await self.router.inspect { machine, links in
            select(machine).map { view in
                RouteStatus(
                    subnet: view.subnet,
                    nextHop: links[view.route.neighbour]?.connectionDescription ?? "\(view.route.neighbour)",
                    metric: view.cost,
                    seqno: view.route.seqno,
                    routerID: view.route.routerID
                )
            }
        }
        return statuses ?? []
    }
}
