import ArgumentParser
import Foundation
import MyceliumCore
import MyceliumGatewayKit

/// `mycelium message receive [--timeout SECS] [-t|--topic TOPIC] [--msg-path FILE] [--raw]`, upstream's `recv_msg`
/// (`myceliumd/src/cli/message.rs`): takes (pops) the oldest message, under `--topic` if given, waiting up to
/// `--timeout` seconds ("a year" without it).
///
/// - Nothing arrived in time: prints nothing, exit status 0 (upstream only logs "No message ready yet" at debug level).
/// - `--msg-path`: the payload is written to that file, and left out of the JSON.
/// - `--raw`: only the payload bytes and a newline (nothing at all when `--msg-path` took the payload).
/// - Otherwise one line of compact JSON: `{"id","srcIp","srcPk","dstIp","dstPk","topic"?,"payload"?}` where topic and
///   payload are text if they are valid UTF-8, else standard base64.
struct MessageReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive a message.",
        usage: "mycelium message receive [--timeout <timeout>] [-t <topic>] [--msg-path <msg-path>] [--raw]"
    )

    @Option(name: .long, help: "Seconds to wait for a message. Without it, wait (nearly) forever.")
    var timeout: UInt64?

    @Option(name: [.customShort("t"), .long], help: "Only receive a message with this topic.")
    var topic: String?

    @Option(name: .customLong("msg-path"), help: "File in which the message body is saved.")
    var msgPath: String?

    @Option(name: .customLong("api-addr"), help: "Address of the HTTP API (default: the one given before 'message').")
    var apiAddr: MyceliumCore.SocketAddress?

    @Flag(name: .long, help: "Print only the message body, no metadata.")
    var raw = false

    /// A year, upstream's "forever".
    static let waitForever: UInt64 = 60 * 60 * 24 * 365

    func validate() throws {
        if let topic = self.topic, topic.utf8.count > OutgoingMessage.maximumTopicByteCount {
            throw ValidationError("\(topic) is longer than the maximum allowed topic length of 255")
        }
    }

    func run() async throws {
        throw MessageCommand.misuse
    }

    /// Receives through the API at `apiAddress` and prints upstream's output.
    func run(apiAddress: MyceliumCore.SocketAddress) async throws {
        let bus = HTTPMessageBus(apiAddress: apiAddress)
        let received: ReceivedMessage?
        do {
            received = try await bus.receive(
                peek: false,
                timeout: .seconds(Int64(clamping: self.timeout ?? Self.waitForever)),
                topic: self.topic.map { Array($0.utf8) }
            )
        } catch {
            throw AdminAPIClient.Failure(description: "failed to wait for a message: \(error)")
        }
        guard let message = received else { return }
        if let path = self.msgPath {
            do {
                try Data(message.payload).write(to: URL(fileURLWithPath: path))
            } catch {
                throw AdminAPIClient.Failure(
                    description: "failed to write the message payload to \(path): \(error.localizedDescription)"
                )
            }
        }
        if self.raw {
            if self.msgPath == nil { FileHandle.standardOutput.write(Data(message.payload + [0x0A])) }
        } else {
            let json = MessageCommand.cliJSON(message, includePayload: self.msgPath == nil)
            FileHandle.standardOutput.write(Data((json.compactText + "\n").utf8))
        }
    }
}
