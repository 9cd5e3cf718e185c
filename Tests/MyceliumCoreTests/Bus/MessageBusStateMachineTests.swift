import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

/// One bus state machine fed hand-built packets (a Rust-style sender, hostile peers) on a virtual clock.
@Suite("Message bus state machine (§5.2–5.4, §13)")
struct MessageBusStateMachineTests {
    static let peer = MessageBusHarness.addressA
    static let stranger = IPv6Address(high: 0x04EE_EEEE_0000_0000, low: 0xE)
    static let me = MessageBusHarness.addressB
    static let t0 = MonotonicInstant.zero

    static func machine(
        policy: TopicPolicy = TopicPolicy(),
        delivered: [DeliveryKey] = [],
        _ configure: (inout MessageBusConfiguration) -> Void = { _ in }
    ) -> MessageBusStateMachine {
        var configuration = MessageBusConfiguration()
        configure(&configuration)
        return MessageBusStateMachine(configuration: configuration, topicPolicy: policy, delivered: delivered, now: t0)
    }

    static func at(_ seconds: Double) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(seconds * 1_000_000_000))
    }

    /// The packets of the `.send` actions, with their destinations.
    static func sent(_ actions: [MessageBusAction]) -> [(packet: MessagePacket, to: IPv6Address)] {
        actions.compactMap { action in
            if case .send(let packet, let destination) = action { return (packet, destination) }
            return nil
        }
    }

    static func sentBodies(_ actions: [MessageBusAction]) -> [MessagePacket.Body] {
        Self.sent(actions).map(\.packet.body)
    }

    static func deliveries(_ actions: [MessageBusAction]) -> [(message: IncomingMessage, ack: MessagePacket)] {
        actions.compactMap { action in
            if case .deliver(let message, let ack) = action { return (message, ack) }
            return nil
        }
    }

    static func initial(_ id: MessageID, length: Int, topic: String = "", isReply: Bool = false) -> MessagePacket {
        MessagePacket(id: id, body: .initial(length: UInt64(length), topic: Array(topic.utf8), isReply: isReply))
    }

    static func done(_ id: MessageID, payload: [UInt8], chunks: Int) -> MessagePacket {
        MessagePacket(id: id, body: .done(chunkCount: UInt64(chunks), checksum: MessageChecksum(hashing: payload)))
    }

    static func initialAck(_ id: MessageID, length: Int, topic: String = "", isReply: Bool = false) -> MessagePacket.Body {
        .initialAck(length: UInt64(length), topicLength: UInt8(topic.utf8.count), isReply: isReply)
    }

    static func chunkAck(_ packet: MessagePacket) -> MessagePacket.Body? {
        packet.acknowledgement?.body
    }

    /// Feeds `packets` from `source` at `now`; returns every action.
    static func feed(
        _ machine: inout MessageBusStateMachine,
        _ packets: [MessagePacket],
        from source: IPv6Address = peer,
        now: MonotonicInstant = t0
    ) -> [MessageBusAction] {
        packets.flatMap { machine.receive($0, from: source, now: now) }
    }

    // MARK: Sending limits

    @Test("send refuses a message larger than maximumMessageSize, a topic over 255 bytes, and a full outbox")
    func sendLimits() throws {
        var machine = Self.machine { $0.maximumMessageSize = 10_000; $0.maximumOutboxBytes = 15_000 }
        func send(_ id: UInt64, size: Int, topic: Int = 0) throws(MessageBusStateMachine.SendError) -> [MessageBusAction] {
            try machine.send(
                id: MessageID(rawValue: id), isReply: false, destination: Self.peer,
                topic: Array(repeating: 0x61, count: topic), payload: ByteBuffer(repeating: 7, count: size),
                created: 0, deadline: 3600, nowUnix: 0, now: Self.t0
            )
        }
        #expect(throws: MessageBusStateMachine.SendError.messageTooLarge(size: 10_001, limit: 10_000)) {
            _ = try send(1, size: 10_001)
        }
        #expect(throws: MessageBusStateMachine.SendError.topicTooLong(256)) { _ = try send(2, size: 1, topic: 256) }
        #expect(machine.status(of: MessageID(rawValue: 1)) == nil)
        #expect(machine.status(of: MessageID(rawValue: 2)) == nil)

        let actions = try send(3, size: 10_000, topic: 255)
        let topic = [UInt8](repeating: 0x61, count: 255)
        #expect(Self.sentBodies(actions) == [.initial(length: 10_000, topic: topic, isReply: false)])
        #expect(machine.outboxUsage.messages == 1)
        #expect(machine.outboxUsage.bytes == 10_000)
        #expect(throws: MessageBusStateMachine.SendError.outboxFull) { _ = try send(4, size: 5_001) }
        _ = try send(5, size: 5_000)
        #expect(machine.outboxUsage.bytes == 15_000)
        #expect(machine.counters.messagesSent == 2)
    }

    @Test("an INIT announcing more than maximumMessageSize is not acknowledged")
    func initTooLarge() {
        var machine = Self.machine { $0.maximumMessageSize = 10_000 }
        for (index, length) in [UInt64(10_001), 1 << 40, UInt64.max].enumerated() {
            let packet = MessagePacket(
                id: MessageID(rawValue: UInt64(index)), body: .initial(length: length, topic: [], isReply: false)
            )
            #expect(Self.feed(&machine, [packet]).isEmpty)
        }
        #expect(machine.counters.refusedTooLarge == 3)
        #expect(machine.incomingUsage == (0, 0))
        // Exactly the limit is fine.
        let fits = Self.initial(MessageID(rawValue: 9), length: 10_000)
        #expect(Self.sentBodies(Self.feed(&machine, [fits])) == [Self.initialAck(MessageID(rawValue: 9), length: 10_000)])
        #expect(machine.incomingUsage == (1, 10_000))
    }

    // MARK: Topic policy

    @Test("topic policy: a rejected source gets no INIT-ACK, an allowed one does, and replies bypass the policy")
    func topicPolicy() throws {
        var policy = TopicPolicy()
        try policy.setRule(
            TopicPolicy.Rule(sources: [try #require(Subnet(address: Self.peer, prefixLength: 64))]),
            for: Array("secret".utf8)
        )
        try policy.setRule(TopicPolicy.Rule(), for: Array("closed".utf8))
        var machine = Self.machine(policy: policy)
        let id = MessageID(rawValue: 0x70)

        #expect(Self.feed(&machine, [Self.initial(id, length: 10, topic: "secret")], from: Self.stranger).isEmpty)
        #expect(machine.counters.refusedByPolicy == 1)
        #expect(Self.feed(&machine, [Self.initial(id, length: 10, topic: "closed")], from: Self.peer).isEmpty)
        #expect(machine.counters.refusedByPolicy == 2)
        #expect(machine.incomingUsage == (0, 0))

        let allowed = Self.feed(&machine, [Self.initial(id, length: 10, topic: "secret")], from: Self.peer)
        #expect(Self.sent(allowed).map(\.to) == [Self.peer])
        #expect(Self.sentBodies(allowed) == [Self.initialAck(id, length: 10, topic: "secret")])

        // A reply under a closed topic from a stranger is accepted, and arrives whole.
        let payload = Array("the answer".utf8)
        let reply = Self.feed(
            &machine,
            [Self.initial(id, length: payload.count, topic: "closed", isReply: true)]
                + BusTestData.chunks(of: payload, sizes: [payload.count], id: id)
                + [Self.done(id, payload: payload, chunks: 1)],
            from: Self.stranger
        )
        let delivered = try #require(Self.deliveries(reply).first)
        #expect(delivered.message.key == DeliveryKey(source: Self.stranger, id: id, isReply: true))
        #expect(BusTestData.bytes(delivered.message.payload) == payload)
        #expect(machine.counters.refusedByPolicy == 2)

        // A default of reject refuses topics without a rule.
        machine.topicPolicy.defaultAccepts = false
        #expect(Self.feed(&machine, [Self.initial(MessageID(rawValue: 0x71), length: 10, topic: "other")]).isEmpty)
        #expect(machine.counters.refusedByPolicy == 3)
    }

    // MARK: Rust-style senders

    @Test(
        "a Rust-style sender (1300-byte chunks, short final chunk) is accepted, in any order",
        arguments: [
            [1_300, 100], [1_300, 1_300, 1_300, 100], [1_300, 249], [1_300, 1], [1_300, 1_300], [200], [1_300],
            [1_300, 1_300, 300],
        ]
    )
    func rustStyleSender(sizes: [Int]) throws {
        for reversed in [false, true] {
            var machine = Self.machine()
            let length = sizes.reduce(0, +)
            let id = MessageID(rawValue: 0x4057 + UInt64(length))
            let payload = BusTestData.payload(length, seed: UInt64(length))
            var chunks = BusTestData.chunks(of: payload, sizes: sizes, id: id)
            if reversed { chunks.reverse() }
            // Upstream's sender: the short chunk is not at ceil(len/250) − 1 (upstream's own receiver would refuse it).
            let actions = Self.feed(
                &machine,
                [Self.initial(id, length: length, topic: "rust")] + chunks
                    + [Self.done(id, payload: payload, chunks: sizes.count)]
            )
            let acks = Self.sentBodies(actions)
            #expect(acks == [Self.initialAck(id, length: length, topic: "rust")] + chunks.compactMap(Self.chunkAck))
            let delivered = try #require(Self.deliveries(actions).first)
            #expect(Self.deliveries(actions).count == 1)
            #expect(BusTestData.bytes(delivered.message.payload) == payload)
            #expect(delivered.message.topic == Array("rust".utf8))
            let checksum = MessageChecksum(hashing: payload)
            #expect(delivered.ack == MessagePacket(id: id, body: .doneAck(chunkCount: UInt64(sizes.count), checksum: checksum)))
            #expect(machine.counters.refusedChunks == 0)
            #expect(machine.incomingUsage == (0, 0))
        }
    }

    // MARK: Chunk checks

    @Test("chunks out of bounds, too small, or inconsistent are refused without an ACK")
    func refusedChunks() {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0xC4)
        let length = 2_000  // ceil(2000 / 250) − 1 = 7 is the largest index upstream accepts.
        _ = Self.feed(&machine, [Self.initial(id, length: length)])
        func chunk(_ index: UInt64, _ offset: UInt64, _ size: Int) -> MessagePacket {
            MessagePacket(id: id, body: .chunk(index: index, offset: offset, data: ByteBuffer(repeating: 1, count: size)))
        }
        let refused: [MessagePacket] = [
            chunk(8, 0, 500),  // index beyond ceil(len/250) − 1
            chunk(UInt64.max, 0, 500),
            chunk(0, 1_600, 500),  // past the end
            chunk(0, 2_001, 0),
            chunk(0, UInt64.max, 10),
            chunk(0, 0, 100),  // under 250 bytes, not final
        ]
        for packet in refused { #expect(Self.feed(&machine, [packet]).isEmpty, "\(packet.body)") }
        #expect(machine.counters.refusedChunks == UInt64(refused.count))

        // A stored chunk: its exact repeat is acknowledged again, a different range at its index is refused.
        let first = chunk(0, 0, 1_000)
        #expect(Self.sentBodies(Self.feed(&machine, [first])) == [Self.chunkAck(first)!])
        #expect(Self.sentBodies(Self.feed(&machine, [first])) == [Self.chunkAck(first)!])
        #expect(Self.feed(&machine, [chunk(0, 0, 1_100)]).isEmpty)
        // More bytes than the message has are refused even at fresh indices.
        let second = chunk(1, 1_000, 1_000)
        #expect(Self.sentBodies(Self.feed(&machine, [second])) == [Self.chunkAck(second)!])
        #expect(Self.feed(&machine, [chunk(2, 0, 300)]).isEmpty)
        #expect(machine.counters.refusedChunks == UInt64(refused.count) + 2)

        // Chunks for a transfer nobody announced.
        #expect(Self.feed(&machine, [chunk(0, 0, 1_000)], from: Self.stranger).isEmpty)
        #expect(machine.counters.unknownTransfers == 1)
    }

    @Test("DONE: missing chunks wait, a wrong chunk count waits, a wrong checksum drops the transfer")
    func doneChecks() throws {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0xD0)
        let payload = BusTestData.payload(3_000, seed: 4)
        let plan = MessageChunkPlan(length: 3_000)
        let chunks = BusTestData.chunks(of: payload, sizes: (0..<plan.count).map { plan.range(of: $0).count }, id: id)
        _ = Self.feed(&machine, [Self.initial(id, length: 3_000)] + chunks.dropLast())
        // DONE before the last chunk: nothing yet, no ACK.
        #expect(Self.feed(&machine, [Self.done(id, payload: payload, chunks: plan.count)]).isEmpty)
        _ = Self.feed(&machine, [chunks[plan.count - 1]])
        #expect(Self.feed(&machine, [Self.done(id, payload: payload, chunks: plan.count + 1)]).isEmpty)
        #expect(machine.incomingUsage == (1, 3_000))
        #expect(machine.counters.corruptMessages == 0)

        // A checksum that does not match: dropped, counted, never delivered or acknowledged.
        var wrong = payload
        wrong[1_234] ^= 0x01
        #expect(Self.feed(&machine, [Self.done(id, payload: wrong, chunks: plan.count)]).isEmpty)
        #expect(machine.counters.corruptMessages == 1)
        #expect(machine.incomingUsage == (0, 0))
        // The right DONE now finds no transfer: the sender has to start over.
        #expect(Self.feed(&machine, [Self.done(id, payload: payload, chunks: plan.count)]).isEmpty)
        #expect(machine.counters.unknownTransfers == 1)
        #expect(machine.counters.messagesDelivered == 0)
    }

    @Test("a corrupted chunk (right sizes, wrong bytes) makes DONE fail its checksum")
    func corruptChunkData() {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0xD1)
        let payload = BusTestData.payload(2_000, seed: 5)
        var damaged = payload
        damaged[5] = ~damaged[5]
        let actions = Self.feed(
            &machine,
            [Self.initial(id, length: 2_000)] + BusTestData.chunks(of: damaged, sizes: [1_000, 1_000], id: id)
                + [Self.done(id, payload: payload, chunks: 2)]
        )
        #expect(Self.deliveries(actions).isEmpty)
        #expect(Self.sentBodies(actions).count == 3)  // INIT-ACK and two CHUNK-ACKs, no DONE-ACK
        #expect(machine.counters.corruptMessages == 1)
    }

    // MARK: Restarts and duplicates

    @Test("an INIT repeating the pending transfer keeps its chunks; one with another length starts over")
    func repeatedInitial() throws {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0x1717)
        let payload = BusTestData.payload(1_000, seed: 6)
        _ = Self.feed(&machine, [Self.initial(id, length: 1_000)] + BusTestData.chunks(of: payload, sizes: [1_000], id: id))
        #expect(Self.sentBodies(Self.feed(&machine, [Self.initial(id, length: 1_000)])) == [Self.initialAck(id, length: 1_000)])
        let done = Self.feed(&machine, [Self.done(id, payload: payload, chunks: 1)])
        #expect(Self.deliveries(done).count == 1)

        let other = MessageID(rawValue: 0x1718)
        _ = Self.feed(
            &machine, [Self.initial(other, length: 1_000)] + BusTestData.chunks(of: payload, sizes: [1_000], id: other)
        )
        _ = Self.feed(&machine, [Self.initial(other, length: 2_000)])
        #expect(machine.incomingUsage == (1, 2_000))
        // The chunk stored for the old transfer is gone: DONE for 1000 bytes does not complete.
        #expect(Self.feed(&machine, [Self.done(other, payload: payload, chunks: 1)]).isEmpty)
    }

    @Test("after delivery: a repeated DONE is acknowledged again, a repeated transfer is acknowledged but not delivered")
    func duplicatesAfterDelivery() throws {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0xD0D0)
        let payload = BusTestData.payload(2_000, seed: 7)
        let packets =
            [Self.initial(id, length: 2_000)] + BusTestData.chunks(of: payload, sizes: [1_000, 1_000], id: id)
            + [Self.done(id, payload: payload, chunks: 2)]
        let first = Self.feed(&machine, packets)
        let delivery = try #require(Self.deliveries(first).first)
        // Until the driver confirms, a repeated DONE is not acknowledged (the message is not stored yet).
        #expect(Self.feed(&machine, [packets[3]]).isEmpty)
        machine.delivered(delivery.message.key, now: Self.t0)
        #expect(Self.sentBodies(Self.feed(&machine, [packets[3]])) == [delivery.ack.body])

        // The whole transfer again (the sender restarted): every packet acknowledged, nothing delivered.
        let again = Self.feed(&machine, packets)
        #expect(Self.deliveries(again).isEmpty)
        #expect(Self.sentBodies(again) == packets.compactMap { $0.acknowledgement?.body })
        #expect(machine.counters.duplicatesSuppressed == 1)
        #expect(machine.counters.messagesDelivered == 1)
        #expect(machine.incomingUsage == (0, 0))

        // Remembered across a restart through the store.
        var restarted = Self.machine(delivered: [delivery.message.key])
        #expect(Self.deliveries(Self.feed(&restarted, packets)).isEmpty)
        #expect(restarted.counters.duplicatesSuppressed == 1)
        // The same id as a reply is another message.
        let reply = packets.map { packet in
            guard case .initial(let length, let topic, _) = packet.body else { return packet }
            return MessagePacket(id: id, body: .initial(length: length, topic: topic, isReply: true))
        }
        #expect(Self.deliveries(Self.feed(&restarted, reply)).count == 1)
    }

    @Test("a delivery the driver could not persist is delivered again when the sender retries")
    func deliveryFailed() throws {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0xFA11)
        let payload = BusTestData.payload(700, seed: 8)
        let packets =
            [Self.initial(id, length: 700)] + BusTestData.chunks(of: payload, sizes: [700], id: id)
            + [Self.done(id, payload: payload, chunks: 1)]
        let delivery = try #require(Self.deliveries(Self.feed(&machine, packets)).first)
        #expect(machine.isDelivered(delivery.message.key))
        machine.deliveryFailed(delivery.message.key)
        #expect(!machine.isDelivered(delivery.message.key))
        let retry = Self.feed(&machine, packets)
        #expect(Self.deliveries(retry).count == 1)
        #expect(machine.counters.duplicatesSuppressed == 0)
    }

    @Test("a sender restarting while the delivery is still being persisted gets no DONE-ACK before it is stored")
    func restartWhilePersisting() throws {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0xFA12)
        let payload = BusTestData.payload(700, seed: 9)
        let packets =
            [Self.initial(id, length: 700)] + BusTestData.chunks(of: payload, sizes: [700], id: id)
            + [Self.done(id, payload: payload, chunks: 1)]
        let delivery = try #require(Self.deliveries(Self.feed(&machine, packets)).first)
        // The driver is still persisting; the sender (restarted) sends the whole message again.
        let during = Self.feed(&machine, packets, now: Self.at(15))
        let doneAcked = Self.sentBodies(during).contains { if case .doneAck = $0 { true } else { false } }
        #expect(!doneAcked, "DONE-ACK for a message that is not stored yet")
        // Persisting fails: the message must still be deliverable.
        machine.deliveryFailed(delivery.message.key)
        let retry = Self.feed(&machine, packets, now: Self.at(16))
        #expect(Self.deliveries(retry).count == 1)
    }

    // MARK: Memory bounds

    @Test("INITs beyond maximumIncomingTransfers or maximumIncomingBytes are not acknowledged")
    func incomingBounds() {
        var machine = Self.machine { $0.maximumIncomingTransfers = 4; $0.maximumIncomingBytes = 10_000 }
        // By count.
        for index in 0..<4 {
            let id = MessageID(rawValue: 0x100 + UInt64(index))
            #expect(Self.sentBodies(Self.feed(&machine, [Self.initial(id, length: 100)])).count == 1)
        }
        #expect(Self.feed(&machine, [Self.initial(MessageID(rawValue: 0x1FF), length: 100)]).isEmpty)
        #expect(machine.counters.refusedNoRoom == 1)
        #expect(machine.incomingUsage == (4, 400))
        // A retransmitted INIT of a transfer already held is still acknowledged.
        #expect(Self.sentBodies(Self.feed(&machine, [Self.initial(MessageID(rawValue: 0x100), length: 100)])).count == 1)
        // ABORTED frees a slot.
        _ = Self.feed(&machine, [MessagePacket(id: MessageID(rawValue: 0x100), body: .aborted)])
        #expect(machine.incomingUsage == (3, 300))
        // ABORTED from another source for the same id frees nothing.
        _ = Self.feed(&machine, [MessagePacket(id: MessageID(rawValue: 0x101), body: .aborted)], from: Self.stranger)
        #expect(machine.incomingUsage == (3, 300))

        // By bytes.
        #expect(Self.feed(&machine, [Self.initial(MessageID(rawValue: 0x200), length: 9_701)]).isEmpty)
        #expect(machine.counters.refusedNoRoom == 2)
        #expect(Self.sentBodies(Self.feed(&machine, [Self.initial(MessageID(rawValue: 0x200), length: 9_700)])).count == 1)
        #expect(machine.incomingUsage == (4, 10_000))
    }

    @Test("duplicates of delivered messages also count against maximumIncomingTransfers")
    func duplicateTransfersAreBounded() throws {
        let delivered = (0..<8).map {
            DeliveryKey(source: Self.peer, id: MessageID(rawValue: 0x900 + UInt64($0)), isReply: false)
        }
        var machine = Self.machine(delivered: delivered) { $0.maximumIncomingTransfers = 4 }
        var acknowledged = 0
        for key in delivered {
            acknowledged += Self.sent(Self.feed(&machine, [Self.initial(key.id, length: 5_000)])).count
            #expect(machine.incomingUsage.transfers <= 4)
        }
        #expect(acknowledged == 4)
        #expect(machine.incomingUsage.bytes == 0)
    }

    @Test("an idle incoming transfer expires after incomingIdleTimeout; a chunk keeps it alive")
    func idleExpiry() {
        var machine = Self.machine()
        let quiet = MessageID(rawValue: 0x1D1E)
        let busy = MessageID(rawValue: 0xB5B5)
        _ = Self.feed(&machine, [Self.initial(quiet, length: 5_000), Self.initial(busy, length: 5_000)])
        #expect(machine.nextWakeup == Self.at(1))
        var now = Self.t0
        func run(until end: MonotonicInstant) {
            while let wakeup = machine.nextWakeup, wakeup <= end {
                now = wakeup
                #expect(machine.tick(now: now).isEmpty)
            }
        }
        run(until: Self.at(60))
        let chunk = MessagePacket(id: busy, body: .chunk(index: 0, offset: 0, data: ByteBuffer(repeating: 3, count: 1_000)))
        #expect(Self.feed(&machine, [chunk], now: Self.at(60)).count == 1)
        run(until: Self.at(119.5))
        #expect(machine.incomingUsage == (2, 10_000))
        run(until: Self.at(121))
        #expect(machine.incomingUsage == (1, 5_000))
        run(until: Self.at(179.5))
        #expect(machine.incomingUsage == (1, 5_000))
        run(until: Self.at(181))
        #expect(machine.incomingUsage == (0, 0))
        // The expired transfer's chunks are unknown now.
        #expect(Self.feed(&machine, [chunk], now: Self.at(182)).isEmpty)
        #expect(machine.counters.unknownTransfers == 1)
    }

    @Test("delivered keys are forgotten after deliveredRetention")
    func deliveredRetention() {
        let key = DeliveryKey(source: Self.peer, id: MessageID(rawValue: 0x0D), isReply: false)
        var machine = Self.machine(delivered: [key]) { $0.deliveredRetention = .seconds(10) }
        #expect(machine.isDelivered(key))
        _ = machine.tick(now: Self.at(9))
        #expect(machine.isDelivered(key))
        _ = machine.tick(now: Self.at(10))
        #expect(!machine.isDelivered(key))
    }

    // MARK: Acknowledgements

    @Test("acknowledgements from another source than the destination are ignored")
    func acknowledgementFromStranger() throws {
        var machine = Self.machine()
        let id = MessageID(rawValue: 0xACC)
        _ = try machine.send(
            id: id, isReply: false, destination: Self.peer, topic: [], payload: ByteBuffer(repeating: 1, count: 10),
            created: 0, deadline: 100, nowUnix: 0, now: Self.t0
        )
        let ack = MessagePacket(id: id, body: Self.initialAck(id, length: 10))
        #expect(machine.receive(ack, from: Self.stranger, now: Self.t0).isEmpty)
        #expect(machine.status(of: id)?.state == .pending)
        #expect(machine.counters.unknownTransfers == 1)
        let actions = machine.receive(ack, from: Self.peer, now: Self.t0)
        #expect(Self.sent(actions).count == 2)  // the chunk and DONE
        #expect(machine.status(of: id)?.state == .sending(pending: 0, sent: 1, acked: 0))
    }

    @Test("sending an id still in the outbox replaces it, and the queued message it makes room for starts at once")
    func replaceRunningMessage() throws {
        var machine = Self.machine { $0.transfersPerDestination = 1 }
        let first = MessageID(rawValue: 0x4E01)
        let second = MessageID(rawValue: 0x4E02)
        func send(_ id: MessageID, size: Int) throws(MessageBusStateMachine.SendError) -> [MessageBusAction] {
            try machine.send(
                id: id, isReply: false, destination: Self.peer, topic: [], payload: ByteBuffer(repeating: 2, count: size),
                created: 0, deadline: 3600, nowUnix: 0, now: Self.t0
            )
        }
        #expect(Self.sentBodies(try send(first, size: 100)) == [.initial(length: 100, topic: [], isReply: false)])
        #expect(try send(second, size: 200).isEmpty)
        // The new `first` replaces the running one: no state change for it (the driver must keep its payload), and
        // `second`, next in line, starts now.
        let actions = try send(first, size: 300)
        let stateChanges = actions.filter { if case .outgoingStateChanged = $0 { true } else { false } }
        #expect(stateChanges.isEmpty)
        let secondInit = MessagePacket(id: second, body: .initial(length: 200, topic: [], isReply: false))
        #expect(Self.sent(actions).map(\.packet) == [secondInit])
        #expect(machine.status(of: first)?.state == .pending)
        #expect(machine.status(of: first)?.length == 300)
        #expect(machine.outboxUsage.messages == 2)
        #expect(machine.outboxUsage.bytes == 500)
        // The replacement waits its turn behind `second`.
        let ack = MessagePacket(id: second, body: Self.initialAck(second, length: 200))
        _ = machine.receive(ack, from: Self.peer, now: Self.t0)
        let checksum = MessageChecksum(hashing: [UInt8](repeating: 2, count: 200))
        let done = MessagePacket(id: second, body: .doneAck(chunkCount: 1, checksum: checksum))
        let next = machine.receive(done, from: Self.peer, now: Self.t0)
        #expect(Self.sentBodies(next) == [.initial(length: 300, topic: [], isReply: false)])
    }

    @Test("a replacement that does not fit the outbox is refused and leaves the original untouched")
    func replacementTooLargeForOutbox() throws {
        var machine = Self.machine { $0.maximumOutboxBytes = 1_000 }
        let first = MessageID(rawValue: 0x4F01)
        func send(_ id: MessageID, size: Int) throws(MessageBusStateMachine.SendError) -> [MessageBusAction] {
            try machine.send(
                id: id, isReply: false, destination: Self.peer, topic: [], payload: ByteBuffer(repeating: 3, count: size),
                created: 0, deadline: 3600, nowUnix: 0, now: Self.t0
            )
        }
        _ = try send(first, size: 600)
        _ = try send(MessageID(rawValue: 0x4F02), size: 300)
        #expect(throws: MessageBusStateMachine.SendError.outboxFull) { _ = try send(first, size: 800) }
        #expect(machine.status(of: first)?.state == .pending)
        #expect(machine.status(of: first)?.length == 600)
        #expect(machine.outboxUsage.messages == 2)
        #expect(machine.outboxUsage.bytes == 900)
        #expect(machine.counters.messagesAborted == 0)
        // One that fits (the original's 600 bytes are freed by the replacement) is accepted.
        _ = try send(first, size: 700)
        #expect(machine.status(of: first)?.length == 700)
        #expect(machine.outboxUsage.bytes == 1_000)
        // A replacement is not an abort.
        #expect(machine.counters.messagesAborted == 0)
    }

    @Test("a tick always leaves its next wakeup in the future, also with sub-nanosecond RTT estimates")
    func wakeupsMakeProgress() throws {
        var machine = Self.machine { $0.sendWindow = 2 }
        let id = MessageID(rawValue: 0x7111)
        let payload = ByteBuffer(repeating: 9, count: 4 * 1_300)
        _ = try machine.send(
            id: id, isReply: false, destination: Self.peer, topic: [], payload: payload, created: 0, deadline: 3600,
            nowUnix: 0, now: Self.t0
        )
        let initialAck = MessagePacket(id: id, body: Self.initialAck(id, length: 4 * 1_300))
        let first = machine.receive(initialAck, from: Self.peer, now: Self.t0)
        #expect(Self.sent(first).count == 2)
        // RTT samples of 100,000,003 and 100,000,004 ns: the smoothed estimate and its variance get fractions of a
        // nanosecond (…/8, …/4), so the retransmission timeout of chunks 2 and 3 is not a whole number of nanoseconds.
        for (index, offset) in [(UInt64(0), Int64(3)), (1, 4)] {
            let ack = MessagePacket(id: id, body: .chunkAck(index: index, offset: index * 1_300, size: 1_300))
            _ = machine.receive(ack, from: Self.peer, now: MonotonicInstant(nanoseconds: 100_000_000 + offset))
        }
        var ticks = 0
        var retransmissions = 0
        while let wakeup = machine.nextWakeup, wakeup < Self.at(2), ticks < 1_000 {
            retransmissions += Self.sent(machine.tick(now: wakeup)).count
            ticks += 1
            if let next = machine.nextWakeup, next <= wakeup {
                Issue.record("tick at \(wakeup.nanoseconds) ns asked to be woken at \(next.nanoseconds) ns again")
                break
            }
        }
        #expect(ticks < 100)
        // Chunks 2 and 3 were resent (and DONE went out once all chunks were sent).
        #expect(retransmissions >= 2)
    }

    @Test("read sends READ to the message's source")
    func readSendsRead() {
        let machine = Self.machine()
        let key = DeliveryKey(source: Self.stranger, id: MessageID(rawValue: 0x4EAD), isReply: false)
        let sent = Self.sent(machine.read(key))
        #expect(sent.count == 1)
        #expect(sent.first?.packet == MessagePacket(id: key.id, body: .read))
        #expect(sent.first?.to == Self.stranger)
    }

    // MARK: Fuzz

    @Test("fuzz: 100,000 random packets from random sources never trap and keep memory bounded")
    func fuzz() throws {
        var configuration = MessageBusConfiguration()
        configuration.maximumMessageSize = 200_000
        configuration.maximumIncomingTransfers = 32
        configuration.maximumIncomingBytes = 1_000_000
        configuration.incomingIdleTimeout = .seconds(5)
        var generator = SeededGenerator(seed: 0xF022_0B05)
        let sources = (0..<8).map { IPv6Address(high: 0x0400_0000_0000_0000 | UInt64($0), low: UInt64($0)) }
        // The empty topic only from the first four sources.
        var policy = TopicPolicy()
        try policy.setRule(
            TopicPolicy.Rule(sources: try sources.prefix(4).map { try #require(Subnet(address: $0, prefixLength: 128)) }),
            for: []
        )
        var machine = MessageBusStateMachine(configuration: configuration, topicPolicy: policy, now: Self.t0)
        let ids = (0..<16).map { MessageID(rawValue: 0xF000 + UInt64($0)) }
        var now = Self.t0
        // A few outgoing messages, so acknowledgements and READs find transfers.
        for (index, id) in ids.prefix(4).enumerated() {
            _ = try machine.send(
                id: id, isReply: false, destination: sources[index], topic: [], payload: ByteBuffer(repeating: 1, count: 4_000),
                created: 0, deadline: 1_000, nowUnix: 0, now: now
            )
        }
        let emptyChecksum = MessageChecksum(hashing: [UInt8]())
        let validFlags: [UInt16] = [0x8000, 0x8400, 0x8100, 0x8500, 0x1000, 0x1100, 0x4000, 0x4100, 0x0800, 0x2000]

        var inputs = 0
        var decoded = 0
        var malformed = 0
        var incomplete = 0
        var actionsSeen = 0
        var deliveries = 0
        var mostTransfers = 0
        var mostBytes = 0
        var boundViolations: [String] = []
        var encodeFailures = 0

        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &generator)] }
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < p }
        func length() -> UInt64 {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: 0
            case 1: UInt64.random(in: 1...3_000, using: &generator)
            case 2: UInt64.random(in: 3_000...200_000, using: &generator)
            case 3: UInt64.random(in: 199_990...200_010, using: &generator)
            case 4: UInt64.random(in: 0...(1 << 40), using: &generator)
            default: generator.next()
            }
        }

        for iteration in 0..<100_000 {
            inputs += 1
            now = now + .nanoseconds(Int64.random(in: 0...50_000_000, using: &generator))
            while let wakeup = machine.nextWakeup, wakeup <= now {
                actionsSeen += machine.tick(now: wakeup).count
            }
            let source = chance(0.9) ? pick(sources) : IPv6Address(high: generator.next(), low: generator.next())
            let id = chance(0.9) ? pick(ids) : MessageID(rawValue: generator.next())
            let flags = chance(0.85) ? pick(validFlags) : UInt16.random(in: 0...UInt16.max, using: &generator)

            var bytes = ByteBuffer()
            bytes.writeInteger(id.rawValue)
            bytes.writeInteger(flags)
            bytes.writeInteger(chance(0.9) ? UInt16(0) : UInt16.random(in: 0...UInt16.max, using: &generator))
            switch flags & 0xFEFF & ~0x0400 {
            case 0x8000:
                let topic = BusTestData.payload(Int.random(in: 0...20, using: &generator), seed: UInt64(iteration))
                bytes.writeInteger(length())
                bytes.writeInteger(chance(0.95) ? UInt8(topic.count) : UInt8.random(in: 0...255, using: &generator))
                if flags & 0x0100 == 0 { bytes.writeBytes(topic) }
            case 0x1000:
                // Mostly within the 1364-byte limit, sometimes over it (the decoder throws).
                let size = Int.random(in: chance(0.95) ? 0...1_364 : 1_365...1_500, using: &generator)
                let index = chance(0.8) ? UInt64.random(in: 0...40, using: &generator) : generator.next()
                let offset =
                    chance(0.5)
                    ? index &* 1_300 : chance(0.8) ? UInt64.random(in: 0...60_000, using: &generator) : generator.next()
                bytes.writeMultipleIntegers(index, offset, UInt64(size))
                if flags & 0x0100 == 0 {
                    bytes.writeBytes(BusTestData.payload(min(size, 1_364), seed: UInt64(iteration)))
                }
            case 0x4000:
                bytes.writeInteger(chance(0.5) ? 0 : UInt64.random(in: 0...40, using: &generator))
                if chance(0.5) {
                    bytes.writeMessageChecksum(emptyChecksum)
                } else {
                    bytes.writeBytes(BusTestData.payload(32, seed: UInt64(iteration)))
                }
            default:
                if chance(0.2) { bytes.writeBytes(BusTestData.payload(Int.random(in: 1...64, using: &generator), seed: 1)) }
            }
            // Sometimes cut short, sometimes with trailing junk.
            if chance(0.05) {
                bytes.moveWriterIndex(to: Int.random(in: 0...bytes.writerIndex, using: &generator))
            } else if chance(0.05) {
                bytes.writeBytes(BusTestData.payload(Int.random(in: 1...100, using: &generator), seed: 2))
            }

            let packet: MessagePacket
            do {
                guard let value = try bytes.readMessagePacket() else {
                    incomplete += 1
                    machine.receivedMalformedPacket()
                    continue
                }
                packet = value
            } catch {
                malformed += 1
                machine.receivedMalformedPacket()
                continue
            }
            decoded += 1
            let actions = machine.receive(packet, from: source, now: now)
            actionsSeen += actions.count
            for action in actions {
                switch action {
                case .send(let reply, _):
                    var out = ByteBuffer()
                    do { try out.writeMessagePacket(reply) } catch { encodeFailures += 1 }
                case .deliver(let message, _):
                    deliveries += 1
                    if chance(0.9) { machine.delivered(message.key, now: now) } else { machine.deliveryFailed(message.key) }
                case .outgoingStateChanged:
                    break
                }
            }
            let usage = machine.incomingUsage
            mostTransfers = max(mostTransfers, usage.transfers)
            mostBytes = max(mostBytes, usage.bytes)
            if usage.transfers > configuration.maximumIncomingTransfers || usage.bytes > configuration.maximumIncomingBytes
                || usage.bytes < 0, boundViolations.count < 5
            {
                boundViolations.append("after packet \(iteration): \(usage)")
            }
        }
        let counters = machine.counters
        print(
            "fuzz MessageBus: \(inputs) packets, \(decoded) decoded, \(malformed) malformed, \(incomplete) incomplete, "
                + "\(actionsSeen) actions, \(deliveries) deliveries, \(counters.duplicatesSuppressed) duplicates, "
                + "refused \(counters.refusedTooLarge) too large / \(counters.refusedByPolicy) policy / "
                + "\(counters.refusedNoRoom) no room / \(counters.refusedChunks) chunks, "
                + "\(counters.corruptMessages) corrupt, \(counters.unknownTransfers) unknown; "
                + "incoming at most \(mostTransfers)/\(configuration.maximumIncomingTransfers) transfers, "
                + "\(mostBytes)/\(configuration.maximumIncomingBytes) bytes; \(boundViolations.count) bound violations"
        )
        #expect(inputs == 100_000)
        #expect(boundViolations == [])
        #expect(encodeFailures == 0)
        #expect(counters.malformedPackets == UInt64(malformed + incomplete))
        // The fuzzer reached the interesting paths.
        #expect(decoded > 50_000)
        #expect(malformed > 0)
        #expect(deliveries > 0)
        #expect(counters.duplicatesSuppressed > 0)
        #expect(counters.refusedNoRoom > 0)
        #expect(counters.refusedTooLarge > 0)
        #expect(counters.refusedByPolicy > 0)
        #expect(counters.refusedChunks > 0)
        #expect(counters.corruptMessages > 0)
        #expect(mostTransfers == configuration.maximumIncomingTransfers)
    }
}
