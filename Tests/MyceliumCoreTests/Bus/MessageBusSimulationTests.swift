import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

/// Two bus state machines talking through a simulated link (every packet encoded and decoded), on a virtual clock.
@Suite("Message bus simulation (§5.2–5.3)")
struct MessageBusSimulationTests {
    typealias Harness = MessageBusHarness
    static let a = Harness.a
    static let b = Harness.b

    /// Checks that B delivered exactly the messages in `expected` (by id), once each, byte-identical, from A.
    static func expectDelivered(
        _ harness: Harness,
        _ expected: [MessageID: (payload: [UInt8], topic: [UInt8])],
        countedByMachine: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let deliveries = harness[b].deliveries.map(\.message)
        #expect(
            deliveries.count == expected.count, "delivered \(deliveries.count) of \(expected.count)",
            sourceLocation: sourceLocation
        )
        var seen: Set<MessageID> = []
        for message in deliveries {
            #expect(seen.insert(message.key.id).inserted, "\(message.key.id) delivered twice", sourceLocation: sourceLocation)
            #expect(message.key.source == Harness.addressA, sourceLocation: sourceLocation)
            #expect(!message.key.isReply, sourceLocation: sourceLocation)
            guard let want = expected[message.key.id] else {
                Issue.record("unexpected message \(message.key.id)", sourceLocation: sourceLocation)
                continue
            }
            #expect(message.topic == want.topic, sourceLocation: sourceLocation)
            let got = BusTestData.bytes(message.payload)
            #expect(got.count == want.payload.count, sourceLocation: sourceLocation)
            #expect(got == want.payload, "payload of \(message.key.id) differs", sourceLocation: sourceLocation)
        }
        if countedByMachine {
            #expect(harness[b].machine.counters.messagesDelivered == UInt64(expected.count), sourceLocation: sourceLocation)
        }
        #expect(harness.failures == [], sourceLocation: sourceLocation)
    }

    /// How many packets of each kind `node` sent for `id`.
    static func sentKinds(_ harness: Harness, node: Int, id: MessageID) -> [String: Int] {
        var kinds: [String: Int] = [:]
        for (_, packet) in harness[node].sentPackets where packet.id == id {
            let kind =
                switch packet.body {
                case .initial: "INIT"
                case .initialAck: "INIT-ACK"
                case .chunk: "CHUNK"
                case .chunkAck: "CHUNK-ACK"
                case .done: "DONE"
                case .doneAck: "DONE-ACK"
                case .read: "READ"
                case .aborted: "ABORTED"
                }
            kinds[kind, default: 0] += 1
        }
        return kinds
    }

    // MARK: Sizes

    @Test(
        "a message arrives byte-identical exactly once, with the fewest packets on a clean link",
        arguments: [
            0, 1, 1_299, 1_300, 1_301, 1_300 + 100, 1_300 * 3 + 100, 1_300 + 249, 1_300 * 3 + 249, 64 << 10, 10 << 20,
        ]
    )
    func deliversEverySize(size: Int) throws {
        var harness = Harness()
        let id = MessageID(rawValue: 0x5153_0000_0000_0000 | UInt64(size))
        let payload = BusTestData.payload(size, seed: UInt64(size) &+ 7)
        let topic = Array("sizes".utf8)
        try harness.send(payload, id: id, topic: topic)
        #expect(harness.state(of: id) == .pending)
        let settled1 = harness.runUntilFinal([id], upTo: .seconds(600))
        #expect(settled1)
        harness.run(for: .seconds(60))

        Self.expectDelivered(harness, [id: (payload, topic)])
        let chunks = MessageChunkPlan(length: size).count
        #expect(harness.state(of: id) == .received)
        #expect(harness[Self.a].states(of: id) == [.sending(pending: chunks, sent: 0, acked: 0), .received])
        // Nothing lost, nothing resent: one INIT, every chunk once, one DONE, and one acknowledgement for each.
        var sent = ["INIT": 1, "DONE": 1]
        if chunks > 0 { sent["CHUNK"] = chunks }
        var acknowledged = ["INIT-ACK": 1, "DONE-ACK": 1]
        if chunks > 0 { acknowledged["CHUNK-ACK"] = chunks }
        #expect(Self.sentKinds(harness, node: Self.a, id: id) == sent)
        #expect(Self.sentKinds(harness, node: Self.b, id: id) == acknowledged)
        #expect(harness[Self.a].machine.counters.retransmissions == 0)
        #expect(harness[Self.a].machine.outboxUsage.messages == 0)
        #expect(harness[Self.a].machine.outboxUsage.bytes == 0)
        #expect(harness[Self.b].machine.incomingUsage.transfers == 0)
        #expect(harness[Self.b].machine.incomingUsage.bytes == 0)
    }

    @Test("status: pending → sending → received, then read once the receiver reads it")
    func statusProgression() throws {
        var harness = Harness()
        let id = MessageID(rawValue: 0xA11C_E000_0000_0001)
        let payload = BusTestData.payload(5_000, seed: 3)
        try harness.send(payload, id: id, topic: Array("chat".utf8))
        let status = try #require(harness[Self.a].machine.status(of: id))
        #expect(status.state == .pending)
        #expect(status.destination == Harness.addressB)
        #expect(status.length == 5_000)
        #expect(status.created == Harness.epochUnix)
        #expect(status.deadline == Harness.epochUnix + 24 * 3600)

        let settled2 = harness.runUntilFinal([id], upTo: .seconds(60))
        #expect(settled2)
        #expect(harness.state(of: id) == .received)
        let key = try #require(harness[Self.b].deliveries.first?.message.key)
        #expect(key == DeliveryKey(source: Harness.addressA, id: id, isReply: false))

        harness.read(key)
        harness.run(for: .seconds(1))
        #expect(harness.state(of: id) == .read)
        #expect(
            harness[Self.a].states(of: id) == [.sending(pending: 4, sent: 0, acked: 0), .received, .read]
        )
        // A second READ (the message read again) changes nothing.
        harness.read(key)
        harness.run(for: .seconds(1))
        #expect(harness[Self.a].states(of: id).count == 3)
        #expect(harness[Self.b].deliveries.count == 1)
    }

    // MARK: Bad links

    static let lossySizes = [0, 1, 249, 1_300, 1_301, 1_300 + 100, 2_700, 20_000, 65_536, 300_000]

    @Test(
        "loss, duplication and reordering still deliver every message exactly once",
        arguments: [(0.05, UInt64(0x5)), (0.20, UInt64(0x20)), (0.20, UInt64(0x2020))]
    )
    func lossyLink(loss: Double, seed: UInt64) throws {
        var conditions = BusLinkConditions()
        conditions.delay = .milliseconds(20)
        conditions.jitter = .milliseconds(60)
        conditions.loss = loss
        conditions.duplication = 0.05
        var harness = Harness(conditions: conditions, seed: seed)
        var expected: [MessageID: (payload: [UInt8], topic: [UInt8])] = [:]
        for (index, size) in Self.lossySizes.enumerated() {
            let id = MessageID(rawValue: seed << 32 | UInt64(index))
            let payload = BusTestData.payload(size, seed: seed &+ UInt64(index))
            let topic = Array("lossy \(index)".utf8)
            try harness.send(payload, id: id, topic: topic)
            expected[id] = (payload, topic)
        }
        let ids = Array(expected.keys)
        let settled3 = harness.runUntilFinal(ids, upTo: .seconds(3 * 3600))
        #expect(settled3)
        // Late duplicates and retransmissions still on the link must not deliver anything again.
        harness.run(for: .seconds(300))

        Self.expectDelivered(harness, expected)
        for id in ids { #expect(harness.state(of: id) == .received, "\(id)") }
        // The link really misbehaved.
        #expect(harness.packetsDropped > 0)
        #expect(harness.packetsDuplicated > 0)
        #expect(harness[Self.a].machine.counters.retransmissions > 0)
        #expect(harness[Self.a].machine.counters.messagesAborted == 0)
        #expect(harness[Self.b].machine.incomingUsage.bytes == 0)
    }

    @Test(
        "many messages to one destination: at most transfersPerDestination at once, all arrive",
        arguments: [(0.0, 16), (0.05, 4)]
    )
    func manyMessages(loss: Double, perDestination: Int) throws {
        var configuration = MessageBusConfiguration()
        configuration.transfersPerDestination = perDestination
        var conditions = BusLinkConditions()
        conditions.loss = loss
        conditions.jitter = .milliseconds(10)
        var harness = Harness(configuration: configuration, conditions: conditions, seed: 200)
        var generator = SeededGenerator(seed: 200)
        var expected: [MessageID: (payload: [UInt8], topic: [UInt8])] = [:]
        var order: [MessageID] = []
        for index in 0..<200 {
            let id = MessageID(rawValue: 0x200_0000 + UInt64(index))
            let payload = BusTestData.payload(Int.random(in: 0...6_000, using: &generator), seed: UInt64(index))
            try harness.send(payload, id: id)
            expected[id] = (payload, [])
            order.append(id)
        }
        // The first ones start at once (INIT sent), the rest wait.
        #expect(harness[Self.a].sentPackets.count == perDestination)
        #expect(harness[Self.a].machine.outboxUsage.messages == 200)
        let settled4 = harness.runUntilFinal(order, upTo: .seconds(3600))
        #expect(settled4)
        harness.run(for: .seconds(60))
        Self.expectDelivered(harness, expected)
        for id in order { #expect(harness.state(of: id) == .received) }

        // Concurrency, from the actions: a transfer runs from its first INIT until its final state change.
        var running: Set<MessageID> = []
        var most = 0
        var startOrder: [MessageID] = []
        for (_, event) in harness[Self.a].events {
            switch event {
            case .sent(let packet, _):
                if case .initial = packet.body, running.insert(packet.id).inserted {
                    most = max(most, running.count)
                    if !startOrder.contains(packet.id) { startOrder.append(packet.id) }
                }
            case .stateChanged(let id, let state) where state.isFinal:
                running.remove(id)
            default:
                break
            }
        }
        #expect(most == perDestination)
        #expect(running.isEmpty)
        // Queued messages start in the order they were sent.
        #expect(startOrder == order)
    }

    // MARK: Unreachable destinations

    @Test("unreachable destination: INIT backs off to maximumRetransmitInterval, then ABORTED at the deadline")
    func unreachableDestination() throws {
        var harness = Harness()
        harness.dropFilter = { _, _, _, _ in true }
        let id = MessageID(rawValue: 0xDEAD_0000_0000_0001)
        try harness.send(BusTestData.payload(3_000, seed: 1), id: id, retry: .seconds(120))
        harness.run(for: .seconds(130))

        let packets = harness[Self.a].sentPackets.filter { $0.packet.id == id }
        let initTimes = packets.filter { if case .initial = $0.packet.body { true } else { false } }.map(\.at)
        let gaps = zip(initTimes.dropFirst(), initTimes).map { $0.duration(since: $1) }
        let expectedGaps: [Duration] =
            [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1_600),
             .milliseconds(3_200)] + Array(repeating: .seconds(5), count: 22)
        #expect(gaps == expectedGaps)
        #expect(initTimes.first == .zero)
        #expect(initTimes.last == MonotonicInstant.zero + .milliseconds(116_300))

        // At the deadline, and not before: ABORTED goes out and the state is aborted.
        let last = try #require(packets.last)
        #expect(last.packet.body == .aborted)
        #expect(last.at == MonotonicInstant.zero + .seconds(120))
        #expect(packets.count == initTimes.count + 1)
        #expect(harness.state(of: id) == .aborted)
        #expect(harness[Self.a].states(of: id) == [.aborted])
        #expect(harness[Self.a].machine.counters.messagesAborted == 1)
        #expect(harness[Self.a].machine.outboxUsage.messages == 0)
        #expect(harness[Self.a].machine.outboxUsage.bytes == 0)
        #expect(harness[Self.b].deliveries.isEmpty)
        #expect(harness.failures == [])
    }

    @Test("a destination that comes back after an hour still gets the message (retry duration 24 h)")
    func destinationComesBack() throws {
        var harness = Harness()
        let outage = MonotonicInstant.zero + .seconds(3600)
        harness.dropFilter = { _, _, _, now in now < outage }
        let id = MessageID(rawValue: 0xBAC4_0000_0000_0001)
        let payload = BusTestData.payload(100_000, seed: 9)
        try harness.send(payload, id: id)
        let leftPending = harness.run(upTo: .seconds(3599)) { $0.state(of: id) != .pending }
        #expect(!leftPending)
        // While unreachable, the destination gets an INIT every 5 s at most.
        let initsDuringOutage = harness[Self.a].sentPackets.count
        #expect(initsDuringOutage <= 3600 / 5 + 8)
        #expect(initsDuringOutage >= 3600 / 5)

        let settled5 = harness.runUntilFinal([id], upTo: .seconds(600))
        #expect(settled5)
        Self.expectDelivered(harness, [id: (payload, [])])
        #expect(harness.state(of: id) == .received)
        let deliveredAt = try #require(harness[Self.b].deliveries.first?.at)
        #expect(deliveredAt >= outage)
        #expect(deliveredAt <= outage + .seconds(6))
    }

    @Test("a receiver with a smaller maximumMessageSize never acknowledges the INIT: the sender aborts at its deadline")
    func receiverRefusesTooLarge() throws {
        var small = MessageBusConfiguration()
        small.maximumMessageSize = 1 << 20
        var harness = Harness(receiverConfiguration: small)
        let id = MessageID(rawValue: 0x7007_0000_0000_0001)
        try harness.send(BusTestData.payload((1 << 20) + 1, seed: 1), id: id, retry: .seconds(30))
        harness.run(for: .seconds(31))
        #expect(harness.state(of: id) == .aborted)
        let inits = UInt64(Self.sentKinds(harness, node: Self.a, id: id)["INIT"] ?? 0)
        #expect(inits > 5)
        #expect(harness[Self.b].machine.counters.refusedTooLarge == inits)
        #expect(harness[Self.b].sentPackets.isEmpty)
        #expect(harness[Self.b].deliveries.isEmpty)

        // Exactly the receiver's limit arrives.
        let fits = MessageID(rawValue: 0x7007_0000_0000_0002)
        let payload = BusTestData.payload(1 << 20, seed: 2)
        try harness.send(payload, id: fits)
        let settled = harness.runUntilFinal([fits], upTo: .seconds(60))
        #expect(settled)
        Self.expectDelivered(harness, [fits: (payload, [])])
    }

    @Test("topic policy on the link: a refused topic is never acknowledged and aborts; a reply under it gets through")
    func topicPolicyOnTheLink() throws {
        var policy = TopicPolicy()
        try policy.setRule(TopicPolicy.Rule(), for: Array("closed".utf8))
        var harness = Harness(receiverPolicy: policy)
        let refused = MessageID(rawValue: 0x7091_0000_0000_0001)
        try harness.send(Array("hello".utf8), id: refused, topic: Array("closed".utf8), retry: .seconds(20))
        let reply = MessageID(rawValue: 0x7091_0000_0000_0002)
        let answer = BusTestData.payload(3_000, seed: 3)
        try harness.send(answer, id: reply, topic: Array("closed".utf8), isReply: true)
        let open = MessageID(rawValue: 0x7091_0000_0000_0003)
        try harness.send(Array("hi".utf8), id: open, topic: Array("open".utf8))
        harness.run(for: .seconds(21))

        #expect(harness.state(of: refused) == .aborted)
        #expect(harness.state(of: reply) == .received)
        #expect(harness.state(of: open) == .received)
        #expect(harness[Self.b].machine.counters.refusedByPolicy > 0)
        #expect(Self.sentKinds(harness, node: Self.b, id: refused).isEmpty)
        let delivered = harness[Self.b].deliveries.map(\.message)
        #expect(delivered.map(\.key) == [
            DeliveryKey(source: Harness.addressA, id: reply, isReply: true),
            DeliveryKey(source: Harness.addressA, id: open, isReply: false),
        ])
        #expect(delivered.first.map { BusTestData.bytes($0.payload) } == answer)
    }

    @Test("a queued message whose deadline passes is aborted at its deadline, not when its turn comes")
    func queuedMessageDeadline() throws {
        var configuration = MessageBusConfiguration()
        configuration.transfersPerDestination = 1
        var harness = Harness(configuration: configuration)
        harness.dropFilter = { _, _, _, _ in true }
        let running = MessageID(rawValue: 0x0DEA_0000_0000_0001)
        let waiting = MessageID(rawValue: 0x0DEA_0000_0000_0002)
        try harness.send(Array("first".utf8), id: running, retry: .seconds(3600))
        try harness.send(Array("second".utf8), id: waiting, retry: .seconds(60))
        harness.run(for: .seconds(61))
        #expect(harness.state(of: running) == .pending)
        // Given up at its deadline although it never got a transfer slot.
        #expect(harness.state(of: waiting) == .aborted)
        // The running one gives up at its own deadline.
        harness.run(for: .seconds(3600))
        #expect(harness.state(of: running) == .aborted)
        #expect(harness.state(of: waiting) == .aborted)
    }

    // MARK: Restarts

    @Test("receiver restarts mid-transfer: the sender's stall timeout starts over with INIT and the message completes")
    func receiverRestart() throws {
        var harness = Harness()
        // One message delivered before the restart, so the new machine has a delivered key to remember.
        let first = MessageID(rawValue: 0x4E57_0000_0000_0001)
        let firstPayload = BusTestData.payload(2_000, seed: 1)
        try harness.send(firstPayload, id: first)
        let settled6 = harness.runUntilFinal([first], upTo: .seconds(10))
        #expect(settled6)

        let id = MessageID(rawValue: 0x4E57_0000_0000_0002)
        let payload = BusTestData.payload(1 << 20, seed: 2)
        try harness.send(payload, id: id)
        // Half the chunks arrived.
        let half = MessageChunkPlan(length: 1 << 20).count / 2
        let halfway = harness.run(upTo: .seconds(60)) { harness in
            harness[Self.b].events.count { entry in
                guard case .received(let packet, _) = entry.event, packet.id == id else { return false }
                if case .chunk = packet.body { return true }
                return false
            } >= half
        }
        #expect(halfway)
        let restartedAt = harness.now
        harness.restart(Self.b)
        #expect(harness[Self.b].machine.isDelivered(DeliveryKey(source: Harness.addressA, id: first, isReply: false)))
        #expect(harness[Self.b].machine.incomingUsage.transfers == 0)

        let settled7 = harness.runUntilFinal([id], upTo: .seconds(120))
        #expect(settled7)
        harness.run(for: .seconds(30))
        // The machine restarted: it counted only the second delivery.
        Self.expectDelivered(harness, [first: (firstPayload, []), id: (payload, [])], countedByMachine: false)
        #expect(harness[Self.b].machine.counters.messagesDelivered == 1)
        #expect(harness.state(of: id) == .received)
        #expect(harness[Self.a].machine.counters.restartedTransfers == 1)
        #expect(harness[Self.b].machine.counters.unknownTransfers > 0)
        let deliveredAt = try #require(harness[Self.b].deliveries.last?.at)
        #expect(deliveredAt >= restartedAt + harness[Self.a].machine.configuration.stallTimeout - .seconds(1))
        // The restart shows as pending again, then sending from scratch.
        let chunks = MessageChunkPlan(length: 1 << 20).count
        let states = harness[Self.a].states(of: id)
        #expect(states.first == .sending(pending: chunks, sent: 0, acked: 0))
        #expect(Array(states.dropFirst()) == [.pending, .sending(pending: chunks, sent: 0, acked: 0), .received])
    }

    @Test("sender restarts after the receiver delivered: the resend is acknowledged but not delivered again")
    func senderRestart() throws {
        var harness = Harness()
        // Every DONE-ACK is lost: A never learns that B has the message.
        harness.dropFilter = { from, _, packet, _ in
            if from == Self.b, case .doneAck = packet.body { return true }
            return false
        }
        let id = MessageID(rawValue: 0x5E4D_0000_0000_0001)
        let payload = BusTestData.payload(10_000, seed: 5)
        try harness.send(payload, id: id, topic: Array("t".utf8))
        let deliveredOnce = harness.run(upTo: .seconds(10)) { $0[Self.b].deliveries.count == 1 }
        #expect(deliveredOnce)
        #expect(harness.state(of: id) != .received)

        // A restarts and resends from its store, as its driver does; the link is clean again.
        harness.run(for: .seconds(1))
        harness.restart(Self.a)
        harness.dropFilter = nil
        #expect(harness.state(of: id) == nil)
        try harness.send(payload, id: id, topic: Array("t".utf8))
        let settled8 = harness.runUntilFinal([id], upTo: .seconds(60))
        #expect(settled8)
        harness.run(for: .seconds(200))

        #expect(harness.state(of: id) == .received)
        Self.expectDelivered(harness, [id: (payload, Array("t".utf8))])
        #expect(harness[Self.b].machine.counters.duplicatesSuppressed == 1)
        #expect(harness[Self.b].machine.incomingUsage.transfers == 0)
    }

    @Test("sender and receiver both restart: the receiver's store still suppresses the duplicate")
    func bothRestart() throws {
        var harness = Harness()
        harness.dropFilter = { from, _, packet, _ in
            if from == Self.b, case .doneAck = packet.body { return true }
            return false
        }
        let id = MessageID(rawValue: 0xB07E_0000_0000_0001)
        let payload = BusTestData.payload(3_000, seed: 8)
        try harness.send(payload, id: id)
        let deliveredOnce = harness.run(upTo: .seconds(10)) { $0[Self.b].deliveries.count == 1 }
        #expect(deliveredOnce)
        harness.run(for: .seconds(1))
        harness.restart(Self.a)
        harness.restart(Self.b)
        harness.dropFilter = nil
        try harness.send(payload, id: id)
        let settled9 = harness.runUntilFinal([id], upTo: .seconds(60))
        #expect(settled9)
        harness.run(for: .seconds(10))
        #expect(harness.state(of: id) == .received)
        Self.expectDelivered(harness, [id: (payload, [])], countedByMachine: false)
        #expect(harness[Self.b].machine.counters.duplicatesSuppressed == 1)
        #expect(harness[Self.b].machine.counters.messagesDelivered == 0)
    }

    // MARK: Window

    /// The most chunks A had sent and not yet seen acknowledged at any moment, per message (from the packet log).
    static func mostChunksInFlight(_ harness: Harness, id: MessageID) -> Int {
        var outstanding: Set<UInt64> = []
        var most = 0
        for (_, event) in harness[Self.a].events {
            switch event {
            case .sent(let packet, _) where packet.id == id:
                if case .chunk(let index, _, _) = packet.body {
                    outstanding.insert(index)
                    most = max(most, outstanding.count)
                }
            case .received(let packet, _) where packet.id == id:
                if case .chunkAck(let index, _, _) = packet.body { outstanding.remove(index) }
            default:
                break
            }
        }
        return most
    }

    @Test("never more than sendWindow chunks unacknowledged in flight", arguments: [(128, 0.0), (8, 0.0), (32, 0.1)])
    func sendWindow(window: Int, loss: Double) throws {
        var configuration = MessageBusConfiguration()
        configuration.sendWindow = window
        // No restarts: the packet log's view of the window stays that of the transfer.
        configuration.stallTimeout = .seconds(3600)
        var conditions = BusLinkConditions()
        conditions.delay = .milliseconds(50)
        conditions.loss = loss
        var harness = Harness(configuration: configuration, conditions: conditions, seed: 77)
        let id = MessageID(rawValue: 0x3141_5926_0000_0000)
        let payload = BusTestData.payload(1 << 20, seed: 77)
        try harness.send(payload, id: id)
        let settled10 = harness.runUntilFinal([id], upTo: .seconds(3600))
        #expect(settled10)
        Self.expectDelivered(harness, [id: (payload, [])])
        // The window is used fully, and never exceeded.
        #expect(Self.mostChunksInFlight(harness, id: id) == window)
        #expect(harness[Self.a].machine.counters.restartedTransfers == 0)
    }
}
