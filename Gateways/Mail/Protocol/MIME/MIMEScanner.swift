/// A cursor over header-value bytes with the RFC 5322 §3.2 lexical helpers (CFWS, quoted strings, comments).
/// Every method advances or returns, so loops built on it terminate.
struct MIMEScanner {
    /// Comments nest at most this deep; deeper parentheses are taken as text.
    static let maxCommentDepth = 64

    let bytes: [UInt8]
    var index: Int = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var peek: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }
    var isAtEnd: Bool { self.index >= self.bytes.count }

    mutating func advance() {
        if self.index < self.bytes.count { self.index += 1 }
    }

    mutating func skip(until byte: UInt8) {
        while let next = self.peek, next != byte { self.advance() }
    }

    /// Skips whitespace and comments (RFC 5322 §3.2.2 CFWS); returns the text of the last comment skipped.
    @discardableResult
    mutating func skipCFWS() -> [UInt8]? {
        var lastComment: [UInt8]?
        while let byte = self.peek {
            if byte == 32 || byte == 9 || byte == 13 || byte == 10 {
                self.advance()
            } else if byte == UInt8(ascii: "(") {
                lastComment = self.comment()
            } else {
                break
            }
        }
        return lastComment
    }

    /// Reads a comment starting at `(` (RFC 5322 §3.2.2), nested comments included; returns its text without the
    /// outer parentheses.
    mutating func comment() -> [UInt8] {
        var text: [UInt8] = []
        var depth = 0
        while let byte = self.peek {
            self.advance()
            switch byte {
            case UInt8(ascii: "("):
                if depth > 0 { text.append(byte) }
                depth = min(depth + 1, MIMEScanner.maxCommentDepth)
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return text }
                text.append(byte)
            case UInt8(ascii: "\\"):
                if let escaped = self.peek {
                    text.append(escaped)
                    self.advance()
                }
            default:
                text.append(byte)
            }
        }
        return text
    }

    /// Reads a quoted string starting at `"` (RFC 5322 §3.2.4); returns the content, quoted pairs unescaped and
    /// folding removed.
    mutating func quotedString() -> [UInt8] {
        var text: [UInt8] = []
        self.advance()
        while let byte = self.peek {
            self.advance()
            switch byte {
            case UInt8(ascii: "\""):
                return text
            case UInt8(ascii: "\\"):
                if let escaped = self.peek {
                    text.append(escaped)
                    self.advance()
                }
            case 13, 10:
                continue
            default:
                text.append(byte)
            }
        }
        return text
    }
}
