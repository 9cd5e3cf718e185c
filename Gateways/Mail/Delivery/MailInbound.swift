import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import NIOCore

/// Takes the mail topic's messages off the bus: deliveries from other nodes' gateways (checked against the allow-list
/// and the local accounts, stored, then answered with a report), and reports on this gateway's own outbound mail
/// (handed to the delivery agent).
struct MailInbound: Sendable {
    let node: GatewayNode
    let store: MailStore
    let queue: MailQueue
    let accounts: AccountStore
    let configuration: MailGatewayConfiguration
    let bus: any MessageBus
    let deliveryAgent: MailDeliveryAgent
    let clock: MailClock
    let logger: Logger

    /// Consumes the mail topic until the task is cancelled (or the bus goes away for good).
    func run() async {
        do {
            for try await message in self.bus.messages(topic: MailEnvelope.topic) {
                await self.handle(message)
            }
        } catch {
            self.logger.error("mail topic subscription ended", metadata: ["error": "\(error)"])
        }
    }

    func handle(_ message: ReceivedMessage) async {
        var payload = ByteBuffer(bytes: message.payload)
        let envelope: MailEnvelope
        do {
            envelope = try payload.readMailEnvelope()
        } catch {
            self.logger.notice(
                "malformed mail envelope dropped", metadata: ["from": "\(message.source)", "error": "\(error)"]
            )
            return
        }
        switch envelope {
        case .report(let report):
            await self.deliveryAgent.handle(report, from: message.source)
        case .delivery(let delivery):
            await self.receive(delivery, from: message)
        }
    }

    private func receive(_ delivery: MailDelivery, from message: ReceivedMessage) async {
        let source = message.source
        do {
            if let previous = try await self.queue.report(source: source, id: delivery.id) {
                await self.send(report: previous, to: message.sourceKey)
                return
            }
            let report = await self.deliver(delivery, from: message)
            var encoded = ByteBuffer()
            encoded.writeMailEnvelope(.report(report))
            let bytes = Array(buffer: encoded)
            // A delivery that failed only for now is not remembered, so the sender's next attempt tries again.
            if !report.results.contains(where: { (400..<500).contains($0.code) }) {
                try await self.queue.recordReceived(
                    source: source, id: delivery.id, report: bytes, now: self.clock.milliseconds()
                )
            }
            await self.send(report: bytes, to: message.sourceKey)
        } catch {
            // Nothing answered: the sender resends after its interval.
            self.logger.error("mail delivery not recorded", metadata: ["from": "\(source)", "error": "\(error)"])
        }
    }

    /// Stores the message for each recipient it may reach and says how each fared.
    private func deliver(_ delivery: MailDelivery, from message: ReceivedMessage) async -> MailDeliveryReport {
        func results(_ code: Int, _ status: String, _ text: String) -> MailDeliveryReport {
            MailDeliveryReport(
                id: delivery.id,
                results: delivery.recipients.map { .init(recipient: $0, code: code, enhancedStatus: status, text: text) }
            )
        }
        guard self.configuration.allow.allows(message.sourceKey) else {
            self.logger.notice("mail from a node not allowed refused", metadata: ["from": "\(message.source)"])
            return results(550, "5.7.1", "This node does not accept mail from \(message.source)")
        }
        guard delivery.content.count <= self.configuration.maximumMessageSize else {
            return results(552, "5.3.4", "Message too big (at most \(self.configuration.maximumMessageSize) bytes)")
        }
        let senderDomain = MailAddress.mycelium(user: "x", node: message.source).domain
        let ownDomain = MailAddress.mycelium(user: "x", node: self.node.address).domain
        let now = self.clock.milliseconds()
        var report = MailDeliveryReport(id: delivery.id, results: [])
        var delivered: [String] = []
        for recipient in delivery.recipients {
            let user = recipient.lowercased()
            guard self.accounts.contains(user) else {
                report.results.append(.init(recipient: recipient, code: 550, enhancedStatus: "5.1.1", text: "No such user here"))
                continue
            }
            if delivered.contains(user) {
                report.results.append(.init(recipient: recipient, code: 250, enhancedStatus: "2.0.0", text: "Delivered"))
                continue
            }
            let content = MailContent.prepending(
                [
                    "Return-Path: <\(delivery.sender)@\(senderDomain)>",
                    "Delivered-To: \(user)@\(ownDomain)",
                    "Received: from \(senderDomain) by \(ownDomain) (Mycelium mail gateway) with MYCELIUM id "
                        + "\(delivery.id) for <\(user)@\(ownDomain)>;\r\n\t\(MailDateFormat.string(fromSeconds: now / 1000))",
                ],
                to: delivery.content
            )
            do {
                _ = try await self.store.deliver(to: user, message: content, internalDate: now / 1000)
                delivered.append(user)
                report.results.append(.init(recipient: recipient, code: 250, enhancedStatus: "2.0.0", text: "Delivered"))
            } catch {
                let rejection = MailRouter.rejection(for: error)
                report.results.append(
                    .init(recipient: recipient, code: rejection.code, enhancedStatus: rejection.enhancedStatus, text: rejection.text)
                )
            }
        }
        self.logger.info(
            "mail received",
            metadata: ["from": "\(message.source)", "id": "\(delivery.id)", "delivered": "\(delivered.count)"]
        )
        return report
    }

    private func send(report: [UInt8], to key: X25519.PublicKey) async {
        let message = OutgoingMessage(destination: .publicKey(key), topic: MailEnvelope.topic, payload: report)
        do {
            _ = try await self.bus.send(message, replyTimeout: nil)
        } catch {
            self.logger.notice("mail report not sent", metadata: ["error": "\(error)"])
        }
    }
}
