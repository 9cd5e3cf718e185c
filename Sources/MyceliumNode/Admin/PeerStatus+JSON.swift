import MyceliumCore

extension PeerStatus {
    /// Upstream's `PeerStats` (`mycelium/src/peer_manager.rs`, serde camelCase, `pt` renamed to `type`), in its
    /// field order: `{"endpoint":{…},"type":"static","connectionState":"alive","txBytes":n,"rxBytes":n,
    /// "discovered":n,"lastConnected":n|null}`. `lastConnected` is serialized as `null` (serde's `Option` without
    /// `skip_serializing_if`), not omitted.
    public var jsonValue: JSONValue {
        .object([
            JSONMember("endpoint", self.endpoint.jsonValue),
            JSONMember("type", .string(self.origin.rawValue)),
            JSONMember("connectionState", .string(self.connectionState.rawValue)),
            JSONMember("txBytes", .integer(self.txBytes)),
            JSONMember("rxBytes", .integer(self.rxBytes)),
            JSONMember("discovered", .integer(self.discovered)),
            JSONMember("lastConnected", self.lastConnected.map { JSONValue.integer($0) } ?? .null),
        ])
    }

    /// Reads one element of `GET /api/v1/admin/peers` (ours or a Rust node's).
    public init(json: JSONValue) throws(JSONShapeError) {
        guard let endpointJSON = json["endpoint"] else { throw JSONShapeError("peer without an endpoint") }
        guard let originText = json["type"]?.stringValue, let origin = Origin(rawValue: originText) else {
            throw JSONShapeError("peer with an unknown type")
        }
        guard let stateText = json["connectionState"]?.stringValue, let state = ConnectionState(rawValue: stateText)
        else { throw JSONShapeError("peer with an unknown connectionState") }
        guard let tx = json["txBytes"]?.uint64Value, let rx = json["rxBytes"]?.uint64Value,
            let discovered = json["discovered"]?.uint64Value
        else { throw JSONShapeError("peer without byte counters") }
        let lastConnected: UInt64?
        switch json["lastConnected"] {
        case nil, .null?: lastConnected = nil
        case let value?:
            guard let seconds = value.uint64Value else { throw JSONShapeError("peer with a bad lastConnected") }
            lastConnected = seconds
        }
        self.init(
            endpoint: try PeerEndpoint(json: endpointJSON),
            origin: origin,
            connectionState: state,
            txBytes: tx,
            rxBytes: rx,
            discovered: discovered,
            lastConnected: lastConnected
        )
    }
}

extension PeerEndpoint {
    /// Upstream's `Endpoint` since v0.7.6 (`mycelium/src/endpoint.rs`): `{"proto":"tcp","addr":<PeerAddr>}` where
    /// `PeerAddr` is an externally tagged serde enum, `{"socket":"1.2.3.4:9651"}` or
    /// `{"vsock":{"cid":3,"port":5000}}`. `docs/api.yaml` still shows the pre-0.7.6 `{proto, socketAddr}`; the code
    /// wins.
    ///
    /// Beyond upstream: a peer given by DNS name (upstream accepts only literals) gets a third variant in the same
    /// style, `{"hostname":"node.example.org:9651"}`. A Rust client decoding that into its `PeerAddr` rejects the
    /// unknown variant, as it would any form it cannot represent; generic JSON clients see a self-describing object.
    public var jsonValue: JSONValue {
        let address: JSONMember =
            switch self.host {
            case .ipv4, .ipv6: JSONMember("socket", .string(self.addressText))
            case .name: JSONMember("hostname", .string(self.addressText))
            case .vsockContext(let cid):
                JSONMember(
                    "vsock",
                    .object([JSONMember("cid", .integer(cid)), JSONMember("port", .integer(self.port))])
                )
            }
        return .object([JSONMember("proto", .string(self.transport.rawValue)), JSONMember("addr", .object([address]))])
    }

    /// The endpoint without its scheme, as upstream's `PeerAddr` displays it: `1.2.3.4:9651`, `[2a01::2]:9651`,
    /// `3:5000` for vsock, and `name:port` for our DNS-name peers.
    public var addressText: String {
        let text = self.description
        guard let separator = text.firstRange(of: "://") else { return text }
        return String(text[separator.upperBound...])
    }

    /// Reads the JSON form written by ``jsonValue`` or by a Rust node, including the pre-0.7.6
    /// `{"proto":"tcp","socketAddr":"1.2.3.4:9651"}` so the CLI also works against older Rust nodes.
    public init(json: JSONValue) throws(JSONShapeError) {
        guard let proto = json["proto"]?.stringValue, let transport = Transport(rawValue: proto) else {
            throw JSONShapeError("endpoint with an unknown proto")
        }
        if let socket = json["socketAddr"]?.stringValue {
            self = try Self.parse("\(transport.rawValue)://\(socket)")
            return
        }
        guard case .object(let members)? = json["addr"], members.count == 1, let member = members.first else {
            throw JSONShapeError("endpoint without an addr")
        }
        let text: String
        switch (member.key, member.value) {
        case ("socket", .string(let socket)), ("hostname", .string(let socket)):
            text = socket
        case ("vsock", let vsock):
            guard let cid = vsock["cid"]?.uint64Value, let port = vsock["port"]?.uint64Value else {
                throw JSONShapeError("vsock endpoint without cid and port")
            }
            text = "\(cid):\(port)"
        default:
            throw JSONShapeError("endpoint with an unknown addr kind '\(member.key)'")
        }
        self = try Self.parse("\(transport.rawValue)://\(text)")
    }

    private static func parse(_ text: String) throws(JSONShapeError) -> PeerEndpoint {
        do {
            return try PeerEndpoint(parsing: text)
        } catch {
            throw JSONShapeError("endpoint '\(text)': \(error)")
        }
    }
}
