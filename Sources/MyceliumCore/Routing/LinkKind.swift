/// The transport of a link, which fixes the static cost added to every route through it (spec §3.3).
public enum LinkKind: Hashable, Sendable, CaseIterable {
    case tcpIPv4
    case tcpIPv6
    case quicIPv4
    case quicIPv6
    case vsock

    /// Upstream's static cost: TCP/TLS over IPv4 (or v4-mapped) 15, over IPv6 10; QUIC 12 / 7; vsock 5.
    public var staticCost: Metric {
        switch self {
        case .tcpIPv4: Metric(15)
        case .tcpIPv6: Metric(10)
        case .quicIPv4: Metric(12)
        case .quicIPv6: Metric(7)
        case .vsock: Metric(5)
        }
    }
}
