import NIOCore

/// One frame on a peer link: the link header and the packet it announces.
public enum LinkPacket: Hashable, Sendable {
    case data(DataPacket)
    case control(ControlPacket)
}

extension ByteBuffer {
    /// Reads one link packet; `nil` (reader index unchanged) until all of it is buffered.
    public mutating func readLinkPacket() throws(WireError) -> LinkPacket? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> LinkPacket? in
            guard let type = try buffer.readLinkHeader() else { return nil }
            switch type {
            case .data:
                return try buffer.readDataPacket().map(LinkPacket.data)
            case .control:
                return try buffer.readControlPacket().map(LinkPacket.control)
            }
        }
    }

    /// Writes one link packet, header included. On error nothing is written (no stray link header is left behind).
    @discardableResult
    public mutating func writeLinkPacket(_ packet: LinkPacket) throws(WireError) -> Int {
        let start = self.writerIndex
        do {
            switch packet {
            case .data(let data):
                return self.writeLinkHeader(.data) + (try self.writeDataPacket(data))
            case .control(let control):
                return self.writeLinkHeader(.control) + (try self.writeControlPacket(control))
            }
        } catch {
            self.moveWriterIndex(to: start)
            throw error
        }
    }
}
