/// RFC 2047 encoded words in header values: `=?charset?Q?text?=` / `=?charset?B?text?=`.
enum MIMEEncodedWord {
    /// RFC 2047 §2: "An 'encoded-word' may not be more than 75 characters long"; longer ones (seen in the wild) are
    /// still decoded up to this length.
    static let maxWordLength = 1_000

    /// Decodes every encoded word in `value`; whitespace between two adjacent encoded words is dropped (RFC 2047
    /// §6.2), consecutive words in the same charset are joined before conversion (so a character split across words
    /// survives). Text outside encoded words is read as UTF-8, or Windows-1252 when not valid UTF-8.
    static func decode(_ value: [UInt8]) -> String {
        var result = ""
        var raw: [UInt8] = []
        var pending: [UInt8] = []
        var pendingCharset = MIMECharset.utf8
        var hasPending = false
        var lastWasWord = false
        var index = 0
        func flushPending() {
            if hasPending { result += pendingCharset.decode(pending) }
            pending = []
            hasPending = false
        }
        while index < value.count {
            if value[index] == UInt8(ascii: "="), index + 1 < value.count, value[index + 1] == UInt8(ascii: "?"),
                let word = MIMEEncodedWord.parse(value, at: index)
            {
                let onlySpace = raw.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 || $0 == 10 }
                if !(lastWasWord && onlySpace) {
                    flushPending()
                    result += MIMECharset.unknown.decode(raw)
                }
                raw = []
                if hasPending, word.charset != pendingCharset { flushPending() }
                pending += word.bytes
                pendingCharset = word.charset
                hasPending = true
                lastWasWord = true
                index = word.end
            } else {
                raw.append(value[index])
                index += 1
            }
        }
        flushPending()
        result += MIMECharset.unknown.decode(raw)
        return result
    }

    /// Parses one encoded word at `start` (which is at `=?`).
    static func parse(_ value: [UInt8], at start: Int) -> (charset: MIMECharset, bytes: [UInt8], end: Int)? {
        let limit = min(value.count, start + MIMEEncodedWord.maxWordLength)
        var index = start + 2
        let charsetStart = index
        while index < limit, value[index] != UInt8(ascii: "?") {
            if value[index] <= 32 { return nil }
            index += 1
        }
        guard index + 2 < limit, index > charsetStart, value[index + 2] == UInt8(ascii: "?") else { return nil }
        let charset = MIMECharset(name: value[charsetStart..<index])
        let encoding = MIMEHeader.lower(value[index + 1])
        guard encoding == UInt8(ascii: "q") || encoding == UInt8(ascii: "b") else { return nil }
        index += 3
        let textStart = index
        while index + 1 < limit, !(value[index] == UInt8(ascii: "?") && value[index + 1] == UInt8(ascii: "=")) {
            if value[index] == 32 || value[index] == 9 { return nil }
            index += 1
        }
        guard index + 1 < limit else { return nil }
        let text = value[textStart..<index]
        let bytes: [UInt8]
        if encoding == UInt8(ascii: "b") {
            bytes = MIMETransferEncoding.decodeBase64(text)
        } else {
            // RFC 2047 §4.2: "_" is a space; "=XX" an octet.
            bytes = MIMETransferEncoding.decodeQuotedPrintable(text.map { $0 == UInt8(ascii: "_") ? 32 : $0 })
        }
        return (charset, bytes, index + 2)
    }
}
