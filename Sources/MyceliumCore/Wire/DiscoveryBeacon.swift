import NIOCore

/// The link-local peer discovery beacon (spec §2.4, §12.8), one 50-byte UDP datagram sent every 60 s to
/// `[ff02::cafe%if]:9650`:
/// ```
/// 0                     8              10                50
/// | "mycelium" (ASCII)  | TCP port u16 | router id (40)  |
/// ```
/// Receivers accept it only from `fe80::/64`, only at exactly 50 bytes, and ignore their own router id.
public struct DiscoveryBeacon: Hashable, Sendable {
    public static let byteCount = 8 + 2 + RouterID.byteCount
    /// ASCII `mycelium`.
    public static let magic: [UInt8] = Array("mycelium".utf8)
    /// The multicast group beacons are sent to.
    public static let multicastGroup = IPv6Address(high: 0xFF02_0000_0000_0000, low: 0x0000_0000_0000_CAFE)
    /// The UDP port beacons are sent to and received on.
    public static let port: UInt16 = 9650

    /// The sender's TCP listen port, where the receiver should connect.
    public var tcpPort: UInt16
    /// The sender's router id.
    public var routerID: RouterID

    public init(tcpPort: UInt16, routerID: RouterID) {
        self.tcpPort = tcpPort
        self.routerID = routerID
    }

    /// Parses one received datagram, which must be exactly 50 bytes (`invalidField(.beaconLength)` otherwise) and
    /// start with the magic (`invalidField(.beaconMagic)`).
    public init(datagram: ByteBuffer) throws(WireError) {
        guard datagram.readableBytes == Self.byteCount else { throw .invalidField(.beaconLength) }
        var buffer = datagram
        guard let beacon = try buffer.readDiscoveryBeacon() else { throw .invalidField(.beaconLength) }
        self = beacon
    }
}

extension ByteBuffer {
    /// Reads a beacon: `nil` (reader index unchanged) while fewer than 50 bytes are buffered; then exactly 50 are
    /// consumed, and a wrong magic throws `invalidField(.beaconMagic)`.
    /// For a datagram, prefer `DiscoveryBeacon(datagram:)`, which also rejects any other length.
    public mutating func readDiscoveryBeacon() throws(WireError) -> DiscoveryBeacon? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> DiscoveryBeacon? in
            guard buffer.readableBytes >= DiscoveryBeacon.byteCount,
                let magic = buffer.readBytes(length: DiscoveryBeacon.magic.count)
            else { return nil }
            guard magic == DiscoveryBeacon.magic else { throw .invalidField(.beaconMagic) }
            guard let port = buffer.readInteger(as: UInt16.self), let routerID = buffer.readRouterID() else {
                return nil
            }
            return DiscoveryBeacon(tcpPort: port, routerID: routerID)
        }
    }

    /// Writes the 50 beacon bytes.
    @discardableResult
    public mutating func writeDiscoveryBeacon(_ beacon: DiscoveryBeacon) -> Int {
        self.writeBytes(DiscoveryBeacon.magic) + self.writeInteger(beacon.tcpPort) + self.writeRouterID(beacon.routerID)
    }
}
