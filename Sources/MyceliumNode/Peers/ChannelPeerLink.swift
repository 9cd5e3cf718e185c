import Logging
import MyceliumCore
import NIOCore
import Synchronization

/// A `PeerLink` over one NIO channel (a TCP connection; spec §2.2–2.3).
///
/// `send` may be called from any thread. Packets are framed straight into a per-link outbox buffer (so the caller's
/// buffers are free again at once); the first packet after a drain schedules one task on the channel's event loop,
/// which writes the whole buffer and flushes once — so all packets sent within one event-loop tick leave in one
/// write (upstream coalesces up to 50 ready packets per flush). While the socket is not writable the outbox keeps
/// them: data packets beyond `PeerLinkLimits.maximumQueuedDataBytes` are dropped (congestion), and if the queue grows
/// past `maximumQueuedBytes` anyway (control packets to a peer that stopped reading) the link is closed with a
/// "peer too slow" warning.
public final class ChannelPeerLink: PeerLink, CustomStringConvertible {
    public let neighbour: NeighbourID
    public let linkKind: LinkKind
    /// `TCP <local> <-> <remote>`, exactly as upstream's `Connection::identifier` prints it (e.g.
    /// `TCP [::ffff:127.0.0.1]:9651 <-> [::ffff:127.0.0.1]:40312`).
    public let connectionDescription: String
    public let localAddress: NIOCore.SocketAddress
    public let remoteAddress: NIOCore.SocketAddress

    let channel: any Channel
    private let traffic: LinkTraffic
    private let limits: PeerLinkLimits
    private let logger: Logger
    private let outbox = Mutex(Outbox())
    /// Data packets dropped because the queue to this peer was full (congestion).
    let droppedDataPackets = Atomic<UInt64>(0)
    private let handler: NIOLoopBound<PeerChannelHandler>

    private static let neighbourCounter = Atomic<UInt64>(0)

    /// A fresh process-wide neighbour id.
    static func makeNeighbourID() -> NeighbourID {
        NeighbourID(Self.neighbourCounter.add(1, ordering: .relaxed).newValue)
    }

    init(
        channel: any Channel,
        localAddress: NIOCore.SocketAddress,
        remoteAddress: NIOCore.SocketAddress,
        traffic: LinkTraffic,
        limits: PeerLinkLimits,
        logger: Logger,
        handler: NIOLoopBound<PeerChannelHandler>
    ) {
        self.neighbour = Self.makeNeighbourID()
        self.linkKind = remoteAddress.tcpLinkKind
        self.connectionDescription = "TCP \(localAddress.upstreamDescription) <-> \(remoteAddress.upstreamDescription)"
        self.localAddress = localAddress
        self.remoteAddress = remoteAddress
        self.channel = channel
        self.traffic = traffic
        self.limits = limits
        var logger = logger
        logger[metadataKey: "link"] = "\(self.connectionDescription)"
        logger[metadataKey: "neighbour"] = "\(self.neighbour.rawValue)"
        self.logger = logger
        self.handler = handler
    }

    public var description: String { "\(self.neighbour) (\(self.connectionDescription))" }

    /// Bytes written to this connection so far.
    public var txBytes: UInt64 { self.traffic.txBytes }
    /// Bytes read from this connection so far.
    public var rxBytes: UInt64 { self.traffic.rxBytes }
    /// Completes when the connection is closed.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    public func send(_ packet: ControlPacket) {
        self.enqueue(isData: false) { (bytes) throws(WireError) in
            bytes.writeLinkHeader(.control)
            try bytes.writeControlPacket(packet)
        }
    }

    /// Queues a data packet (spec §2.3: 4-byte link header + 36-byte data header + payload).
    public func send(data packet: DataPacket) {
        self.enqueue(isData: true) { (bytes) throws(WireError) in
            bytes.writeLinkHeader(.data)
            try bytes.writeDataPacket(packet)
        }
    }

    public func close(reason: String) {
        self.logger.info("closing peer link", metadata: ["reason": "\(reason)"])
        self.channel.close(promise: nil)
    }

    /// Frames one packet into the outbox with `write`, which leaves the buffer as it was if it throws.
    private func enqueue(isData: Bool, _ write: (inout ByteBuffer) throws(WireError) -> Void) {
        let limits = self.limits
        let action = self.outbox.withLock { outbox -> EnqueueAction in
            guard outbox.isOpen else { return .drop }
            if isData, outbox.bytes.readableBytes >= limits.maximumQueuedDataBytes {
                return .dropData
            }
            guard outbox.packetCount < limits.maximumQueuedPackets, outbox.bytes.readableBytes <= limits.maximumQueuedBytes
            else {
                let overflow = EnqueueAction.overflow(packets: outbox.packetCount, bytes: outbox.bytes.readableBytes)
                outbox.close()
                return overflow
            }
            let start = outbox.bytes.writerIndex
            do {
                try write(&outbox.bytes)
            } catch {
                outbox.bytes.moveWriterIndex(to: start)
                // Only a payload over 65,535 bytes cannot be framed; the data plane never makes one.
                return .unframeable
            }
            outbox.packetCount += 1
            guard !outbox.drainScheduled else { return .none }
            outbox.drainScheduled = true
            return .scheduleDrain
        }
        switch action {
        case .none, .drop:
            break
        case .dropData:
            self.droppedDataPackets.add(1, ordering: .relaxed)
        case .unframeable:
            self.logger.warning("dropping a packet too large to frame")
        case .scheduleDrain:
            let handler = self.handler
            self.channel.eventLoop.execute { handler.value.drain() }
        case .overflow(let packets, let bytes):
            self.logger.warning(
                "peer too slow, closing link",
                metadata: ["queuedPackets": "\(packets)", "queuedBytes": "\(bytes)"]
            )
            self.channel.close(promise: nil)
        }
    }

    /// Called by the handler on the event loop: the framed bytes of everything queued if the socket is writable,
    /// else `nil`.
    func takeQueued(socketWritable: Bool) -> ByteBuffer? {
        self.outbox.withLock { outbox in
            outbox.drainScheduled = false
            guard socketWritable, outbox.isOpen, outbox.packetCount > 0 else { return nil }
            let bytes = outbox.bytes
            outbox.bytes = Self.allocator.buffer(capacity: bytes.readableBytes)
            outbox.packetCount = 0
            return bytes
        }
    }

    private static let allocator = ByteBufferAllocator()

    /// Called once the channel is inactive: later `send`s are dropped.
    func markClosed() {
        self.outbox.withLock { $0.close() }
    }

    private enum EnqueueAction {
        case none
        case drop
        case dropData
        case unframeable
        case scheduleDrain
        case overflow(packets: Int, bytes: Int)
    }

    private struct Outbox {
        /// Framed packets, link headers included.
        var bytes = ChannelPeerLink.allocator.buffer(capacity: 0)
        var packetCount = 0
        var drainScheduled = false
        var isOpen = true

        mutating func close() {
            self.isOpen = false
            self.bytes = ChannelPeerLink.allocator.buffer(capacity: 0)
            self.packetCount = 0
        }
    }
}
