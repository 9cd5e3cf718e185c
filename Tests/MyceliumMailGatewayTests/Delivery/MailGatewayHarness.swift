import Foundation
import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import Synchronization

@testable import MyceliumMailGateway

/// Mail gateways in one process, each on its own `InMemoryMessageBus`, with a relay standing in for the overlay: what
/// one bus sends to another's key or address arrives in that bus's inbox (`deliver`), unless the relay is paused (the
/// destination node is down) — then it is held and delivered on resume, like the node's store-and-forward.
final class MailGatewayHarness: Sendable {
    struct Node: Sendable {
        let bus: InMemoryMessageBus
        let gateway: MailGateway
        let accounts: AccountStore
        var domain: String { self.gateway.autoconfig.domain }
    }

    let nodes: [Node]
    let directory: String
    private let relayState = Mutex<(forwarded: [Int], paused: Set<Int>)>(([], []))

    init(count: Int, configure: (Int, inout MailGatewayConfiguration) -> Void = { _, _ in }, users: [[String]]) throws {
        self.directory = NSTemporaryDirectory() + "mail-harness-" + UUID().uuidString
        var nodes: [Node] = []
        for index in 0..<count {
            let bus = InMemoryMessageBus()
            let state = self.directory + "/node\(index)"
            let accounts = try AccountStore(path: state + "/accounts.sqlite")
            for user in users[index] { try accounts.add(user, password: Array("secret".utf8)) }
            var configuration = MailGatewayConfiguration()
            configuration.smtpListen = .init(host: "127.0.0.1", port: 0)
            configuration.imapListen = .init(host: "127.0.0.1", port: 0)
            configuration.autoconfigListen = .init(host: "127.0.0.1", port: 0)
            configure(index, &configuration)
            var logger = Logger(label: "mail-\(index)")
            logger.logLevel = .warning
            let context = GatewayContext(
                bus: bus, node: GatewayNode(publicKey: bus.publicKey), stateDirectory: state, accounts: accounts,
                logger: logger
            )
            nodes.append(Node(bus: bus, gateway: try MailGateway(configuration: configuration, context: context), accounts: accounts))
        }
        self.nodes = nodes
        self.relayState.withLock { $0.forwarded = Array(repeating: 0, count: count) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    func pause(_ index: Int) { self.relayState.withLock { _ = $0.paused.insert(index) } }
    func resume(_ index: Int) { self.relayState.withLock { _ = $0.paused.remove(index) } }

    /// Runs every gateway and the relay while `body` runs.
    func run(_ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in self.nodes {
                group.addTask { try await node.gateway.run() }
            }
            group.addTask {
                while !Task.isCancelled {
                    self.relayOnce()
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            try await body()
            group.cancelAll()
        }
    }

    /// Moves each bus's newly sent messages to their destinations (held while the destination is paused).
    private func relayOnce() {
        for (index, node) in self.nodes.enumerated() {
            let sent = node.bus.sent
            let start = self.relayState.withLock { $0.forwarded[index] }
            guard sent.count > start else { continue }
            var forwarded = start
            for message in sent[start...] {
                guard let target = self.nodes.firstIndex(where: { Self.matches(message.message.destination, $0.bus) })
                else {
                    forwarded += 1
                    continue
                }
                if self.relayState.withLock({ $0.paused.contains(target) }) { break }
                _ = self.nodes[target].bus.deliver(
                    message.message.payload, topic: message.message.topic, from: node.bus.publicKey
                )
                forwarded += 1
            }
            self.relayState.withLock { $0.forwarded[index] = forwarded }
        }
    }

    private static func matches(_ destination: MessageDestination, _ bus: InMemoryMessageBus) -> Bool {
        switch destination {
        case .ip(let address): address == bus.address
        case .publicKey(let key): key == bus.publicKey
        }
    }

    /// The messages in `user`'s INBOX on node `index`, oldest first.
    func inbox(_ index: Int, _ user: String) async throws -> [String] {
        let store = self.nodes[index].gateway.store
        guard let inbox = try await store.mailbox(user: user, named: "INBOX") else { return [] }
        let snapshot = try await store.snapshot(mailboxID: inbox.id)
        var messages: [String] = []
        for message in snapshot.messages {
            messages.append(String(decoding: try await store.messageBytes(mailboxID: inbox.id, uid: message.uid), as: UTF8.self))
        }
        return messages
    }

    /// Polls `condition` every 20 ms for up to `timeout`.
    static func eventually(
        timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}
