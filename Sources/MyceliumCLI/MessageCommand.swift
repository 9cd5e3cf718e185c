import ArgumentParser
import Foundation
import MyceliumCore

/// `mycelium message send|receive` (spec §6.1, upstream `myceliumd/src/cli/message.rs`), against the HTTP API at the
/// root's `--api-addr` (or, beyond upstream, an `--api-addr` given after the verb).
///
/// Why this command parses its verbs itself: the root's node flags include `-t` (`--tcp-listen-port`), and
/// swift-argument-parser lets a parent command claim its options anywhere on the line, so `message send -t chat …`
/// would fail as "invalid value 'chat' for -t". (In upstream's clap, root flags end at the subcommand.) Declaring a
/// pass-through argument here makes the root stop parsing at `message`; ``verb()`` then parses what follows as
/// ``MessageSendCommand`` or ``MessageReceiveCommand``, which are also listed as subcommands for `--help`.
struct MessageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "message",
        abstract: "Actions on the message subsystem (send, receive).",
        subcommands: [MessageSendCommand.self, MessageReceiveCommand.self]
    )

    @ParentCommand var root: MyceliumCommand

    /// Everything after `message`: the verb and its arguments.
    @Argument(parsing: .captureForPassthrough, help: .private)
    var arguments: [String] = []

    /// What the command line after `message` asks for.
    enum Verb {
        case send(MessageSendCommand)
        case receive(MessageReceiveCommand)
    }

    /// An error a verb's run() reports when it is reached without going through ``MessageCommand`` (never, in
    /// practice: the pass-through argument keeps the parser from dispatching to the verbs directly).
    static let misuse = AdminAPIClient.Failure(description: "run `mycelium message send|receive …`")

    /// Parses ``arguments`` into a verb; throws the argument parser's errors (and `CleanExit` for help requests), to
    /// be reported by the verb's own type.
    func verb() throws -> Verb {
        guard let name = self.arguments.first else { throw CleanExit.helpRequest(self) }
        let rest = Array(self.arguments.dropFirst())
        switch name {
        case MessageSendCommand._commandName: return .send(try MessageSendCommand.parse(rest))
        case MessageReceiveCommand._commandName: return .receive(try MessageReceiveCommand.parse(rest))
        case "-h", "--help", "help": throw CleanExit.helpRequest(self)
        default: throw ValidationError("unknown message action '\(name)', expected send or receive")
        }
    }

    func run() async throws {
        let verb: Verb
        do {
            verb = try self.verb()
        } catch {
            // A verb's parse error (or help) reads as that verb's own; anything else goes to the root.
            switch self.arguments.first {
            case MessageSendCommand._commandName: Self.exit(reporting: error, of: MessageSendCommand.self)
            case MessageReceiveCommand._commandName: Self.exit(reporting: error, of: MessageReceiveCommand.self)
            default: throw error
            }
        }
        switch verb {
        case .send(let send): try await send.run(apiAddress: send.apiAddr ?? self.root.node.apiAddr)
        case .receive(let receive): try await receive.run(apiAddress: receive.apiAddr ?? self.root.node.apiAddr)
        }
    }

    /// Reports a verb's parse error as the argument parser would for `mycelium message <verb>` (help requests print
    /// the verb's help) and exits with the parser's status.
    private static func exit(reporting error: any Error, of verb: any ParsableCommand.Type) -> Never {
        let code = verb.exitCode(for: error)
        guard code != .success else { verb.exit(withError: error) }
        printToStandardError("Error: \(verb.message(for: error))")
        printToStandardError("Usage: \(verb.usageString())")
        printToStandardError("  See 'mycelium help message \(verb._commandName)' for more information.")
        Foundation.exit(code.rawValue)
    }

    /// Upstream's `CliMessage`: `{"id","srcIp","srcPk","dstIp","dstPk","topic"?,"payload"?}` with the topic and the
    /// payload as text when they are valid UTF-8, else standard base64. An empty topic is left out, as is the payload
    /// when `--msg-path` took it.
    static func cliJSON(_ message: ReceivedMessage, includePayload: Bool) -> JSONValue {
        var members = [
            JSONMember("id", .string(message.id.hexString)),
            JSONMember("srcIp", .string(message.source.description)),
            JSONMember("srcPk", .string(message.sourceKey.hexString)),
            JSONMember("dstIp", .string(message.destination.description)),
            JSONMember("dstPk", .string(message.destinationKey.hexString)),
        ]
        if !message.topic.isEmpty { members.append(JSONMember("topic", .string(Self.readable(message.topic)))) }
        if includePayload { members.append(JSONMember("payload", .string(Self.readable(message.payload)))) }
        return .object(members)
    }

    /// The bytes as text if they are valid UTF-8, else as standard base64 (upstream's `Payload::Readable` /
    /// `NotReadable`).
    static func readable(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? Base64.encode(bytes)
    }
}
