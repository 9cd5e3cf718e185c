import Logging
import MyceliumCrypto
import MyceliumCore
import MyceliumGatewayKit

/// Tells a local sender that some recipients did not get a message: an RFC 3464 delivery status notification
/// (`multipart/report`, human-readable part, `message/delivery-status`, the original header) filed straight into the
/// sender's INBOX — the sender is always a user of this node, so no mail has to travel.
struct MailBouncer: Sendable {
    let node: GatewayNode
    let store: MailStore
    let clock: MailClock
    let logger: Logger

    /// The original header quoted in a bounce is cut at this many bytes.
    static let maximumQuotedHeaderByteCount = 64 << 10

    /// Files a bounce for `item` listing `failures` (recipient, SMTP reply line). Mail sent with the null reverse path
    /// `<>` is never bounced (RFC 5321 §4.5.5).
    func bounce(_ item: QueuedMail, failures: [(MailAddress, String)]) async {
        guard !failures.isEmpty, !item.reversePath.isEmpty else { return }
        let message = self.report(for: item, failures: failures)
        do {
            _ = try await self.store.deliver(to: item.sender, message: message, internalDate: self.clock.milliseconds() / 1000)
            self.logger.info("mail bounced", metadata: ["id": "\(item.id)", "user": "\(item.sender)", "failed": "\(failures.count)"])
        } catch {
            self.logger.error("bounce not filed", metadata: ["id": "\(item.id)", "error": "\(error)"])
        }
    }

    /// The bounce's bytes (CRLF line ends).
    func report(for item: QueuedMail, failures: [(MailAddress, String)]) -> [UInt8] {
        let domain = MailAddress.mycelium(user: "x", node: self.node.address).domain
        let now = self.clock.milliseconds() / 1000
        let boundary = "mycelium-bounce-" + Hex.encode(SecureRandom.bytes(8))
        var lines: [String] = [
            "From: Mail Delivery System <MAILER-DAEMON@\(domain)>",
            "To: <\(item.sender)@\(domain)>",
            "Subject: Undelivered Mail Returned to Sender",
            "Date: \(MailDateFormat.string(fromSeconds: now))",
            "Message-ID: <\(Hex.encode(SecureRandom.bytes(12)))@\(domain)>",
            "Auto-Submitted: auto-replied",
            "MIME-Version: 1.0",
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "This is the Mycelium mail gateway of \(domain).",
            "",
            "Your message could not be delivered to \(failures.count == 1 ? "this recipient" : "these recipients"):",
            "",
        ]
        for (recipient, reason) in failures {
            lines.append("  <\(recipient)>: \(reason)")
        }
        lines += [
            "",
            "--\(boundary)",
            "Content-Type: message/delivery-status",
            "",
            "Reporting-MTA: dns; \(domain)",
            "Arrival-Date: \(MailDateFormat.string(fromSeconds: item.createdAt / 1000))",
        ]
        for (recipient, reason) in failures {
            let parts = reason.split(separator: " ", maxSplits: 2)
            let status = parts.count > 1 ? String(parts[1]) : "5.0.0"
            lines += [
                "",
                "Final-Recipient: rfc822; \(recipient)",
                "Action: failed",
                "Status: \(status)",
                "Remote-MTA: dns; \(MailAddress.mycelium(user: "x", node: item.destination).domain)",
                "Diagnostic-Code: smtp; \(reason)",
            ]
        }
        lines += ["", "--\(boundary)", "Content-Type: text/rfc822-headers", ""]
        var bytes = Array(lines.joined(separator: "\r\n").utf8) + [13, 10]
        bytes += Self.header(of: item.content)
        bytes += Array("\r\n--\(boundary)--\r\n".utf8)
        return bytes
    }

    /// The header of `content` (up to and without the empty line), at most `maximumQuotedHeaderByteCount` bytes, cut
    /// at a line end.
    static func header(of content: [UInt8]) -> [UInt8] {
        var end = 0
        while end < content.count, end < Self.maximumQuotedHeaderByteCount {
            guard let newline = content[end...].firstIndex(of: UInt8(ascii: "\n")) else {
                end = content.count
                break
            }
            let lineLength = newline - end
            if lineLength == 0 || (lineLength == 1 && content[end] == UInt8(ascii: "\r")) { break }
            end = newline + 1
        }
        var header = Array(content[..<min(end, content.count)])
        if header.last != UInt8(ascii: "\n") { header += [13, 10] }
        return header
    }
}
