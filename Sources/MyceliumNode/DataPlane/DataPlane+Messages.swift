import MyceliumCore
import MyceliumCrypto
import NIOCore

extension DataPlane {
    /// The hop limit of the data packets that carry messages (spec §5.1).
    static let messageHopLimit: UInt8 = 64

    public func hasRoute(to destination: IPv6Address) -> Bool {
        self.threadScratch().match(destination)?.link != nil
    }

    /// Seals an encoded message packet for `destination` (user-data type 1) and sends it over the selected route.
    /// Returns `false` when there is no route yet: one is requested and the bus retransmits later.
    public func sendMessagePacket(_ packet: ByteBuffer, to destination: IPv6Address) -> Bool {
        let scratch = self.threadScratch()
        guard let entry = scratch.match(destination), let link = entry.link else {
            self.counters.messagesUnroutable.add(1, ordering: .relaxed)
            if Subnet.overlay.contains(destination) { self.requestRoute(to: destination) }
            return false
        }
        self.refreshIfDue(entry, destination: destination)
        let sealed = packet.withUnsafeReadableBytes { body in
            self.seal(.message, body: body, with: entry.cipher, scratch: scratch)
        }
        link.send(
            data: DataPacket(
                source: self.identity.address, destination: destination, hopLimit: Self.messageHopLimit, payload: sealed
            )
        )
        return true
    }
}
