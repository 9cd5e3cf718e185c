import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

/// What the simulated link between the two bus nodes does to each packet.
struct BusLinkConditions: Sendable {
    /// One-way delay of every packet.
    var delay = Duration.milliseconds(20)
    /// Extra delay, uniform in `0 ..< jitter`, drawn per packet: packets overtake each other.
    var jitter = Duration.zero
    /// Probability that a packet is lost.
    var loss = 0.0
    /// Probability that a packet arrives twice (the copy with its own jitter).
    var duplication = 0.0
}

/// One thing that happened at a node, in the order it happened.
enum BusNodeEvent {
    case sent(MessagePacket, to: IPv6Address)
    case received(MessagePacket, from: IPv6Address)
    case delivered(IncomingMessage)
    case stateChanged(MessageID, MessageState)
}

/// A bus node as its driver would run it: the state machine, the driver's store of delivered messages, and a log.
struct BusTestNode {
    let address: IPv6Address
    var machine: MessageBusStateMachine
    /// Every message delivered (the driver's store; it survives a restart of the machine).
    var deliveries: [(message: IncomingMessage, at: MonotonicInstant)] = []
    var events: [(at: MonotonicInstant, event: BusNodeEvent)] = []

    var deliveredKeys: [DeliveryKey] { self.deliveries.map(\.message.key) }

    /// The packets this node sent, with their destination.
    var sentPackets: [(at: MonotonicInstant, packet: MessagePacket)] {
        self.events.compactMap { entry in
            if case .sent(let packet, _) = entry.event { return (entry.at, packet) }
            return nil
        }
    }

    /// The states reported for `id`, in order.
    func states(of id: MessageID) -> [MessageState] {
        self.events.compactMap { entry in
            if case .stateChanged(id, let state) = entry.event { return state }
            return nil
        }
    }
}

/// Two `MessageBusStateMachine`s, A and B, on a virtual clock, joined by a simulated link that carries every `.send`
/// action as bytes: each packet is encoded with `writeMessagePacket` and decoded with `readMessagePacket` on arrival.
/// The harness plays the driver: it ticks each machine at its `nextWakeup`, and for `.deliver` records the message,
/// reports `delivered(_:now:)` and sends the acknowledgement.
struct MessageBusHarness {
    static let a = 0
    static let b = 1
    static let addressA = IPv6Address(high: 0x0455_1111_2222_3333, low: 0x0000_0000_0000_000A)
    static let addressB = IPv6Address(high: 0x05AA_4444_5555_6666, low: 0x0000_0000_0000_000B)
    /// Unix time at `MonotonicInstant.zero`.
    static let epochUnix: Int64 = 1_700_000_000

    private struct InFlight {
        var arrival: MonotonicInstant
        var sequence: Int
        var from: Int
        var to: Int
        var bytes: ByteBuffer

        func precedes(_ other: InFlight) -> Bool {
            (self.arrival, self.sequence) < (other.arrival, other.sequence)
        }
    }

    private(set) var now = MonotonicInstant.zero
    var nodes: [BusTestNode]
    var conditions: BusLinkConditions
    /// Drops a packet (after it was logged as sent) when it returns `true`: a partition, a lost ACK, …
    var dropFilter: ((_ from: Int, _ to: Int, _ packet: MessagePacket, _ now: MonotonicInstant) -> Bool)?
    /// Encoding or decoding problems, and ticks that asked to run again at once; a correct core leaves this empty.
    private(set) var failures: [String] = []
    private(set) var packetsCarried = 0
    private(set) var packetsDropped = 0
    private(set) var packetsDuplicated = 0
    private var generator: SeededGenerator
    private var queue: [InFlight] = []
    private var sequence = 0

    init(
        configuration: MessageBusConfiguration = MessageBusConfiguration(),
        receiverConfiguration: MessageBusConfiguration? = nil,
        receiverPolicy: TopicPolicy = TopicPolicy(),
        conditions: BusLinkConditions = BusLinkConditions(),
        seed: UInt64 = 1
    ) {
        self.nodes = [
            BusTestNode(address: Self.addressA, machine: MessageBusStateMachine(configuration: configuration, now: .zero)),
            BusTestNode(
                address: Self.addressB,
                machine: MessageBusStateMachine(
                    configuration: receiverConfiguration ?? configuration, topicPolicy: receiverPolicy, now: .zero
                )
            ),
        ]
        self.conditions = conditions
        self.generator = SeededGenerator(seed: seed)
    }

    var unixNow: Int64 { Self.epochUnix + self.now.nanoseconds / 1_000_000_000 }
    var elapsed: Duration { self.now.duration(since: .zero) }
    var packetsInFlight: Int { self.queue.count }

    subscript(node: Int) -> BusTestNode {
        get { self.nodes[node] }
        set { self.nodes[node] = newValue }
    }

    func state(of id: MessageID, at node: Int = Self.a) -> MessageState? {
        self.nodes[node].machine.status(of: id)?.state
    }

    // MARK: Driver

    /// Sends a message as the driver does: deadline = now + `retry` (default: the configured retry duration).
    mutating func send(
        _ payload: [UInt8],
        id: MessageID,
        from node: Int = Self.a,
        to destination: IPv6Address = Self.addressB,
        topic: [UInt8] = [],
        isReply: Bool = false,
        retry: Duration? = nil
    ) throws(MessageBusStateMachine.SendError) {
        let retry = retry ?? self.nodes[node].machine.configuration.retryDuration
        let actions = try self.nodes[node].machine.send(
            id: id,
            isReply: isReply,
            destination: destination,
            topic: topic,
            payload: ByteBuffer(bytes: payload),
            created: self.unixNow,
            deadline: self.unixNow + retry.components.seconds,
            nowUnix: self.unixNow,
            now: self.now
        )
        self.execute(actions, at: node)
    }

    /// An application on `node` reads a delivered message: READ goes back to its sender.
    mutating func read(_ key: DeliveryKey, at node: Int = Self.b) {
        self.execute(self.nodes[node].machine.read(key), at: node)
    }

    /// Replaces `node`'s state machine by a fresh one that knows only the deliveries in the driver's store, as after
    /// a process restart. Packets already on the link still arrive (at the new machine).
    mutating func restart(_ node: Int) {
        let old = self.nodes[node].machine
        self.nodes[node].machine = MessageBusStateMachine(
            configuration: old.configuration,
            topicPolicy: old.topicPolicy,
            delivered: self.nodes[node].deliveredKeys,
            now: self.now
        )
    }

    /// Hands a packet to `node` as if it arrived from `source` (no link, no codec).
    mutating func inject(_ packet: MessagePacket, from source: IPv6Address, to node: Int) {
        self.log(.received(packet, from: source), at: node)
        let actions = self.nodes[node].machine.receive(packet, from: source, now: self.now)
        self.execute(actions, at: node)
    }

    mutating func execute(_ actions: [MessageBusAction], at node: Int) {
        for action in actions {
            switch action {
            case .send(let packet, let destination):
                self.transmit(packet, from: node, to: destination)
            case .deliver(let message, let acknowledgement):
                self.log(.delivered(message), at: node)
                self.nodes[node].deliveries.append((message, self.now))
                self.nodes[node].machine.delivered(message.key, now: self.now)
                self.transmit(acknowledgement, from: node, to: message.key.source)
            case .outgoingStateChanged(let id, let state):
                self.log(.stateChanged(id, state), at: node)
            }
        }
    }

    private mutating func log(_ event: BusNodeEvent, at node: Int) {
        self.nodes[node].events.append((self.now, event))
    }

    // MARK: Link

    private mutating func transmit(_ packet: MessagePacket, from node: Int, to destination: IPv6Address) {
        self.log(.sent(packet, to: destination), at: node)
        var bytes = ByteBufferAllocator().buffer(capacity: packet.byteCount)
        do {
            let written = try bytes.writeMessagePacket(packet)
            if written != packet.byteCount || bytes.readableBytes != packet.byteCount {
                self.failures.append("wrote \(written) bytes for a \(packet.byteCount)-byte packet")
            }
        } catch {
            self.failures.append("encoding \(packet.flags): \(error)")
            return
        }
        guard let target = self.nodes.firstIndex(where: { $0.address == destination }), target != node else {
            self.packetsDropped += 1
            return
        }
        if let dropFilter, dropFilter(node, target, packet, self.now) {
            self.packetsDropped += 1
            return
        }
        if self.conditions.loss > 0, Double.random(in: 0..<1, using: &self.generator) < self.conditions.loss {
            self.packetsDropped += 1
            return
        }
        self.enqueue(bytes, from: node, to: target)
        if self.conditions.duplication > 0,
            Double.random(in: 0..<1, using: &self.generator) < self.conditions.duplication
        {
            self.packetsDuplicated += 1
            self.enqueue(bytes, from: node, to: target)
        }
    }

    private mutating func enqueue(_ bytes: ByteBuffer, from: Int, to: Int) {
        var delay = self.conditions.delay
        let jitter = self.conditions.jitter.nanosecondsClamped
        if jitter > 0 { delay += .nanoseconds(Int64.random(in: 0..<jitter, using: &self.generator)) }
        self.sequence += 1
        self.push(InFlight(arrival: self.now + delay, sequence: self.sequence, from: from, to: to, bytes: bytes))
    }

    private mutating func arrive(_ packet: InFlight) {
        var buffer = packet.bytes
        let decoded: MessagePacket
        do {
            guard let value = try buffer.readMessagePacket() else {
                self.failures.append("an encoded packet decoded as incomplete")
                return
            }
            decoded = value
        } catch {
            self.failures.append("decoding: \(error)")
            return
        }
        if buffer.readableBytes != 0 { self.failures.append("\(buffer.readableBytes) bytes left after a packet") }
        self.packetsCarried += 1
        let source = self.nodes[packet.from].address
        self.inject(decoded, from: source, to: packet.to)
    }

    // MARK: Clock

    /// Processes the next event (a packet arrival or a machine's wakeup); `false` if there is none before `limit`.
    mutating func step(limit: MonotonicInstant) -> Bool {
        var next: MonotonicInstant? = self.queue.first?.arrival
        var tickNode: Int?
        for (index, node) in self.nodes.enumerated() {
            if let wakeup = node.machine.nextWakeup, next.map({ wakeup < $0 }) ?? true {
                next = wakeup
                tickNode = index
            }
        }
        guard let next, next <= limit else { return false }
        self.now = max(self.now, next)
        if let tickNode {
            let actions = self.nodes[tickNode].machine.tick(now: self.now)
            if let wakeup = self.nodes[tickNode].machine.nextWakeup, wakeup <= self.now {
                // A driver would spin: the tick that just ran asks to run again at once.
                self.failures.append("node \(tickNode) ticked at \(self.now.nanoseconds) ns wants \(wakeup.nanoseconds) ns")
            }
            self.execute(actions, at: tickNode)
        } else {
            self.arrive(self.pop())
        }
        return true
    }

    /// Runs until `condition` holds (checked after every event) or `limit` of virtual time has passed since now;
    /// returns whether the condition held.
    @discardableResult
    mutating func run(upTo limit: Duration, until condition: (MessageBusHarness) -> Bool) -> Bool {
        let end = self.now + limit
        if condition(self) { return true }
        var steps = 0
        while self.step(limit: end) {
            steps += 1
            if condition(self) { return true }
            if steps > 5_000_000 {
                let recent: [[String]] = self.nodes.map { node in
                    node.events.suffix(6).map { entry in "\(entry.at.nanoseconds) ns: \(entry.event)" }
                }
                let wakeups: [Int64?] = self.nodes.map { $0.machine.nextWakeup?.nanoseconds }
                let message: String =
                    "the simulation does not settle: \(steps) events by \(self.elapsed), \(self.queue.count) packets "
                    + "in flight, wakeups \(wakeups); recent events: \(recent)"
                Issue.record(Comment(rawValue: message))
                return false
            }
        }
        self.now = max(self.now, end)
        return condition(self)
    }

    /// Runs every event of the next `duration` of virtual time.
    mutating func run(for duration: Duration) {
        self.run(upTo: duration) { _ in false }
    }

    /// Runs until every message in `ids` is final at A.
    @discardableResult
    mutating func runUntilFinal(_ ids: [MessageID], upTo limit: Duration = .seconds(3600)) -> Bool {
        self.run(upTo: limit) { harness in
            ids.allSatisfy { harness.state(of: $0)?.isFinal ?? false }
        }
    }

    // MARK: Queue (binary min-heap on arrival, then send order)

    private mutating func push(_ element: InFlight) {
        self.queue.append(element)
        var child = self.queue.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.queue[child].precedes(self.queue[parent]) else { break }
            self.queue.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() -> InFlight {
        let top = self.queue[0]
        let last = self.queue.removeLast()
        if !self.queue.isEmpty {
            self.queue[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < self.queue.count, self.queue[left].precedes(self.queue[smallest]) { smallest = left }
                if right < self.queue.count, self.queue[right].precedes(self.queue[smallest]) { smallest = right }
                if smallest == parent { break }
                self.queue.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

/// Helpers shared by the bus tests.
enum BusTestData {
    /// `count` reproducible pseudo-random bytes.
    static func payload(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var index = 0
            while index < count {
                var word = generator.next()
                for _ in 0..<8 where index < count {
                    buffer[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
            initialized = count
        }
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }

    /// The chunks of `payload` as CHUNK packets with the given sizes, in order (a hand-built sender).
    static func chunks(of payload: [UInt8], sizes: [Int], id: MessageID) -> [MessagePacket] {
        var offset = 0
        var packets: [MessagePacket] = []
        for (index, size) in sizes.enumerated() {
            let data = ByteBuffer(bytes: payload[offset..<(offset + size)])
            packets.append(MessagePacket(id: id, body: .chunk(index: UInt64(index), offset: UInt64(offset), data: data)))
            offset += size
        }
        return packets
    }
}
