import Foundation
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import MyceliumNode
import Testing

@testable import MyceliumCLI

/// The command line parsed into another verb than the test expected.
private struct ParseMismatch: Error {}

@Suite("mycelium message argument parsing")
struct MessageCommandTests {
    static let key = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"

    /// Parses a full command line the way `mycelium` does and returns the root and the message verb.
    private func parse(_ arguments: [String]) throws -> (root: MyceliumCommand, verb: MessageCommand.Verb) {
        let command = try MyceliumCommand.parseAsRoot(arguments)
        let message = try #require(command as? MessageCommand)
        return (message.root, try message.verb())
    }

    private func send(_ arguments: [String]) throws -> MessageSendCommand {
        guard case .send(let send) = try self.parse(["message", "send"] + arguments).verb else {
            throw ParseMismatch()
        }
        return send
    }

    private func receive(_ arguments: [String]) throws -> MessageReceiveCommand {
        guard case .receive(let receive) = try self.parse(["message", "receive"] + arguments).verb else {
            throw ParseMismatch()
        }
        return receive
    }

    @Test("send: every option, short and long; -t is the topic, not the root's --tcp-listen-port")
    func sendOptions() throws {
        let long = try self.send([
            "--wait", "--timeout", "10", "--topic", "chat", "--msg-path", "/tmp/m", Self.key, "hello",
        ])
        #expect(long.wait && long.timeout == 10 && long.topic == "chat" && long.msgPath == "/tmp/m")
        #expect(long.destination == Self.key && long.message == "hello" && long.replyTo == nil)
        let short = try self.send(["-w", "-t", "chat", "5a6:f0c6:f365:177d::1", "hi"])
        #expect(short.wait && short.topic == "chat" && short.timeout == nil)
        let numeric = try self.parse(["message", "send", "-t", "5", "5a6:f0c6:f365:177d::1", "hi"])
        #expect(numeric.root.node.tcpListenPort == NodeConfiguration.defaultTCPListenPort)
        guard case .send(let send) = numeric.verb else { throw ParseMismatch() }
        #expect(send.topic == "5")
        let reply = try self.send(["--reply-to", "0123456789abcdef", Self.key, "answer"])
        #expect(reply.replyTo == "0123456789abcdef" && !reply.wait)
    }

    @Test("send: destinations are a 64-hex key or an overlay IPv6 address")
    func destinations() throws {
        let key = try X25519.PublicKey(hexString: Self.key)
        #expect(try MessageSendCommand.parseDestination(Self.key) == .publicKey(key))
        let address = try #require(IPv6Address("5a6:f0c6:f365:177d::1"))
        #expect(try MessageSendCommand.parseDestination("5a6:f0c6:f365:177d::1") == .ip(address))
        for bad in ["2001:db8::1", "192.0.2.1", "not-an-address", String(repeating: "g", count: 64), ""] {
            #expect(throws: (any Error).self) { try MessageSendCommand.parseDestination(bad) }
        }
    }

    @Test("send: refused combinations", arguments: [
        ["--wait", "--reply-to", "0123456789abcdef", key, "x"],  // upstream: only one of --reply-to or --wait
        [key],  // no message and no --msg-path
        ["2001:db8::1", "x"],  // outside 400::/7
        ["--reply-to", "xyz", key, "x"],  // not a message id
        ["-t", String(repeating: "a", count: 256), key, "x"],  // topic over 255 bytes
        [],  // no destination
    ])
    func sendRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try self.send(arguments) }
    }

    @Test("send: --msg-path alone is enough")
    func sendFromFile() throws {
        let send = try self.send(["--msg-path", "/tmp/payload.bin", Self.key])
        #expect(send.message == nil && send.msgPath == "/tmp/payload.bin")
    }

    @Test("receive: every option")
    func receiveOptions() throws {
        let all = try self.receive(["--timeout", "5", "-t", "chat", "--msg-path", "/tmp/out", "--raw"])
        #expect(all.timeout == 5 && all.topic == "chat" && all.msgPath == "/tmp/out" && all.raw)
        let none = try self.receive([])
        #expect(none.timeout == nil && none.topic == nil && none.msgPath == nil && !none.raw)
        #expect(try self.receive(["--topic", "x"]).topic == "x")
        #expect(throws: (any Error).self) { try self.receive(["-t", String(repeating: "b", count: 256)]) }
        #expect(throws: (any Error).self) { try self.receive(["--timeout", "-1"]) }
        #expect(throws: (any Error).self) { try self.receive(["extra"]) }
    }

    @Test("--api-addr before 'message' is the root's; after the verb it overrides it")
    func apiAddress() throws {
        let before = try self.parse(["--api-addr", "127.0.0.1:9000", "message", "receive"])
        #expect(before.root.node.apiAddr == SocketAddress(host: "127.0.0.1", port: 9000))
        let after = try self.receive(["--api-addr", "[::1]:9001"])
        #expect(after.apiAddr == SocketAddress(host: "::1", port: 9001))
    }

    @Test("an unknown verb or none is refused or shows help")
    func unknownVerb() throws {
        #expect(throws: (any Error).self) { try self.parse(["message", "peek"]) }
        #expect(throws: (any Error).self) { try self.parse(["message"]) }
    }

    @Test("received messages print as upstream's CliMessage: UTF-8 as text, other bytes as base64")
    func cliJSON() throws {
        let key = try X25519.PublicKey(hexString: Self.key)
        let message = ReceivedMessage(
            id: MessageID(rawValue: 0x0123_4567_89AB_CDEF), source: key.overlayAddress, sourceKey: key,
            destination: key.overlayAddress, destinationKey: key, topic: Array("chat".utf8), payload: [0xFF, 0x00]
        )
        let address = key.overlayAddress.description
        #expect(
            MessageCommand.cliJSON(message, includePayload: true).compactText
                == #"{"id":"0123456789abcdef","srcIp":"\#(address)","srcPk":"\#(Self.key)","dstIp":"\#(address)","#
                + #""dstPk":"\#(Self.key)","topic":"chat","payload":"/wA="}"#
        )
        var plain = message
        plain.topic = []
        plain.payload = Array("héllo \"x\"\n".utf8)
        let text = MessageCommand.cliJSON(plain, includePayload: true).compactText
        #expect(text.hasSuffix(#""dstPk":"\#(Self.key)","payload":"héllo \"x\"\n"}"#))
        #expect(!MessageCommand.cliJSON(plain, includePayload: false).compactText.contains("payload"))
    }

    @Test("the binary refuses bad message arguments with a non-zero status and a message")
    func binaryRefuses() throws {
        let result = try MyceliumProcess.run(["message", "send", "-t", "chat", "2001:db8::1", "hi"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("400::/7"))
        #expect(result.standardOutput.isEmpty)
        let help = try MyceliumProcess.run(["message", "send", "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("--msg-path"))
    }
}

/// The `message` verbs as a user runs them: the real binary against the real HTTP API server, in this process,
/// answering from an in-memory bus (no daemon, no network beyond loopback).
@Suite("mycelium message against a live API", .serialized)
struct MessageCommandLiveTests {
    /// Runs `AdminHTTPServer` with `bus` on an ephemeral port and hands `body` the `--api-addr` value.
    private func withMessageAPI(
        _ bus: InMemoryMessageBus, _ body: @Sendable (String) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await AdminHTTPServer(
                    administration: try CLITestAdministration(), messages: bus,
                    address: MyceliumCore.SocketAddress(host: "127.0.0.1", port: 0),
                    onListening: { continuation.yield($0) }
                ).run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            try await body("127.0.0.1:\(port)")
            group.cancelAll()
        }
    }

    @Test("send prints {\"id\":…}; receive prints upstream's CliMessage JSON, --raw the bytes, --msg-path a file")
    func sendAndReceive() async throws {
        let bus = InMemoryMessageBus()
        let key = bus.publicKey.hexString
        let address = bus.address.description
        try await self.withMessageAPI(bus) { api in
            let sent = try await MyceliumProcess.runDetached(
                ["--api-addr", api, "message", "send", "-t", "chat", key, "hello"]
            )
            #expect(sent.status == 0, "\(sent.standardError)")
            let id = try #require(bus.sent.first?.id).hexString
            #expect(sent.standardOutput == #"{"id":"\#(id)"}"# + "\n")

            let received = try await MyceliumProcess.runDetached(
                ["--api-addr", api, "message", "receive", "--timeout", "1", "-t", "chat"]
            )
            #expect(received.status == 0)
            #expect(
                received.standardOutput
                    == #"{"id":"\#(id)","srcIp":"\#(address)","srcPk":"\#(key)","dstIp":"\#(address)","#
                    + #""dstPk":"\#(key)","topic":"chat","payload":"hello"}"# + "\n"
            )

            _ = try await MyceliumProcess.runDetached(["--api-addr", api, "message", "send", address, "raw bytes"])
            let raw = try await MyceliumProcess.runDetached(
                ["message", "receive", "--raw", "--timeout", "1", "--api-addr", api]
            )
            #expect(raw.standardOutput == "raw bytes\n")

            let directory = try TemporaryDirectory()
            let output = directory.path + "/payload.bin"
            try Data([0xFF, 0x00, 0x01]).write(to: URL(fileURLWithPath: directory.path + "/in.bin"))
            _ = try await MyceliumProcess.runDetached(
                ["--api-addr", api, "message", "send", "--msg-path", directory.path + "/in.bin", key]
            )
            let saved = try await MyceliumProcess.runDetached(
                ["--api-addr", api, "message", "receive", "--timeout", "1", "--msg-path", output]
            )
            #expect(saved.status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data([0xFF, 0x00, 0x01]))
            #expect(!saved.standardOutput.contains("payload") && saved.standardOutput.hasPrefix(#"{"id":"#))

            let empty = try await MyceliumProcess.runDetached(
                ["--api-addr", api, "message", "receive", "--timeout", "1"]
            )
            #expect(empty.status == 0 && empty.standardOutput.isEmpty)
        }
    }

    @Test("--wait prints the reply, or {\"id\":…} with status 0 when it timed out; --reply-to prints nothing")
    func waitAndReply() async throws {
        let bus = InMemoryMessageBus()
        let remote = X25519.SecretKey.generate().publicKey
        try await self.withMessageAPI(bus) { api in
            let timedOut = try await MyceliumProcess.runDetached(
                ["--api-addr", api, "message", "send", "--wait", "--timeout", "1", remote.hexString, "ping"]
            )
            #expect(timedOut.status == 0)
            let id = try #require(bus.sent.first?.id).hexString
            #expect(timedOut.standardOutput == #"{"id":"\#(id)"}"# + "\n")

            let incoming = try #require(bus.deliver(Array("question".utf8), from: remote))
            let replied = try await MyceliumProcess.runDetached(
                ["--api-addr", api, "message", "send", "--reply-to", incoming.id.hexString, remote.hexString, "answer"]
            )
            #expect(replied.status == 0 && replied.standardOutput.isEmpty)
            #expect(bus.sent.last?.inReplyTo == incoming.id && bus.sent.last?.message.payload == Array("answer".utf8))

            let unreachable = try await MyceliumProcess.runDetached(
                ["--api-addr", "127.0.0.1:1", "message", "send", remote.hexString, "x"]
            )
            #expect(unreachable.status != 0 && unreachable.standardError.hasPrefix("Error: "))
        }
    }
}
