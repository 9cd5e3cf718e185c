import MyceliumCore
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Conversions between NIO socket addresses and the peer layer's types (endpoints, link kinds, upstream's text).
extension NIOCore.SocketAddress {
    /// A `.v6` socket address for `address`, with `scopeID` (the interface index of a link-local address, else 0).
    init(ipv6 address: MyceliumCore.IPv6Address, scopeID: UInt32, port: Int) {
        var raw = sockaddr_in6()
        raw.sin6_family = sa_family_t(AF_INET6)
        raw.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        raw.sin6_scope_id = scopeID
        withUnsafeMutableBytes(of: &raw.sin6_addr) { bytes in
            for index in 0..<MyceliumCore.IPv6Address.byteCount {
                bytes[index] = address.byte(index)
            }
        }
        self.init(raw, host: address.description)
    }

    /// The address of a `.v6` socket address; `nil` for IPv4 and Unix sockets.
    var ipv6Address: MyceliumCore.IPv6Address? {
        guard case .v6(let v6) = self else { return nil }
        var raw = v6.address.sin6_addr
        return withUnsafeBytes(of: &raw) { MyceliumCore.IPv6Address(bytes: $0) }
    }

    /// The scope (interface index) of a `.v6` socket address; 0 when there is none.
    var ipv6ScopeID: UInt32 {
        guard case .v6(let v6) = self else { return 0 }
        return v6.address.sin6_scope_id
    }

    /// Whether the remote is IPv4, directly or as a v4-mapped IPv6 address (`::ffff:a.b.c.d`).
    var isIPv4OrMapped: Bool {
        switch self {
        case .v4: return true
        case .v6:
            guard let address = self.ipv6Address else { return false }
            return address.high == 0 && address.low >> 32 == 0xFFFF
        case .unixDomainSocket: return false
        }
    }

    /// The static-cost class of a TCP link to this remote (spec §3.3): IPv4 and v4-mapped are `.tcpIPv4`.
    var tcpLinkKind: LinkKind {
        self.isIPv4OrMapped ? .tcpIPv4 : .tcpIPv6
    }

    /// The address as Rust's `SocketAddr` displays it: `1.2.3.4:9651`, `[::1]:9651`, `[::ffff:1.2.3.4]:9651`,
    /// `[fe80::1%2]:9651` (the scope as a number).
    var upstreamDescription: String {
        let port = self.port ?? 0
        switch self {
        case .v4:
            return "\(self.ipAddress ?? "0.0.0.0"):\(port)"
        case .v6:
            let address = self.ipv6Address ?? MyceliumCore.IPv6Address.unspecified
            let scope = self.ipv6ScopeID
            return "[\(address)\(scope == 0 ? "" : "%\(scope)")]:\(port)"
        case .unixDomainSocket:
            return self.description
        }
    }

    /// The endpoint under which an inbound peer from this address is listed (upstream: the remote socket address),
    /// e.g. `tcp://[::ffff:127.0.0.1]:40312`. A link-local scope becomes the interface name.
    func peerEndpoint(transport: PeerEndpoint.Transport) -> PeerEndpoint? {
        guard let port = self.port, port > 0 else { return nil }
        switch self {
        case .v4:
            guard let text = self.ipAddress else { return nil }
            return PeerEndpoint(transport: transport, host: .ipv4(text), port: UInt32(port))
        case .v6:
            guard let address = self.ipv6Address else { return nil }
            let scope = self.ipv6ScopeID
            let zone = scope == 0 ? nil : NetworkInterfaceName.name(forIndex: scope)
            return PeerEndpoint(transport: transport, host: .ipv6(address, zone: zone), port: UInt32(port))
        case .unixDomainSocket:
            return nil
        }
    }
}

/// Interface names and indexes (`if_nametoindex(3)` / `if_indextoname(3)`), for IPv6 zones.
enum NetworkInterfaceName {
    /// The index of the interface named `zone`, or the zone itself if it is a number; `nil` if unknown.
    static func index(forZone zone: String) -> UInt32? {
        if let number = UInt32(zone), number > 0 { return number }
        let index = if_nametoindex(zone)
        return index == 0 ? nil : index
    }

    /// The name of the interface with `index`; the number as text if it has none (it may have gone away).
    static func name(forIndex index: UInt32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        let name = buffer.withUnsafeMutableBufferPointer { pointer -> String? in
            guard let base = pointer.baseAddress, if_indextoname(index, base) != nil else { return nil }
            return String(cString: base)
        }
        return name ?? String(index)
    }
}
