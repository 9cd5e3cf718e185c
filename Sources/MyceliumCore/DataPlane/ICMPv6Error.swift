import NIOCore

/// An ICMPv6 error message (RFC 4443 §3) as a complete IPv6 packet for the host's TUN: what a node writes back when
/// it cannot send a packet its host gave it (spec §4.2), or when a remote router reported one (spec §4.5).
public struct ICMPv6Error: Hashable, Sendable {
    /// RFC 4443 §2.4(c): an error quotes as much of the offending packet as fits in the IPv6 minimum MTU (1280).
    public static let maximumQuotedByteCount = 1280 - IPv6Header.byteCount - 8
    /// Upstream writes its ICMP errors with hop limit 64.
    public static let defaultHopLimit: UInt8 = 64

    public enum Kind: Hashable, Sendable {
        /// Type 1 code 0: no route to the destination (the query timed out or its queue is full).
        case noRoute
        /// Type 1 code 3: the destination is in the node's own /64 but not the node.
        case addressUnreachable
        /// Type 1 code 5: the source is outside 400::/7.
        case sourceAddressFailedPolicy
        /// Type 3 code 0: hop limit exceeded in transit.
        case hopLimitExceeded
        /// Any other type and code (from an out-of-band report).
        case other(type: UInt8, code: UInt8)

        public var type: UInt8 {
            switch self {
            case .noRoute, .addressUnreachable, .sourceAddressFailedPolicy: 1
            case .hopLimitExceeded: 3
            case .other(let type, _): type
            }
        }

        public var code: UInt8 {
            switch self {
            case .noRoute, .hopLimitExceeded: 0
            case .addressUnreachable: 3
            case .sourceAddressFailedPolicy: 5
            case .other(_, let code): code
            }
        }
    }

    public var kind: Kind
    /// The IPv6 source: the node (or the reporting router).
    public var source: IPv6Address
    /// The IPv6 destination: the sender of the offending packet.
    public var destination: IPv6Address
    public var hopLimit: UInt8

    public init(kind: Kind, source: IPv6Address, destination: IPv6Address, hopLimit: UInt8 = Self.defaultHopLimit) {
        self.kind = kind
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
    }
}

extension ByteBuffer {
    /// Writes `error` as an IPv6 packet quoting the first `ICMPv6Error.maximumQuotedByteCount` bytes of `offending`,
    /// with a correct ICMPv6 checksum. Returns the bytes written.
    @discardableResult
    public mutating func writeICMPv6Error(_ error: ICMPv6Error, quoting offending: UnsafeRawBufferPointer) -> Int {
        self.writeICMPv6Packet(
            type: error.kind.type,
            code: error.kind.code,
            restOfHeader: 0,
            source: error.source,
            destination: error.destination,
            hopLimit: error.hopLimit,
            body: UnsafeRawBufferPointer(rebasing: offending.prefix(ICMPv6Error.maximumQuotedByteCount))
        )
    }
}
