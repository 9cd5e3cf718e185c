import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A network interface as link-local discovery sees it: its flags and whether it has an `fe80::/64` address.
public struct DiscoveryInterface: Hashable, Sendable {
    public var name: String
    public var index: UInt32
    public var isUp: Bool
    public var isLoopback: Bool
    public var isPointToPoint: Bool
    public var supportsMulticast: Bool
    public var hasLinkLocalAddress: Bool

    public init(
        name: String,
        index: UInt32,
        isUp: Bool,
        isLoopback: Bool,
        isPointToPoint: Bool,
        supportsMulticast: Bool,
        hasLinkLocalAddress: Bool
    ) {
        self.name = name
        self.index = index
        self.isUp = isUp
        self.isLoopback = isLoopback
        self.isPointToPoint = isPointToPoint
        self.supportsMulticast = supportsMulticast
        self.hasLinkLocalAddress = hasLinkLocalAddress
    }

    /// Spec §2.4: up, multicast-capable, not loopback, not point-to-point (which also excludes TUN devices), with an
    /// `fe80::/64` address, and named in `allowList` unless that is empty.
    public func isEligible(allowList: [String]) -> Bool {
        self.isUp && self.supportsMulticast && !self.isLoopback && !self.isPointToPoint && self.hasLinkLocalAddress
            && (allowList.isEmpty || allowList.contains(self.name))
    }

    /// The machine's interfaces right now (`getifaddrs(3)`), one entry per interface, sorted by index.
    public static func scan() throws -> [DiscoveryInterface] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { throw IOError(errnoCode: errno, reason: "getifaddrs") }
        defer { freeifaddrs(head) }
        var byName: [String: DiscoveryInterface] = [:]
        var cursor = head
        while let entry = cursor {
            cursor = entry.pointee.ifa_next
            guard let rawName = entry.pointee.ifa_name else { continue }
            let name = String(cString: rawName)
            let flags = UInt32(entry.pointee.ifa_flags)
            var interface =
                byName[name]
                ?? DiscoveryInterface(
                    name: name,
                    index: if_nametoindex(rawName),
                    isUp: flags & UInt32(IFF_UP) != 0,
                    isLoopback: flags & UInt32(IFF_LOOPBACK) != 0,
                    isPointToPoint: flags & UInt32(IFF_POINTOPOINT) != 0,
                    supportsMulticast: flags & UInt32(IFF_MULTICAST) != 0,
                    hasLinkLocalAddress: false
                )
            if let address = entry.pointee.ifa_addr, Int32(address.pointee.sa_family) == AF_INET6 {
                let isLinkLocal = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var raw = v6.pointee.sin6_addr
                    return withUnsafeBytes(of: &raw) { bytes in
                        bytes[0] == 0xFE && bytes[1] == 0x80 && bytes[2..<8].allSatisfy { $0 == 0 }
                    }
                }
                interface.hasLinkLocalAddress = interface.hasLinkLocalAddress || isLinkLocal
            }
            byName[name] = interface
        }
        return byName.values.filter { $0.index != 0 }.sorted { $0.index < $1.index }
    }
}
