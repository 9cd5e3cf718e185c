import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit

/// Where SMTP hands submitted mail: recipients on this node are delivered into their INBOX at once, recipients on
/// other nodes are queued (one queue entry per node) for the delivery agent. Either way the message is on disk before
/// `submit` returns, so the 250 that follows is a promise kept across crashes.
public struct MailRouter: MailSubmission {
    /// Where a recipient address leads.
    public enum Destination: Hashable, Sendable {
        case local(user: String)
        case remote(node: IPv6Address, user: String)
    }

    let node: GatewayNode
    let store: MailStore
    let queue: MailQueue
    let accounts: AccountStore
    let configuration: MailGatewayConfiguration
    let deliveryAgent: MailDeliveryAgent
    let clock: MailClock
    let logger: Logger

    /// Where `address` leads: this node (its overlay address in either form, or `localhost`), another overlay node, or
    /// nowhere (`nil`: not a Mycelium mail domain).
    public func destination(of address: MailAddress) -> Destination? {
        if address.isLocalhost { return .local(user: address.localPart.lowercased()) }
        guard let node = address.overlayNode else { return nil }
        if node == self.node.address { return .local(user: address.localPart.lowercased()) }
        return .remote(node: node, user: address.localPart)
    }

    public func check(recipient: MailAddress, from user: String) async -> MailRejection? {
        switch self.destination(of: recipient) {
        case nil:
            return MailRejection(
                code: 550, enhancedStatus: "5.1.2",
                text: "\(recipient.domain) is not a Mycelium mail domain; write user@[IPv6:<overlay address>] "
                    + "or user@<overlay address as 32 hex digits>.mycelium"
            )
        case .local(let name):
            return self.accounts.contains(name)
                ? nil : MailRejection(code: 550, enhancedStatus: "5.1.1", text: "No such user here: \(name)")
        case .remote(_, let name):
            guard !name.isEmpty, name.utf8.count <= MailEnvelope.maximumUserByteCount else {
                return MailRejection(code: 553, enhancedStatus: "5.1.3", text: "Local part too long")
            }
            return nil
        }
    }

    public func submit(_ mail: SubmittedMail) async throws(MailRejection) {
        let now = self.clock.milliseconds()
        let content = self.traced(mail, now: now)
        var localUsers: [String] = []
        var remote: [IPv6Address: [MailAddress]] = [:]
        var remoteOrder: [IPv6Address] = []
        for recipient in mail.recipients {
            switch self.destination(of: recipient) {
            case .local(let user):
                if !localUsers.contains(user) { localUsers.append(user) }
            case .remote(let node, _):
                if remote[node] == nil { remoteOrder.append(node) }
                if remote[node]?.contains(recipient) != true { remote[node, default: []].append(recipient) }
            case nil:
                continue
            }
        }
        let reversePath = mail.reversePath?.description ?? ""
        do {
            for user in localUsers {
                let delivered = MailContent.prepending(
                    ["Return-Path: <\(reversePath)>", "Delivered-To: \(user)@\(self.ownDomain)"], to: content
                )
                _ = try await self.store.deliver(to: user, message: delivered, internalDate: now / 1000)
            }
            var random = SecureRandom()
            let items = remoteOrder.map { node in
                QueuedMail(
                    id: random.next(), destination: node, sender: mail.user, reversePath: reversePath,
                    recipients: remote[node] ?? [], content: content, createdAt: now,
                    expiresAt: now + self.configuration.queueLifetime.milliseconds, nextAttemptAt: now
                )
            }
            if !items.isEmpty {
                try await self.queue.enqueue(items)
                self.deliveryAgent.wake()
            }
        } catch {
            self.logger.error("mail not accepted", metadata: ["user": "\(mail.user)", "error": "\(error)"])
            throw MailRouter.rejection(for: error)
        }
        self.logger.info(
            "mail accepted",
            metadata: [
                "user": "\(mail.user)", "local": "\(localUsers.count)", "nodes": "\(remoteOrder.count)",
                "bytes": "\(content.count)",
            ]
        )
    }

    /// `<32 hex digits>.mycelium` of this node.
    var ownDomain: String { MailAddress.mycelium(user: "x", node: self.node.address).domain }

    /// The message with a `Received:` trace field in front and, as RFC 6409 §8.2/§8.3 allow a submission server,
    /// `Date:` and `Message-ID:` added if the client left them out.
    func traced(_ mail: SubmittedMail, now: Int64) -> [UInt8] {
        let date = MailDateFormat.string(fromSeconds: now / 1000)
        var added: [String] = []
        if !MailContent.hasHeaderField("Date", in: mail.content) { added.append("Date: \(date)") }
        if !MailContent.hasHeaderField("Message-ID", in: mail.content) {
            added.append("Message-ID: <\(Hex.encode(SecureRandom.bytes(12)))@\(self.ownDomain)>")
        }
        let withFields = MailContent.appendingToHeader(added, in: mail.content)
        let client = mail.clientName.filter { $0.isASCII && !$0.isWhitespace && $0 != ";" }.prefix(255)
        return MailContent.prepending(
            ["Received: from \(client.isEmpty ? "unknown" : String(client)) by \(self.ownDomain) "
                + "(Mycelium mail gateway) with ESMTPA for <\(mail.recipients.first?.description ?? "")>;\r\n\t\(date)"],
            to: withFields
        )
    }

    /// The one place store failures become SMTP replies.
    static func rejection(for error: MailStoreError) -> MailRejection {
        switch error {
        case .messageTooLarge(_, let limit):
            MailRejection(code: 552, enhancedStatus: "5.3.4", text: "Message too big (at most \(limit) bytes)")
        case .noSuchMailbox, .mailboxExists, .invalidMailboxName, .notPermitted, .invalidFlags, .noSuchMessage,
            .storage:
            MailRejection(code: 451, enhancedStatus: "4.3.0", text: "Mail store unavailable, try again later")
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
