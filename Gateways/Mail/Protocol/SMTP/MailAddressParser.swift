import MyceliumCore

/// Why a MAIL FROM / RCPT TO path was refused.
public enum MailAddressError: Error, Hashable, Sendable {
    /// Not RFC 5321 `Path` syntax (or not ASCII: SMTPUTF8 is not offered).
    case syntax
    /// Over an RFC 5321 §4.5.3.1 length limit (local part 64, domain 255, path 256 octets).
    case tooLong
    /// `<>` where a mailbox is required (RCPT TO).
    case nullPath
}

/// The RFC 5321 §4.1.2 grammar for paths and mailboxes, over bytes.
enum MailAddressParser {
    /// RFC 5321 §4.5.3.1.1: "The maximum total length of a user name or other local-part is 64 octets."
    static let maximumLocalPartLength = 64
    /// RFC 5321 §4.5.3.1.2: "The maximum total length of a domain name or number is 255 octets."
    static let maximumDomainLength = 255
    /// RFC 5321 §4.5.3.1.3: "The maximum total length of a reverse-path or forward-path is 256 octets (including the
    /// punctuation and element separators)."
    static let maximumPathLength = 256

    /// `Reverse-path = Path / "<>"`, `Path = "<" [ A-d-l ":" ] Mailbox ">"`; a source route (`A-d-l`, RFC 5321
    /// §4.1.2: "MUST BE accepted, SHOULD NOT be generated, and SHOULD be ignored") is checked and dropped. `nil` is the
    /// null path, accepted only when `allowNull`. Leniency: a mailbox without the angle brackets is accepted (Postfix
    /// does the same unless `strict_rfc821_envelopes`).
    static func parsePath(_ cursor: inout SMTPByteCursor, allowNull: Bool) throws(MailAddressError) -> MailAddress? {
        let start = cursor.remaining.count
        guard cursor.consume(UInt8(ascii: "<")) else {
            let address = try Self.parseMailbox(&cursor)
            guard start - cursor.remaining.count <= Self.maximumPathLength else { throw .tooLong }
            return address
        }
        if cursor.consume(UInt8(ascii: ">")) {
            guard allowNull else { throw .nullPath }
            return nil
        }
        if cursor.peek == UInt8(ascii: "@") {
            // A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain
            repeat {
                guard cursor.consume(UInt8(ascii: "@")) else { throw .syntax }
                _ = try Self.parseDomainName(&cursor)
            } while cursor.consume(UInt8(ascii: ","))
            guard cursor.consume(UInt8(ascii: ":")) else { throw .syntax }
        }
        let address = try Self.parseMailbox(&cursor)
        guard cursor.consume(UInt8(ascii: ">")) else { throw .syntax }
        guard start - cursor.remaining.count <= Self.maximumPathLength else { throw .tooLong }
        return address
    }

    /// `Mailbox = Local-part "@" ( Domain / address-literal )`.
    static func parseMailbox(_ cursor: inout SMTPByteCursor) throws(MailAddressError) -> MailAddress {
        let localPart = try Self.parseLocalPart(&cursor)
        guard cursor.consume(UInt8(ascii: "@")) else { throw .syntax }
        let domain: String
        if cursor.peek == UInt8(ascii: "[") {
            domain = try Self.parseAddressLiteral(&cursor)
        } else {
            domain = try Self.parseDomainName(&cursor)
        }
        return MailAddress(localPart: localPart, domain: domain)
    }

    /// `Local-part = Dot-string / Quoted-string`, returned as its value (quotes and quoted-pair backslashes removed).
    static func parseLocalPart(_ cursor: inout SMTPByteCursor) throws(MailAddressError) -> String {
        let start = cursor.remaining.count
        var value: [UInt8] = []
        if cursor.consume(UInt8(ascii: "\"")) {
            // Quoted-string = DQUOTE *QcontentSMTP DQUOTE; qtextSMTP = %d32-33 / %d35-91 / %d93-126;
            // quoted-pairSMTP = %d92 %d32-126
            while true {
                guard let byte = cursor.next() else { throw .syntax }
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    guard let escaped = cursor.next(), (32...126).contains(escaped) else { throw .syntax }
                    value.append(escaped)
                } else {
                    guard (32...126).contains(byte) else { throw .syntax }
                    value.append(byte)
                }
                guard start - cursor.remaining.count <= Self.maximumLocalPartLength else { throw .tooLong }
            }
        } else {
            value = Array(cursor.consume(while: { Self.isAtext($0) || $0 == UInt8(ascii: ".") }))
            guard Self.isDotString(value[...]) else { throw .syntax }
        }
        guard start - cursor.remaining.count <= Self.maximumLocalPartLength else { throw .tooLong }
        return String(decoding: value, as: UTF8.self)
    }

    /// `Domain = sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]`.
    static func parseDomainName(_ cursor: inout SMTPByteCursor) throws(MailAddressError) -> String {
        let name = cursor.consume(while: { Self.isLetDig($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        guard name.count <= Self.maximumDomainLength else { throw .tooLong }
        let labels = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard let first = label.first, let last = label.last, Self.isLetDig(first), Self.isLetDig(last) else {
                throw .syntax
            }
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal ) "]"`, returned as written. General
    /// address literals (`tag:content`) name no transport this gateway has and are refused.
    static func parseAddressLiteral(_ cursor: inout SMTPByteCursor) throws(MailAddressError) -> String {
        guard cursor.consume(UInt8(ascii: "[")) else { throw .syntax }
        let content = cursor.consume(while: { $0 != UInt8(ascii: "]") && (33...126).contains($0) })
        guard cursor.consume(UInt8(ascii: "]")) else { throw .syntax }
        guard content.count + 2 <= Self.maximumDomainLength else { throw .tooLong }
        guard Self.literalAddress(content) != nil else { throw .syntax }
        return "[" + String(decoding: content, as: UTF8.self) + "]"
    }

    /// The address inside a literal's brackets: `IPv6:` + RFC 4291 text, or a dotted IPv4 address (as `::ffff:a.b.c.d`,
    /// only for comparisons).
    static func literalAddress(_ content: ArraySlice<UInt8>) -> IPv6Address? {
        var inner = SMTPByteCursor(content)
        if inner.consumeCaseInsensitive("IPv6:") {
            return IPv6Address(String(decoding: inner.remaining, as: UTF8.self))
        }
        guard content.allSatisfy({ $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }),
            content.count <= 15
        else { return nil }
        return IPv6Address("::ffff:" + String(decoding: content, as: UTF8.self))
    }

    /// `Dot-string = Atom *("." Atom)`, `Atom = 1*atext`.
    static func isDotString(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy(Self.isAtext)
        }
    }

    /// RFC 5322 `atext`: ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" / "?" / "^" /
    /// "_" / "`" / "{" / "|" / "}" / "~".
    static func isAtext(_ byte: UInt8) -> Bool {
        Self.isLetDig(byte) || Self.atextSpecials.contains(byte)
    }

    private static let atextSpecials: Set<UInt8> = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    /// `Let-dig = ALPHA / DIGIT`.
    static func isLetDig(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
