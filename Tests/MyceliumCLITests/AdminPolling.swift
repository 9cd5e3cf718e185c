import MyceliumCore

/// What the two daemon harnesses (`DaemonCluster` on loopback, `NamespaceNetwork` in namespaces) share: reading a
/// daemon's routes through its admin API and polling until a condition holds.
protocol AdminPolling {
    /// `GET` an admin API path of node `index` as JSON; `nil` while the daemon is not answering.
    func get(_ index: Int, _ path: String) async -> Any?
    /// The /64 of node `index`.
    func subnet(of index: Int) -> Subnet
}

extension AdminPolling {
    /// Node `index`'s selected routes as subnet → next hop.
    func selectedRoutes(_ index: Int) async -> [String: String]? {
        guard let routes = await self.get(index, "/api/v1/admin/routes/selected") as? [[String: Any]] else {
            return nil
        }
        var result: [String: String] = [:]
        for route in routes {
            if let subnet = route["subnet"] as? String, let nextHop = route["nextHop"] as? String {
                result[subnet] = nextHop
            }
        }
        return result
    }

    /// Whether every node in `indices` has a selected route to every other one's /64.
    func isConverged(_ indices: [Int]) async -> Bool {
        for index in indices {
            guard let routes = await self.selectedRoutes(index) else { return false }
            for other in indices where other != index {
                if routes[self.subnet(of: other).description] == nil { return false }
            }
        }
        return true
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; returns the time it took, or `nil`.
    static func waitUntil(timeout: Duration, _ condition: () async -> Bool) async throws -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < timeout {
            if await condition() { return clock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
