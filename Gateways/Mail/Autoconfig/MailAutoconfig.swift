import MyceliumCore

/// The account settings a mail client needs for this gateway, as Thunderbird's autoconfig file
/// (`/.well-known/autoconfig/mail/config-v1.1.xml`, the "clientConfig" format of Thunderbird's ISPDB) and as text for
/// `mycelium gateway mail autoconfig`.
public struct MailAutoconfig: Hashable, Sendable {
    public var nodeAddress: IPv6Address
    public var imap: MailGatewayConfiguration.Endpoint
    public var smtp: MailGatewayConfiguration.Endpoint

    public init(nodeAddress: IPv6Address, configuration: MailGatewayConfiguration) {
        self.nodeAddress = nodeAddress
        self.imap = configuration.imapListen
        self.smtp = configuration.smtpListen
    }

    /// `<32 hex digits>.mycelium`: the mail domain of this node.
    public var domain: String { MailAddress.mycelium(user: "x", node: self.nodeAddress).domain }

    /// A wildcard listener address is not something a client can connect to; it reaches the gateway on loopback.
    private static func clientHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0": "127.0.0.1"
        case "::": "::1"
        default: host
        }
    }

    /// The autoconfig XML. Thunderbird substitutes `%EMAILLOCALPART%` with the part of the address before `@`, which is
    /// the gateway's user name.
    public var xml: String {
        func server(_ kind: String, _ type: String, _ endpoint: MailGatewayConfiguration.Endpoint) -> String {
            """
                <\(kind) type="\(type)">
                  <hostname>\(Self.escaped(Self.clientHost(endpoint.host)))</hostname>
                  <port>\(endpoint.port)</port>
                  <socketType>plain</socketType>
                  <authentication>password-cleartext</authentication>
                  <username>%EMAILLOCALPART%</username>
                </\(kind)>
            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <clientConfig version="1.1">
              <emailProvider id="\(self.domain)">
                <domain>\(self.domain)</domain>
                <displayName>Mycelium mail gateway (\(self.nodeAddress))</displayName>
                <displayShortName>Mycelium</displayShortName>
            \(server("incomingServer", "imap", self.imap))
            \(server("outgoingServer", "smtp", self.smtp))
              </emailProvider>
            </clientConfig>

            """
    }

    /// The same settings for a person setting up a client by hand.
    public var text: String {
        """
        Email address:   USER@\(self.domain)
                         (also USER@[IPv6:\(self.nodeAddress)])
        Incoming (IMAP): \(Self.clientHost(self.imap.host)) port \(self.imap.port), no encryption (loopback), normal password
        Outgoing (SMTP): \(Self.clientHost(self.smtp.host)) port \(self.smtp.port), no encryption (loopback), normal password
        User name:       USER (an account made with `mycelium user add USER`)
        Others write to you as USER@\(self.domain).

        """
    }

    private static func escaped(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
