import MyceliumGatewayKit

/// The `[gateways.mail]` section: where the mail gateway listens and whom it accepts mail from.
public struct MailGatewayConfiguration: Hashable, Sendable {
    /// A `host:port` a listener binds (port 0 picks a free one).
    public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `127.0.0.1:2525`, `[::1]:2525`, `localhost:2525`; `nil` for anything else.
        public init?(_ text: String) {
            let host: Substring
            let portText: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                    return nil
                }
                host = text[text.index(after: text.startIndex)..<close]
                portText = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, host.utf8.count <= 253, (1...5).contains(portText.count),
                portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), port <= 65_535
            else { return nil }
            self.init(host: String(host), port: port)
        }

        public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
    }

    /// Whether the node runs the gateway (`enabled`).
    public var isEnabled = true
    /// SMTP submission listener (`smtp_listen`).
    public var smtpListen = Endpoint(host: "127.0.0.1", port: 2525)
    /// IMAP listener (`imap_listen`).
    public var imapListen = Endpoint(host: "127.0.0.1", port: 1143)
    /// HTTP listener serving Thunderbird's autoconfig file (`autoconfig_listen`).
    public var autoconfigListen = Endpoint(host: "127.0.0.1", port: 8143)
    /// Remote nodes whose mail is accepted (`allow`): by default every node, as a mail exchanger accepts mail from
    /// anyone; the local user still has to exist.
    public var allow = NodeAllowList.everyone
    /// The largest message accepted by SMTP, APPEND and from remote nodes (`max_message_size`, bytes).
    public var maximumMessageSize = 50 << 20
    /// How long a message for another node is retried before it bounces (`queue_lifetime_seconds`): 5 days, as
    /// Postfix's `maximal_queue_lifetime`.
    public var queueLifetime = Duration.seconds(5 * 86_400)
    /// How long the gateway waits for the remote gateway's delivery report before handing the message to the bus again
    /// (`resend_interval_seconds`). The bus itself retries in between; this covers a bus that gave up or lost it.
    public var resendInterval = Duration.seconds(30 * 60)
    /// Largest number of simultaneous connections per listener.
    public var maximumConnections = 256

    public init() {}

    /// Accepted range of `max_message_size`: 1 KiB to 1 GiB.
    public static let maximumMessageSizeRange = 1024...(1 << 30)
}
