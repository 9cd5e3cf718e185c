/// Why a command line was refused before it reached the session's state; each case maps to one reply.
public enum SMTPCommandError: Error, Hashable, Sendable {
    /// Not a command verb this server knows.
    case unknownCommand
    /// A known RFC 5321 command or extension this server does not offer (EXPN, TURN, BDAT, STARTTLS, ...).
    case notImplemented(String)
    /// Arguments that do not parse.
    case syntax(String)
    /// MAIL FROM's path does not parse.
    case badSender(MailAddressError)
    /// RCPT TO's path does not parse, or is `<>`.
    case badRecipient(MailAddressError)
    /// An ESMTP parameter this server does not offer.
    case unsupportedParameter(String)

    /// The reply (RFC 5321 §4.2.4 codes, RFC 3463 enhanced codes).
    public var reply: SMTPReply {
        switch self {
        case .unknownCommand: SMTPReply(code: 500, "5.5.1", "Command unrecognized")
        case .notImplemented: SMTPReply(code: 502, "5.5.1", "Command not implemented")
        case .syntax(let text): SMTPReply(code: 501, "5.5.4", text)
        case .badSender(.tooLong): SMTPReply(code: 501, "5.1.7", "Sender address too long")
        case .badSender: SMTPReply(code: 501, "5.1.7", "Bad sender address syntax")
        case .badRecipient(.tooLong): SMTPReply(code: 501, "5.1.3", "Recipient address too long")
        case .badRecipient: SMTPReply(code: 501, "5.1.3", "Bad recipient address syntax")
        case .unsupportedParameter: SMTPReply(code: 555, "5.5.4", "Unsupported parameter")
        }
    }
}
