import Glibc
import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import NIOCore
import NIOPosix
import Synchronization

/// The node's message bus (spec §5): drives the pure `MessageBusStateMachine` with packets from the data plane, a
/// timer and the API, persists through `MessageStore` before anything is acknowledged, and serves the `MessageBus`
/// protocol in-process (the HTTP and JSON-RPC APIs and in-process gateways use it).
///
/// Durability: a message is in the store before `send` returns (the API's 201), and a received message is in the
/// store before its DONE-ACK goes out; both survive restarts. Store writes from all callers are batched into one
/// transaction per round (group commit) on a thread-pool thread.
public final class MessageBusDriver: Sendable {
    public struct Configuration: Hashable, Sendable {
        public var bus = MessageBusConfiguration()
        /// Delivered messages waiting to be read, at most (further DONEs are not acknowledged until there is room).
        public var maximumInboxMessages = 100_000
        public var maximumInboxBytes = 1 << 30
        /// How long a topic's forward socket may take to take a message and answer (upstream: 5 s to write).
        public var forwardTimeout = Duration.seconds(5)

        public init() {}
    }

    public let identity: NodeIdentity
    let configuration: Configuration
    let store: MessageStore
    let transport: any MessageTransport
    let logger: Logger
    let state: Mutex<State>
    let jobs = Mutex(StoreJobQueue())
    let loopback = Mutex(LoopbackQueue())
    let forwards: AsyncStream<ForwardJob>
    let forwardsContinuation: AsyncStream<ForwardJob>.Continuation

    struct State {
        var machine: MessageBusStateMachine
        var inbox: MessageInbox
        var replySlots: [MessageID: ReplySlot] = [:]
        /// The keys of the nodes messages arrive from (learned from their INITs), to report `srcPk`.
        var sourceKeys: [IPv6Address: X25519.PublicKey] = [:]
        var nextWaiterID: UInt64 = 0
    }

    /// Messages this node sends to itself go through the state machine without the network.
    struct LoopbackQueue {
        var packets: [MessagePacket] = []
        var draining = false
    }

    /// A delivered message for a topic with a forward socket.
    struct ForwardJob: Sendable {
        var message: StoredIncomingMessage
        var socketPath: String
    }

    /// Restores the outbox, the inbox and the delivered-message keys from `store`.
    public init(
        identity: NodeIdentity,
        configuration: Configuration,
        topicPolicy: TopicPolicy,
        store: MessageStore,
        transport: any MessageTransport,
        logger: Logger
    ) throws(MessageStoreError) {
        self.identity = identity
        self.configuration = configuration
        self.store = store
        self.transport = transport
        self.logger = logger
        (self.forwards, self.forwardsContinuation) = AsyncStream.makeStream(of: ForwardJob.self)

        let now = RouterDriver.now()
        let nowUnix = Self.unixNow()
        let delivered = try store.loadDeliveryKeys().map {
            DeliveryKey(source: $0.source, id: $0.id, isReply: $0.isReply)
        }
        var machine = MessageBusStateMachine(
            configuration: configuration.bus, topicPolicy: topicPolicy, delivered: delivered, now: now
        )
        var resumed = 0
        for message in try store.loadOutbox() {
            if message.state.isFinal || message.payload == nil {
                machine.restoreFinished(
                    id: message.id, destination: message.destination, state: message.state.messageState,
                    length: Int(clamping: message.length), created: message.created, deadline: message.deadline,
                    now: now
                )
                continue
            }
            // The first INIT goes out with the first retransmission tick.
            _ = try? machine.send(
                id: message.id, isReply: message.isReply, destination: message.destination, topic: message.topic,
                payload: ByteBuffer(bytes: message.payload ?? []), created: message.created,
                deadline: message.deadline, nowUnix: nowUnix, now: now
            )
            resumed += 1
        }
        let inbox = try store.loadInbox()
        self.state = Mutex(State(machine: machine, inbox: MessageInbox(messages: inbox)))
        if resumed > 0 || !inbox.isEmpty {
            logger.info(
                "message bus restored",
                metadata: ["outgoing": "\(resumed)", "inbox": "\(inbox.count)", "delivered": "\(delivered.count)"]
            )
        }
    }

    /// Bounds the map of sender keys (its entries are re-learned from the next INIT).
    static let maximumRememberedSourceKeys = 65_536

    /// What the bus counted so far.
    public var counters: MessageBusCounters {
        self.state.withLock { $0.machine.counters }
    }

    static func unixNow() -> Int64 {
        Int64(time(nil))
    }

    // MARK: - Executing the state machine's actions

    func execute(_ actions: [MessageBusAction]) {
        for action in actions {
            switch action {
            case .send(let packet, let destination):
                self.transmit(packet, to: destination)
            case .deliver(let message, let acknowledgement):
                self.persistDelivery(message, acknowledgement: acknowledgement)
            case .outgoingStateChanged(let id, let state):
                switch state {
                case .pending: break
                case .sending: self.enqueue(.updateOutgoing(id: id, state: .sending))
                case .received: self.enqueue(.updateOutgoing(id: id, state: .received))
                case .read: self.enqueue(.updateOutgoing(id: id, state: .read))
                case .aborted: self.enqueue(.updateOutgoing(id: id, state: .aborted))
                }
            }
        }
    }

    /// Sends a packet to another node through the transport, or to this node through the loopback queue.
    func transmit(_ packet: MessagePacket, to destination: IPv6Address) {
        guard !self.identity.subnet.contains(destination) else {
            self.loopBack(packet)
            return
        }
        var buffer = ByteBufferAllocator().buffer(capacity: packet.byteCount)
        do {
            try buffer.writeMessagePacket(packet)
        } catch {
            self.logger.error("message packet not encodable", metadata: ["error": "\(error)"])
            return
        }
        _ = self.transport.sendMessagePacket(buffer, to: destination)
    }

    /// Feeds packets for this node back into the state machine, iteratively (an ACK triggers chunks, which trigger
    /// ACKs…), so a large message to oneself cannot recurse deeply.
    private func loopBack(_ packet: MessagePacket) {
        let shouldDrain = self.loopback.withLock { queue -> Bool in
            queue.packets.append(packet)
            guard !queue.draining else { return false }
            queue.draining = true
            return true
        }
        guard shouldDrain else { return }
        while true {
            let batch = self.loopback.withLock { queue -> [MessagePacket] in
                let batch = queue.packets
                queue.packets = []
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let source = self.identity.address
            let key = self.identity.publicKey
            for packet in batch {
                let actions = self.state.withLock { state in
                    if case .initial = packet.body { state.sourceKeys[source] = key }
                    return state.machine.receive(packet, from: source, now: RouterDriver.now())
                }
                self.execute(actions)
            }
        }
    }
}

extension MessageBusDriver: MessagePacketReceiver {
    public func routesChanged() {
        let transport = self.transport
        let actions = self.state.withLock { state in
            state.machine.retryReachable({ transport.hasRoute(to: $0) }, now: RouterDriver.now())
        }
        self.execute(actions)
    }

    public func receiveMessagePacket(_ packet: ByteBuffer, from source: IPv6Address, key: X25519.PublicKey) {
        var buffer = packet
        let decoded: MessagePacket?
        do {
            decoded = try buffer.readMessagePacket()
        } catch {
            decoded = nil
        }
        let actions = self.state.withLock { state -> [MessageBusAction] in
            guard let decoded else {
                state.machine.receivedMalformedPacket()
                return []
            }
            if case .initial = decoded.body, state.sourceKeys[source] != key {
                if state.sourceKeys.count >= Self.maximumRememberedSourceKeys { state.sourceKeys.removeAll() }
                state.sourceKeys[source] = key
            }
            return state.machine.receive(decoded, from: source, now: RouterDriver.now())
        }
        self.execute(actions)
    }
}

extension StoredMessageState {
    /// The API state a persisted state stands for (counts of a transfer in progress are not persisted).
    var messageState: MessageState {
        switch self {
        case .pending: .pending
        case .sending: .sending(pending: 0, sent: 0, acked: 0)
        case .received: .received
        case .read: .read
        case .aborted: .aborted
        }
    }
}
