import MyceliumCore
import NIOCore

/// Carries encoded message packets to other nodes: the data plane, which seals them as user-data type 1 (spec §5.1).
public protocol MessageTransport: Sendable {
    /// Sends `packet` to `destination`; `false` if there is no route yet (the bus retransmits).
    func sendMessagePacket(_ packet: ByteBuffer, to destination: IPv6Address) -> Bool
    /// Whether a packet to `destination` would leave now (a route is selected).
    func hasRoute(to destination: IPv6Address) -> Bool
}

extension DataPlane: MessageTransport {}
