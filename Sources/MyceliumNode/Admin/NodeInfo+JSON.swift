import MyceliumCore

extension NodeInfo {
    /// Upstream's `Info` (`mycelium-api/src/lib.rs`, serde camelCase):
    /// `{"nodeSubnet":"5a6:…::/64","nodeIp":"5a6:…","nodePubkey":"<64 hex>","nodeStartTime":<u64 Unix seconds>}`.
    /// The same object is the result of JSON-RPC `getInfo`.
    public var jsonValue: JSONValue {
        .object([
            JSONMember("nodeSubnet", .string(self.subnet.description)),
            JSONMember("nodeIp", .string(self.address.description)),
            JSONMember("nodePubkey", .string(self.publicKey.hexString)),
            JSONMember("nodeStartTime", .integer(self.startTime)),
        ])
    }
}
