import ArgumentParser
import Foundation
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit

/// `mycelium message send [-w|--wait] [--timeout SECS] [-t|--topic TOPIC] [--msg-path FILE] [--reply-to ID]
/// DESTINATION [MESSAGE]`, upstream's `send_msg` (`myceliumd/src/cli/message.rs`):
///
/// - DESTINATION is a 64-hex-character public key, or an IPv6 address inside `400::/7`;
/// - the payload is the file at `--msg-path` if given (it wins), else MESSAGE's UTF-8;
/// - the topic is `--topic`'s UTF-8;
/// - output, one line of compact JSON: `{"id":"<16 hex>"}` once sent — also when `--wait` timed out (HTTP 408, exit
///   status 0) — or, when the reply came, the reply as `message receive` prints it; nothing for `--reply-to`;
/// - `--wait` without `--timeout` waits "a year", as upstream (in practice one HTTP request of at most 6 days).
struct MessageSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message.",
        usage: """
            mycelium message send [--wait] [--timeout <timeout>] [-t <topic>] [--msg-path <msg-path>] \
            [--reply-to <reply-to>] <destination> [<message>]
            """
    )

    @Flag(name: [.customShort("w"), .long], help: "Wait for a reply from the receiver.")
    var wait = false

    @Option(
        name: .long,
        help: "Seconds to wait for the reply; only with --wait. With --wait and without this, wait (nearly) forever."
    )
    var timeout: UInt64?

    @Option(name: [.customShort("t"), .long], help: "Topic of the message; receivers can filter on it.")
    var topic: String?

    @Option(name: .customLong("msg-path"), help: "File whose content is the message (instead of MESSAGE).")
    var msgPath: String?

    @Option(name: .customLong("reply-to"), help: "Send the message as the reply to the received message with this ID.")
    var replyTo: String?

    @Option(name: .customLong("api-addr"), help: "Address of the HTTP API (default: the one given before 'message').")
    var apiAddr: MyceliumCore.SocketAddress?

    @Argument(help: "A hex encoded public key, or an IPv6 address in 400::/7.")
    var destination: String

    @Argument(help: "The message to send; required unless --msg-path is given.")
    var message: String?

    /// A year, upstream's "forever" for `--wait` without `--timeout`.
    static let waitForever: UInt64 = 60 * 60 * 24 * 365

    func validate() throws {
        if self.replyTo != nil && self.wait {
            throw ValidationError("Only one of --reply-to or --wait is allowed")
        }
        if self.msgPath == nil && self.message == nil {
            throw ValidationError("Message is a required argument if `--msg-path` is not provided")
        }
        if let topic = self.topic, topic.utf8.count > OutgoingMessage.maximumTopicByteCount {
            throw ValidationError("Topic is \(topic.utf8.count) bytes, at most 255 are allowed")
        }
        _ = try Self.parseDestination(self.destination)
        if let replyTo = self.replyTo, MessageID(hexString: replyTo) == nil {
            throw ValidationError("\(replyTo) is not a valid message ID (16 hex characters)")
        }
    }

    func run() async throws {
        throw MessageCommand.misuse
    }

    /// Sends through the API at `apiAddress` and prints upstream's output.
    func run(apiAddress: MyceliumCore.SocketAddress) async throws {
        // The node's limit is unknown here (it may be raised up to 1 GiB); anything within that range is left for the
        // node to refuse (HTTP 413).
        let bus = HTTPMessageBus(
            apiAddress: apiAddress, maximumMessageSize: ConfigFile.maximumMessageSizeRange.upperBound
        )
        let destination = try Self.parseDestination(self.destination)
        let payload = try self.payload(limit: bus.maximumMessageSize)
        let topic = Array((self.topic ?? "").utf8)
        let outgoing = OutgoingMessage(destination: destination, topic: topic, payload: payload)
        do {
            if let replyTo = self.replyTo {
                guard let id = MessageID(hexString: replyTo) else {
                    throw AdminAPIClient.Failure(description: "\(replyTo) is not a valid message ID")
                }
                try await bus.reply(to: id, with: outgoing)
                return
            }
            let outcome = try await bus.send(
                outgoing, replyTimeout: self.wait ? .seconds(Int64(clamping: self.timeout ?? Self.waitForever)) : nil
            )
            switch outcome {
            case .accepted(let id), .replyTimedOut(let id): print(id.idObject.compactText)
            case .reply(let reply): print(MessageCommand.cliJSON(reply, includePayload: true).compactText)
            }
        } catch let error as MessageBusError {
            throw AdminAPIClient.Failure(description: "failed to send the message: \(error)")
        }
    }

    /// A 64-character destination is a public key; anything else must be an overlay IPv6 address.
    static func parseDestination(_ text: String) throws -> MessageDestination {
        if text.utf8.count == 64 {
            guard let key = try? X25519.PublicKey(hexString: text) else {
                throw ValidationError("\(text) is not a valid hex encoded public key")
            }
            return .publicKey(key)
        }
        guard let address = IPv6Address(text) else {
            throw ValidationError("\(text) is not a valid IPv6 address")
        }
        guard Subnet.overlay.contains(address) else {
            throw ValidationError("\(text) is not a part of \(Subnet.overlay)")
        }
        return .ip(address)
    }

    /// The file at `--msg-path` (refused above `limit` bytes, before it is read), else MESSAGE.
    private func payload(limit: Int) throws -> [UInt8] {
        guard let path = self.msgPath else { return Array((self.message ?? "").utf8) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limit else {
            throw AdminAPIClient.Failure(description: "\(path) is \(size) bytes, at most \(limit) can be sent")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count <= limit else {
                throw AdminAPIClient.Failure(
                    description: "\(path) is \(data.count) bytes, at most \(limit) can be sent"
                )
            }
            return [UInt8](data)
        } catch let failure as AdminAPIClient.Failure {
            throw failure
        } catch {
            throw AdminAPIClient.Failure(description: "could not read file at \(path): \(error.localizedDescription)")
        }
    }
}
