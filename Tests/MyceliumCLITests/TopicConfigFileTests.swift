import Foundation
import MyceliumCLI
import MyceliumCore
import MyceliumNode
import Testing

@Suite("--topic-config files")
struct TopicConfigFileTests {
    private func subnet(_ text: String) throws -> Subnet {
        try #require(Subnet(text))
    }

    @Test("the table format: subnets and forward_socket; keys are the topic's UTF-8 bytes")
    func tableFormat() throws {
        let policy = try TopicConfigFile.parse(
            toml: """
                chat = { subnets = ["5a6:f0c6:f365:177d::/64", "400::/7"], forward_socket = "/run/chat.sock" }
                [\"mail.inbound\"]
                subnets = ["4ce:3bd1::/32"]
                """,
            path: "topics.toml"
        )
        #expect(policy.defaultAccepts)
        #expect(policy.topics == [Array("chat".utf8), Array("mail.inbound".utf8)])
        let chat = try #require(policy.rules[Array("chat".utf8)])
        #expect(chat.sources == [try self.subnet("5a6:f0c6:f365:177d::/64"), try self.subnet("400::/7")])
        #expect(chat.forwardSocket == "/run/chat.sock")
        let mail = try #require(policy.rules[Array("mail.inbound".utf8)])
        #expect(mail.sources == [try self.subnet("4ce:3bd1::/32")])
        #expect(mail.forwardSocket == nil)
    }

    @Test("the old format: a plain array of subnets")
    func arrayFormat() throws {
        let policy = try TopicConfigFile.parse(
            toml: #"legacy = ["5a6:f0c6:f365:177d::/64"]"#, path: "topics.toml"
        )
        let expected = TopicPolicy.Rule(sources: [try self.subnet("5a6:f0c6:f365:177d::/64")])
        #expect(policy.rules[Array("legacy".utf8)] == expected)
    }

    @Test("default = \"Reject\" rejects unlisted topics; an empty subnet list rejects everyone")
    func defaultReject() throws {
        let policy = try TopicConfigFile.parse(
            toml: """
                default = "Reject"
                blocked = { subnets = [] }
                open = ["400::/7"]
                """,
            path: "topics.toml"
        )
        let sender = try #require(IPv6Address("5a6:f0c6:f365:177d::1"))
        #expect(!policy.defaultAccepts)
        #expect(!policy.accepts(topic: Array("other".utf8), from: sender))
        #expect(!policy.accepts(topic: Array("blocked".utf8), from: sender))
        #expect(policy.accepts(topic: Array("open".utf8), from: sender))
        let accepting = try TopicConfigFile.parse(toml: #"default = "Accept""#, path: "topics.toml")
        #expect(accepting.defaultAccepts && accepting.rules.isEmpty)
    }

    @Test("a bare address is a /128; an IPv4 source maps to ::ffff:0:0/96 and matches no overlay sender")
    func bareAddresses() throws {
        let policy = try TopicConfigFile.parse(
            toml: #"t = ["5a6:f0c6:f365:177d::7", "10.0.0.0/8", "192.0.2.1"]"#, path: "topics.toml"
        )
        let sources = try #require(policy.rules[Array("t".utf8)]).sources
        #expect(
            sources.map(\.description) == ["5a6:f0c6:f365:177d::7/128", "::ffff:10.0.0.0/104", "::ffff:192.0.2.1/128"]
        )
        #expect(policy.accepts(topic: Array("t".utf8), from: try #require(IPv6Address("5a6:f0c6:f365:177d::7"))))
        #expect(!policy.accepts(topic: Array("t".utf8), from: try #require(IPv6Address("5a6:f0c6:f365:177d::8"))))
    }

    @Test("bad files are refused with an error naming the key", arguments: [
        (#"default = "accept""#, "default"),
        ("default = true", "default"),
        (#"chat = ["not a subnet"]"#, "chat"),
        (#"chat = { subnets = ["5a6::/129"] }"#, "chat.subnets"),
        (#"chat = { subnets = "400::/7" }"#, "chat.subnets"),
        (#"chat = { subnet = ["400::/7"] }"#, "chat.subnet"),
        (#"chat = { forward_socket = 5 }"#, "chat.forward_socket"),
        ("chat = 5", "chat"),
        (#"chat = [1, 2]"#, "chat"),
    ])
    func badFiles(toml: String, key: String) {
        do {
            _ = try TopicConfigFile.parse(toml: toml, path: "topics.toml")
            Issue.record("accepted \(toml)")
        } catch {
            #expect(error.description.contains("'\(key)'"), "\(error)")
            #expect(error.description.hasPrefix("topics.toml"))
        }
    }

    @Test("a topic key over 255 bytes is refused")
    func longTopic() {
        let key = String(repeating: "a", count: 256)
        #expect(throws: ConfigError.self) { try TopicConfigFile.parse(toml: "\(key) = []", path: "t.toml") }
    }

    @Test("syntax errors, missing files")
    func unreadable() throws {
        #expect(throws: ConfigError.self) { try TopicConfigFile.parse(toml: "chat = [", path: "t.toml") }
        #expect(throws: ConfigError.notFound(path: "/nonexistent/topics.toml")) {
            try TopicConfigFile.load(path: "/nonexistent/topics.toml")
        }
    }

    @Test("the shipped example Config/topics.toml parses")
    func exampleFile() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/topics.toml").path
        let policy = try TopicConfigFile.load(path: path)
        #expect(!policy.defaultAccepts)
        #expect(policy.forwardSocket(for: Array("mail.inbound".utf8)) == "/run/mycelium/mail.sock")
        #expect(policy.rules[Array("blocked".utf8)]?.sources == [])
        #expect(policy.rules[Array("legacy".utf8)]?.sources.count == 1)
    }

    @Test("NodeConfiguration.loadTopicConfig fills topicPolicy from topic_config")
    func loadIntoConfiguration() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("topics-\(UUID().uuidString).toml")
        try "default = \"Reject\"\nchat = [\"400::/7\"]\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var configuration = NodeConfiguration()
        try configuration.loadTopicConfig()
        #expect(configuration.topicPolicy == TopicPolicy())
        configuration.topicConfig = file.path
        try configuration.loadTopicConfig()
        #expect(!configuration.topicPolicy.defaultAccepts)
        #expect(configuration.topicPolicy.topics == [Array("chat".utf8)])
    }
}

@Suite("Message bus config keys beyond upstream")
struct MessageConfigKeyTests {
    @Test("max_message_size and message_retry_seconds are read, validated and merged")
    func keys() throws {
        let file = try ConfigFile(toml: "max_message_size = 1024\nmessage_retry_seconds = 600\n", path: "c.toml")
        #expect(file.maximumMessageSize == 1024 && file.messageRetrySeconds == 600)
        let merged = NodeConfiguration(flags: NodeConfiguration(), file: file)
        #expect(merged.maximumMessageSize == 1024)
        #expect(merged.messageRetryDuration == .seconds(600))
        var flags = NodeConfiguration()
        flags.maximumMessageSize = 2048
        #expect(NodeConfiguration(flags: flags, file: file).maximumMessageSize == 2048)
        let defaults = NodeConfiguration(flags: NodeConfiguration(), file: ConfigFile())
        #expect(defaults.maximumMessageSize == NodeConfiguration.defaultMaximumMessageSize)
        #expect(defaults.messageRetryDuration == NodeConfiguration.defaultMessageRetryDuration)
    }

    @Test("out-of-range values are refused naming the key", arguments: [
        ("max_message_size = 0", "max_message_size"),
        ("max_message_size = 1073741825", "max_message_size"),
        ("message_retry_seconds = 0", "message_retry_seconds"),
        (#"message_retry_seconds = "1h""#, "message_retry_seconds"),
    ])
    func outOfRange(toml: String, key: String) {
        #expect(throws: ConfigError.self) { try ConfigFile(toml: toml, path: "c.toml") }
        do {
            _ = try ConfigFile(toml: toml, path: "c.toml")
        } catch {
            #expect(error.description.contains("'\(key)'"))
        }
    }
}
