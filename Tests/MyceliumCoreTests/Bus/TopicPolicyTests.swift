import MyceliumCore
import Testing

@Suite("Topic policy (§5.4)")
struct TopicPolicyTests {
    static let inside = IPv6Address(high: 0x0455_1111_2222_3333, low: 0xA)
    static let neighbour = IPv6Address(high: 0x0455_1111_2222_3333, low: 0xFFFF)
    static let outside = IPv6Address(high: 0x05AA_0000_0000_0000, low: 0xB)
    static let chat = Array("chat".utf8)

    static func subnet(_ address: IPv6Address, _ length: Int) throws -> Subnet {
        try #require(Subnet(address: address, prefixLength: length))
    }

    @Test("a topic without an entry gets the default action")
    func defaultAction() {
        var policy = TopicPolicy()
        #expect(policy.defaultAccepts)
        #expect(policy.accepts(topic: Self.chat, from: Self.outside))
        #expect(policy.accepts(topic: [], from: Self.outside))
        policy.defaultAccepts = false
        #expect(!policy.accepts(topic: Self.chat, from: Self.outside))
        #expect(!policy.accepts(topic: [], from: Self.inside))
        #expect(policy.topics == [])
    }

    @Test("an entry accepts only sources inside its subnets; an empty entry rejects everyone")
    func entries() throws {
        var policy = TopicPolicy()
        try policy.addTopic(Self.chat)
        #expect(!policy.accepts(topic: Self.chat, from: Self.inside))
        try policy.addSource(try Self.subnet(Self.inside, 64), to: Self.chat)
        #expect(policy.accepts(topic: Self.chat, from: Self.inside))
        #expect(policy.accepts(topic: Self.chat, from: Self.neighbour))
        #expect(!policy.accepts(topic: Self.chat, from: Self.outside))
        // Other topics keep the default.
        #expect(policy.accepts(topic: Array("other".utf8), from: Self.outside))
        // An entry overrides a default of reject.
        policy.defaultAccepts = false
        #expect(policy.accepts(topic: Self.chat, from: Self.inside))

        // A bare address is a /128.
        try policy.removeSource(try Self.subnet(Self.inside, 64), from: Self.chat)
        try policy.addSource(try #require(Subnet("455:1111:2222:3333::a")), to: Self.chat)
        #expect(policy.accepts(topic: Self.chat, from: Self.inside))
        #expect(!policy.accepts(topic: Self.chat, from: Self.neighbour))
        #expect(policy.rules[Self.chat]?.sources.count == 1)
        // Adding the same source twice keeps one.
        try policy.addSource(try #require(Subnet("455:1111:2222:3333::a")), to: Self.chat)
        #expect(policy.rules[Self.chat]?.sources.count == 1)

        // Adding an existing topic keeps its entry; removing it falls back to the default.
        try policy.addTopic(Self.chat)
        #expect(policy.accepts(topic: Self.chat, from: Self.inside))
        policy.removeTopic(Self.chat)
        #expect(!policy.accepts(topic: Self.chat, from: Self.inside))
        policy.defaultAccepts = true
        #expect(policy.accepts(topic: Self.chat, from: Self.outside))
    }

    @Test("changes to unknown topics and topics over 255 bytes are refused")
    func errors() throws {
        var policy = TopicPolicy()
        let subnet = try Self.subnet(Self.inside, 64)
        #expect(throws: TopicPolicy.Error.unknownTopic) { try policy.addSource(subnet, to: Self.chat) }
        #expect(throws: TopicPolicy.Error.unknownTopic) { try policy.removeSource(subnet, from: Self.chat) }
        #expect(throws: TopicPolicy.Error.unknownTopic) { try policy.setForwardSocket("/tmp/s", for: Self.chat) }
        let long = Array(repeating: UInt8(0x61), count: 256)
        #expect(throws: TopicPolicy.Error.topicTooLong(256)) { try policy.addTopic(long) }
        #expect(throws: TopicPolicy.Error.topicTooLong(256)) { try policy.setRule(TopicPolicy.Rule(), for: long) }
        #expect(policy.rules.isEmpty)
        try policy.addTopic(Array(long.dropLast()))
        #expect(policy.topics == [Array(long.dropLast())])
    }

    @Test("forward sockets and topic order")
    func forwardSocketsAndOrder() throws {
        var policy = TopicPolicy()
        try policy.setRule(TopicPolicy.Rule(sources: [], forwardSocket: "/run/a.sock"), for: Array("b".utf8))
        try policy.addTopic(Array("a".utf8))
        try policy.addTopic([0xFF])
        try policy.addTopic([])
        #expect(policy.topics == [[], Array("a".utf8), Array("b".utf8), [0xFF]])
        #expect(policy.forwardSocket(for: Array("b".utf8)) == "/run/a.sock")
        #expect(policy.forwardSocket(for: Array("a".utf8)) == nil)
        #expect(policy.forwardSocket(for: Self.chat) == nil)
        try policy.setForwardSocket("/run/x.sock", for: Array("a".utf8))
        #expect(policy.forwardSocket(for: Array("a".utf8)) == "/run/x.sock")
        try policy.setForwardSocket(nil, for: Array("b".utf8))
        #expect(policy.forwardSocket(for: Array("b".utf8)) == nil)
        // A forward socket does not open the topic to anyone.
        #expect(!policy.accepts(topic: Array("a".utf8), from: Self.inside))
    }
}
