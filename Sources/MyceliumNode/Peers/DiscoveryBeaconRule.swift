import MyceliumCore
import NIOCore

/// Where link-local discovery reports what it found (the `PeerManager`).
public protocol DiscoveredPeerSink: AnyObject, Sendable {
    /// The TCP port our own beacons advertise; waits until it is known.
    func listeningPort() async throws -> Int
    /// Adds a peer learned from a beacon; `false` if it was already known.
    func addDiscoveredPeer(_ endpoint: PeerEndpoint) -> Bool
}

/// The receive rules for discovery beacons (spec §2.4), as a pure function.
public enum DiscoveryBeaconRule {
    /// What to do with one received datagram.
    public enum Verdict: Hashable, Sendable {
        /// Dial this peer (`tcp://[fe80::…%interface]:<port from the beacon>`).
        case discovered(PeerEndpoint)
        case ignored(IgnoreReason)
    }

    public enum IgnoreReason: Hashable, Sendable {
        /// Not from an IPv6 address in `fe80::/64`.
        case notLinkLocal
        /// From a link-local address without the interface it arrived on (cannot be dialled).
        case missingInterface
        /// Not exactly 50 bytes.
        case wrongLength
        /// Does not start with `mycelium`.
        case wrongMagic
        /// The router id is not a valid one.
        case malformed
        /// Our own beacon.
        case ownBeacon
    }

    /// Applies the rules in upstream's order: source in `fe80::/64`, length exactly 50, magic, router id ≠ ours.
    /// - Parameters:
    ///   - source: the sender's IPv6 address; `nil` if it was not IPv6.
    ///   - interface: the name (or index as text) of the interface the datagram arrived on, the endpoint's zone.
    public static func evaluate(
        datagram: ByteBuffer,
        source: IPv6Address?,
        interface: String?,
        ownRouterID: RouterID
    ) -> Verdict {
        guard let source, source.high == 0xFE80_0000_0000_0000 else { return .ignored(.notLinkLocal) }
        guard let interface, !interface.isEmpty else { return .ignored(.missingInterface) }
        let beacon: DiscoveryBeacon
        do {
            beacon = try DiscoveryBeacon(datagram: datagram)
        } catch .invalidField(.beaconLength) {
            return .ignored(datagram.readableBytes == DiscoveryBeacon.byteCount ? .malformed : .wrongLength)
        } catch .invalidField(.beaconMagic) {
            return .ignored(.wrongMagic)
        } catch {
            return .ignored(.malformed)
        }
        guard beacon.routerID != ownRouterID else { return .ignored(.ownBeacon) }
        guard beacon.tcpPort != 0 else { return .ignored(.malformed) }
        let endpoint = PeerEndpoint(
            transport: .tcp,
            host: .ipv6(source, zone: interface),
            port: UInt32(beacon.tcpPort)
        )
        return .discovered(endpoint)
    }
}
