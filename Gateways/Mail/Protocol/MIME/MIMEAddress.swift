/// One element of an IMAP ENVELOPE address list (RFC 3501 §7.4.2): a mailbox, or the start / end marker of an
/// RFC 5322 group.
enum MIMEAddress: Sendable, Equatable {
    /// `(name adl mailbox host)`.
    case mailbox(name: [UInt8]?, route: [UInt8]?, mailbox: [UInt8], host: [UInt8])
    /// `(NIL NIL "group-name" NIL)`.
    case groupStart(name: [UInt8])
    /// `(NIL NIL NIL NIL)`.
    case groupEnd

    /// RFC 5322 §3.4 `address-list`, parsed leniently: display names (quoted strings unquoted, words joined by one
    /// space), comments (the last one names an addr-spec without display name), groups, angle-addr with an obsolete
    /// route, bare addr-spec. Junk is skipped; a missing local part or domain is written `MISSING_MAILBOX` /
    /// `MISSING_DOMAIN` (as Dovecot writes them), so a mailbox cannot be mistaken for a group marker. At most `maxAddresses` elements.
    static func parseList(_ bytes: [UInt8]) -> [MIMEAddress] {
        var parser = MIMEAddressParser(tokens: MIMEAddressParser.tokenize(bytes))
        return parser.parseList()
    }

    static let maxAddresses = 1_000
    static let missingDomain = Array("MISSING_DOMAIN".utf8)
    static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    static let invalidRoute = Array("INVALID_ROUTE".utf8)

    /// A mailbox element with Dovecot's placeholders for an empty local part or domain.
    static func makeMailbox(name: [UInt8]?, route: [UInt8]?, local: [UInt8], domain: [UInt8]) -> MIMEAddress {
        .mailbox(
            name: name,
            route: route,
            mailbox: local.isEmpty ? missingMailbox : local,
            host: domain.isEmpty ? missingDomain : domain
        )
    }
}

/// The token-level parser behind `MIMEAddress.parseList`. Every loop consumes at least one token per iteration.
struct MIMEAddressParser {
    enum Token: Equatable {
        case word([UInt8], quoted: Bool)
        case special(UInt8)
        case literal([UInt8])
        case comment([UInt8])
    }

    let tokens: [Token]
    var index = 0
    var output: [MIMEAddress] = []

    /// RFC 5322 §3.2.3 specials for addresses: `()<>[]:;@\,."` (8-bit bytes are taken as atext).
    static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var scanner = MIMEScanner(bytes)
        var tokens: [Token] = []
        let specials = Array("<>:;@,.".utf8)
        while let byte = scanner.peek {
            switch byte {
            case 32, 9, 13, 10:
                scanner.advance()
            case UInt8(ascii: "("):
                tokens.append(.comment(scanner.comment()))
            case UInt8(ascii: "\""):
                tokens.append(.word(scanner.quotedString(), quoted: true))
            case UInt8(ascii: "["):
                var literal: [UInt8] = []
                while let next = scanner.peek {
                    scanner.advance()
                    if next == 13 || next == 10 { continue }
                    literal.append(next)
                    if next == UInt8(ascii: "]") { break }
                }
                tokens.append(.literal(literal))
            case _ where specials.contains(byte):
                tokens.append(.special(byte))
                scanner.advance()
            default:
                var atom: [UInt8] = []
                while let next = scanner.peek, next > 32, next != 127, !specials.contains(next),
                    next != UInt8(ascii: "("), next != UInt8(ascii: ")"), next != UInt8(ascii: "\""),
                    next != UInt8(ascii: "["), next != UInt8(ascii: "]")
                {
                    atom.append(next)
                    scanner.advance()
                }
                if atom.isEmpty {
                    // A stray `)`, `]`, control or DEL byte: skip it.
                    scanner.advance()
                } else {
                    tokens.append(.word(atom, quoted: false))
                }
            }
        }
        return tokens
    }

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    var current: Token? { self.index < self.tokens.count ? self.tokens[self.index] : nil }

    mutating func parseList() -> [MIMEAddress] {
        while self.index < self.tokens.count, self.output.count < MIMEAddress.maxAddresses {
            let before = self.index
            self.parseAddress(inGroup: false)
            if self.index == before { self.index += 1 }
        }
        return self.output
    }

    /// RFC 5322 §3.4 `address = mailbox / group`.
    mutating func parseAddress(inGroup: Bool) {
        if case .special(let byte) = self.current, byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") {
            self.index += 1
            return
        }
        var phrase: [UInt8] = []
        var local: [UInt8] = []
        var comment: [UInt8]?
        var sawWord = false
        var lastWasDot = false
        loop: while let token = self.current {
            switch token {
            case .word(let word, _):
                if !phrase.isEmpty { phrase.append(32) }
                phrase += word
                if sawWord, !lastWasDot { local.append(32) }
                local += word
                sawWord = true
                lastWasDot = false
            case .special(UInt8(ascii: ".")):
                phrase.append(UInt8(ascii: "."))
                local.append(UInt8(ascii: "."))
                lastWasDot = true
            case .comment(let text):
                comment = text
            case .special, .literal:
                break loop
            }
            self.index += 1
        }
        switch self.current {
        case .special(UInt8(ascii: ":")) where !inGroup:
            // RFC 5322 §3.4 group: display-name ":" [group-list] ";".
            self.index += 1
            self.output.append(.groupStart(name: phrase))
            while let token = self.current, self.output.count < MIMEAddress.maxAddresses {
                if token == .special(UInt8(ascii: ";")) {
                    self.index += 1
                    break
                }
                let before = self.index
                self.parseAddress(inGroup: true)
                if self.index == before { self.index += 1 }
            }
            self.output.append(.groupEnd)
        case .special(UInt8(ascii: "<")):
            self.index += 1
            self.parseAngleAddress(name: phrase.isEmpty ? nil : phrase)
        case .special(UInt8(ascii: "@")):
            self.index += 1
            let domain = self.parseDomain()
            let trailing = self.skipComments()
            let name = trailing ?? comment
            self.output.append(.makeMailbox(name: name, route: nil, local: local, domain: domain))
        default:
            if sawWord {
                self.output.append(.makeMailbox(name: comment, route: nil, local: local, domain: []))
            }
        }
    }

    /// RFC 5322 §3.4 `angle-addr = "<" addr-spec ">"`, with RFC 5322 §4.4 obs-route `@a,@b:` before it.
    mutating func parseAngleAddress(name: [UInt8]?) {
        var route: [UInt8]?
        if case .special(UInt8(ascii: "@")) = self.current {
            var text: [UInt8] = []
            while let token = self.current {
                if token == .special(UInt8(ascii: ":")) || token == .special(UInt8(ascii: ">")) { break }
                switch token {
                case .word(let word, _): text += word
                case .literal(let literal): text += literal
                case .special(let byte): text.append(byte)
                case .comment: break
                }
                self.index += 1
            }
            if self.current == .special(UInt8(ascii: ":")) {
                self.index += 1
                route = text
            } else {
                route = MIMEAddress.invalidRoute
            }
        }
        var local: [UInt8] = []
        while let token = self.current {
            if case .word(let word, _) = token {
                local += word
            } else if token == .special(UInt8(ascii: ".")) {
                local.append(UInt8(ascii: "."))
            } else if case .comment = token {
            } else {
                break
            }
            self.index += 1
        }
        var domain: [UInt8] = []
        if self.current == .special(UInt8(ascii: "@")) {
            self.index += 1
            domain = self.parseDomain()
        }
        // Skip to the closing ">" (junk inside the brackets is dropped), but not past the next address.
        while let token = self.current {
            self.index += 1
            if token == .special(UInt8(ascii: ">")) { break }
            if token == .special(UInt8(ascii: ",")) {
                self.index -= 1
                break
            }
        }
        _ = self.skipComments()
        self.output.append(.makeMailbox(name: name, route: route, local: local, domain: domain))
    }

    /// RFC 5322 §3.4.1 `domain = dot-atom / domain-literal`, leniently concatenated; stops at a comment, which may
    /// name the address.
    mutating func parseDomain() -> [UInt8] {
        var domain: [UInt8] = []
        while let token = self.current {
            switch token {
            case .word(let word, _): domain += word
            case .literal(let literal): domain += literal
            case .special(UInt8(ascii: ".")): domain.append(UInt8(ascii: "."))
            case .comment, .special: return domain
            }
            self.index += 1
        }
        return domain
    }

    /// Skips comments; returns the text of the last one.
    mutating func skipComments() -> [UInt8]? {
        var last: [UInt8]?
        while case .comment(let text) = self.current {
            last = text
            self.index += 1
        }
        return last
    }
}
