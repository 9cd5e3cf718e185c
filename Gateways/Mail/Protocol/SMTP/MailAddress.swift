/// An RFC 5321 mailbox `local-part@domain` as a client wrote it in MAIL FROM or RCPT TO. (The SMTP helper writes its
/// parser and the overlay forms of `domain`.)
public struct MailAddress: Hashable, Sendable {
    public var localPart: String
    public var domain: String

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }
}
