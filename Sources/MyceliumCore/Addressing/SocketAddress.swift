/// A literal IP socket address, `1.2.3.4:8989` or `[::1]:8989`, as upstream's `api_addr`-style settings take.
public struct SocketAddress: Hashable, Sendable {
    /// The IP address as text (IPv6 without brackets).
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `ip:port`; `nil` for names, missing ports or malformed addresses.
    public init?(_ text: String) {
        guard let endpoint = try? PeerEndpoint(parsing: "tcp://" + text) else { return nil }
        switch endpoint.host {
        case .ipv4(let address): self.init(host: address, port: UInt16(endpoint.port))
        case .ipv6(let address, nil): self.init(host: address.description, port: UInt16(endpoint.port))
        case .ipv6(_, .some), .name, .vsockContext: return nil
        }
    }
}

extension SocketAddress: CustomStringConvertible {
    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}
