import MyceliumCore

extension RouteStatus {
    /// Upstream's `Route` (`mycelium-api/src/lib.rs`): `{"subnet":"…/64","nextHop":"TCP a:p <-> b:p","metric":n,
    /// "seqno":n}` where an infinite metric is the string `"infinite"`. The router id is not part of it.
    public var jsonValue: JSONValue {
        .object([
            JSONMember("subnet", .string(self.subnet.description)),
            JSONMember("nextHop", .string(self.nextHop)),
            JSONMember("metric", self.metric.isInfinite ? .string("infinite") : .integer(self.metric.rawValue)),
            JSONMember("seqno", .integer(self.seqno.rawValue)),
        ])
    }
}

extension QueriedSubnetStatus {
    /// Upstream's `QueriedSubnet`: `{"subnet":"…/64","expiration":"37"}`; the seconds left are a decimal *string*.
    public var jsonValue: JSONValue {
        .object([
            JSONMember("subnet", .string(self.subnet.description)),
            JSONMember("expiration", .string(String(self.expiresIn))),
        ])
    }
}
