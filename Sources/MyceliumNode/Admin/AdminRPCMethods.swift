import MyceliumCore

/// Upstream's admin JSON-RPC methods (`mycelium-api/src/rpc.rs`, trait `MyceliumApi`), answering from a node.
///
/// Results have the same shapes as the HTTP API: `getInfo` the `Info` object, `getPeers` `[PeerStats]`, the route
/// methods `[Route]` / `[QueriedSubnet]`; `addPeer` and `deletePeer` return `true`; `getPublicKeyFromIp` returns the
/// key itself as a hex string (a bare `PublicKey`, not `{"publicKey":…}`). Errors come from ``AdminAPIError``.
public enum AdminRPCMethods {
    /// The method table, to merge with other families (the message methods) into one ``JSONRPCDispatcher``.
    public static func methods(administration: any NodeAdministration) -> [String: JSONRPCMethod] {
        [
            "getInfo": { _ in .success(administration.info.jsonValue) },
            "getPeers": { _ in .success(.array(await administration.peers().map(\.jsonValue))) },
            "addPeer": { params in await Self.changePeer(params, .add, administration: administration) },
            "deletePeer": { params in await Self.changePeer(params, .remove, administration: administration) },
            "getSelectedRoutes": { _ in .success(.array(await administration.selectedRoutes().map(\.jsonValue))) },
            "getFallbackRoutes": { _ in .success(.array(await administration.fallbackRoutes().map(\.jsonValue))) },
            "getQueriedSubnets": { _ in .success(.array(await administration.queriedSubnets().map(\.jsonValue))) },
            "getPublicKeyFromIp": { params in await Self.publicKey(params, administration: administration) },
        ]
    }

    /// `addPeer(endpoint)` / `deletePeer(endpoint)`.
    private static func changePeer(
        _ params: JSONRPCParams,
        _ operation: PeerOperation,
        administration: any NodeAdministration
    ) async -> Result<JSONValue, JSONRPCError> {
        let text: String
        switch params.string(at: 0, named: "endpoint") {
        case .success(let value): text = value
        case .failure(let error): return .failure(error)
        }
        let endpoint: PeerEndpoint
        do {
            endpoint = try PeerEndpoint(parsing: text)
        } catch {
            return .failure(AdminAPIError(error, operation: operation).jsonRPC)
        }
        do {
            switch operation {
            case .add: try await administration.addPeer(endpoint)
            case .remove: try await administration.removePeer(endpoint)
            }
        } catch {
            return .failure(AdminAPIError(error, operation: operation).jsonRPC)
        }
        return .success(.bool(true))
    }

    /// `getPublicKeyFromIp(ip)`: −32007 for text that is no IP address, −32008 when no key is known.
    private static func publicKey(
        _ params: JSONRPCParams,
        administration: any NodeAdministration
    ) async -> Result<JSONValue, JSONRPCError> {
        let text: String
        switch params.string(at: 0, named: "ip", aliases: ["mycelium_ip"]) {
        case .success(let value): text = value
        case .failure(let error): return .failure(error)
        }
        switch AdminRoutes.parseIPArgument(text) {
        case .invalid: return .failure(AdminAPIError.invalidIP.jsonRPC)
        case .ipv4: return .failure(AdminAPIError.noPublicKey.jsonRPC)
        case .ipv6(let address):
            guard let key = await administration.publicKey(for: address) else {
                return .failure(AdminAPIError.noPublicKey.jsonRPC)
            }
            return .success(.string(key.hexString))
        }
    }
}
