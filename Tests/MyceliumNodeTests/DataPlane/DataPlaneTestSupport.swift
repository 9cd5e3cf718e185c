import Logging
import MyceliumCore
import MyceliumCrypto
import NIOCore
import Synchronization

@testable import MyceliumNode

/// The host side of a data plane under test: records every packet delivered (copied) and every flush.
final class RecordingInterface: PacketInterface {
    private let state = Mutex((packets: [[UInt8]](), flushes: 0))

    func deliver(_ packet: UnsafeRawBufferPointer) {
        self.state.withLock { $0.packets.append(Array(packet)) }
    }

    func flush() {
        self.state.withLock { $0.flushes += 1 }
    }

    var packets: [[UInt8]] { self.state.withLock { $0.packets } }
    var flushes: Int { self.state.withLock { $0.flushes } }
}

/// A peer link that records the data packets sent on it (payloads copied out of the sender's scratch buffer).
final class RecordingLink: PeerLink {
    let neighbour = ChannelPeerLink.makeNeighbourID()
    let linkKind = LinkKind.tcpIPv6
    let connectionDescription = "test link"
    private let sent = Mutex([DataPacket]())

    func send(_ packet: ControlPacket) {}

    func send(data packet: DataPacket) {
        var copy = packet
        copy.payload = ByteBuffer(bytes: Array(packet.payload.readableBytesView))
        self.sent.withLock { $0.append(copy) }
    }

    func close(reason: String) {}

    var packets: [DataPacket] { self.sent.withLock { $0 } }
}

/// Collects the addresses a data plane asked routes for.
final class RouteRequests: Sendable {
    private let addresses = Mutex([IPv6Address]())
    func record(_ address: IPv6Address) { self.addresses.withLock { $0.append(address) } }
    var all: [IPv6Address] { self.addresses.withLock { $0 } }
}

/// One node's data plane with a recording interface and route-request log.
struct DataPlaneUnderTest {
    let identity: NodeIdentity
    let interface = RecordingInterface()
    let requests = RouteRequests()
    let dataPlane: DataPlane

    init(_ identity: NodeIdentity = NodeIdentity(secretKey: .generate()), limits: DataPlane.Limits = DataPlane.Limits()) {
        self.identity = identity
        let requests = self.requests
        self.dataPlane = DataPlane(
            identity: identity, interface: self.interface, limits: limits,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { requests.record($0) }
    }

    /// Installs routes: each identity's /64, reachable over `link` (or known but not selected when `nil`).
    func install(_ routes: [(NodeIdentity, (any PeerLink)?)], generation: UInt64 = 1) {
        self.dataPlane.routesChanged(
            generation: generation,
            subnets: routes.map {
                DataPlane.KnownSubnet(subnet: $0.0.subnet, publicKey: $0.0.publicKey, link: $0.1, expiresAt: nil)
            }
        )
    }
}

enum TestPackets {
    /// An IPv6 packet (next header 17, UDP-like payload) from `source` to `destination`.
    static func ipv6(
        from source: IPv6Address,
        to destination: IPv6Address,
        hopLimit: UInt8 = 64,
        payload: [UInt8] = Array("hello overlay".utf8)
    ) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(UInt32(6) << 28, UInt16(payload.count), UInt8(17), hopLimit)
        buffer.writeIPv6Address(source)
        buffer.writeIPv6Address(destination)
        buffer.writeBytes(payload)
        return Array(buffer.readableBytesView)
    }

    /// The cipher `a` and `b` share (spec §4.3: the raw X25519 secret).
    static func cipher(_ a: NodeIdentity, _ b: NodeIdentity) throws -> AES256GCM {
        AES256GCM(sharedSecret: try a.secretKey.sharedSecret(with: b.publicKey))
    }
}

extension DataPlane {
    func sendFromHost(_ packet: [UInt8]) {
        packet.withUnsafeBytes { self.sendFromHost($0) }
    }
}
