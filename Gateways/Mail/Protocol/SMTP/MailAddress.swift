/// An RFC 5321 mailbox `local-part@domain` as a client wrote it in MAIL FROM or RCPT TO.
///
/// `localPart` is the local part's value: a quoted-string local part is stored without its quotes and backslashes
/// (`"a b"@x` has `localPart` `a b`); ``description`` quotes it again when it is not a dot-string. `domain` is kept as
/// written: a name (`example.org`, `<32 hex>.mycelium`) or an address literal (`[1.2.3.4]`, `[IPv6:400::1]`).
/// See `MailAddress+Path.swift` for the parser and `MailAddress+Overlay.swift` for the overlay forms.
public struct MailAddress: Hashable, Sendable {
    public var localPart: String
    public var domain: String

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    /// Parses a bare RFC 5321 `Mailbox` (`local-part@domain`, no angle brackets), or returns `nil`.
    public init?(mailbox text: String) {
        var cursor = SMTPByteCursor(Array(text.utf8)[...])
        guard let address = try? MailAddressParser.parseMailbox(&cursor), cursor.isAtEnd else { return nil }
        self = address
    }
}

extension MailAddress: CustomStringConvertible {
    /// The RFC 5321 `Mailbox` text: the local part as a dot-string when it is one, else as a quoted-string.
    public var description: String {
        let bytes = Array(self.localPart.utf8)
        if MailAddressParser.isDotString(bytes[...]) { return self.localPart + "@" + self.domain }
        var quoted = "\""
        for character in self.localPart {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\"@" + self.domain
    }

    /// The RFC 5321 `Path` form, `<local@domain>`.
    public var pathDescription: String { "<" + self.description + ">" }
}
