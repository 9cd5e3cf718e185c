/// One SMTP command line (RFC 5321 §4.1.1, RFC 4954 §4), parsed.
public enum SMTPCommand: Hashable, Sendable {
    case ehlo(String)
    case helo(String)
    /// `AUTH mechanism [initial-response]`; the mechanism upper-cased, the response as sent (`=` is empty).
    case auth(mechanism: String, initialResponse: [UInt8]?)
    /// MAIL FROM; `nil` is the null reverse-path `<>`.
    case mail(from: MailAddress?, parameters: SMTPMailParameters)
    case rcpt(to: MailAddress)
    case data
    case rset
    case noop
    case quit
    case vrfy
    case help

    /// Parses a command line (without its CRLF). Verbs and the `FROM:`/`TO:` keywords are case-insensitive; spaces
    /// after the colon are tolerated (many clients send `MAIL FROM: <a@b>`).
    public init(parsing line: [UInt8]) throws(SMTPCommandError) {
        var cursor = SMTPByteCursor(line[...])
        let verbBytes = cursor.consume(while: { $0 != UInt8(ascii: " ") })
        guard let verb = SMTPByteCursor.asciiUppercased(verbBytes), verbBytes.count <= 16 else {
            throw .unknownCommand
        }
        cursor.skipSpaces()
        var argument = cursor.remaining
        while argument.last == UInt8(ascii: " ") { argument.removeLast() }

        switch verb {
        case "EHLO", "HELO":
            // RFC 5321 §4.1.1.1: "ehlo = "EHLO" SP ( Domain / address-literal ) CRLF". Any printable word is taken:
            // it is only used in the trace field.
            guard !argument.isEmpty, argument.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw .syntax("Syntax: \(verb) hostname")
            }
            let name = String(decoding: argument, as: UTF8.self)
            self = verb == "EHLO" ? .ehlo(name) : .helo(name)
        case "AUTH":
            let words = argument.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard (1...2).contains(words.count), let mechanism = SMTPByteCursor.asciiUppercased(words[0]) else {
                throw .syntax("Syntax: AUTH mechanism [initial-response]")
            }
            self = .auth(mechanism: mechanism, initialResponse: words.count == 2 ? Array(words[1]) : nil)
        case "MAIL":
            var rest = SMTPByteCursor(argument)
            guard rest.consumeCaseInsensitive("FROM:") else { throw .syntax("Syntax: MAIL FROM:<address>") }
            rest.skipSpaces()
            let path: MailAddress?
            do throws(MailAddressError) {
                path = try MailAddressParser.parsePath(&rest, allowNull: true)
            } catch {
                throw .badSender(error)
            }
            guard rest.isAtEnd || rest.peek == UInt8(ascii: " ") else { throw .badSender(.syntax) }
            let parameters = try SMTPMailParameters(parsing: rest.remaining)
            self = .mail(from: path, parameters: parameters)
        case "RCPT":
            var rest = SMTPByteCursor(argument)
            guard rest.consumeCaseInsensitive("TO:") else { throw .syntax("Syntax: RCPT TO:<address>") }
            rest.skipSpaces()
            let path: MailAddress?
            do throws(MailAddressError) {
                path = try MailAddressParser.parsePath(&rest, allowNull: false)
            } catch {
                throw .badRecipient(error)
            }
            guard let path, rest.isAtEnd || rest.peek == UInt8(ascii: " ") else { throw .badRecipient(.syntax) }
            rest.skipSpaces()
            // RCPT parameters (DSN's NOTIFY/ORCPT) are not offered.
            if !rest.isAtEnd {
                let keyword = rest.consume(while: { $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: " ") })
                throw .unsupportedParameter(SMTPByteCursor.asciiUppercased(keyword) ?? "")
            }
            self = .rcpt(to: path)
        case "DATA", "RSET", "QUIT":
            guard argument.isEmpty else { throw .syntax("Syntax: \(verb)") }
            self = verb == "DATA" ? .data : verb == "RSET" ? .rset : .quit
        case "NOOP":
            self = .noop
        case "HELP":
            self = .help
        case "VRFY":
            guard !argument.isEmpty else { throw .syntax("Syntax: VRFY address") }
            self = .vrfy
        case "EXPN", "TURN", "ETRN", "ATRN", "BDAT", "STARTTLS", "SEND", "SOML", "SAML":
            throw .notImplemented(verb)
        default:
            throw .unknownCommand
        }
    }
}
