/// Header edits the gateway makes to a message's bytes (CRLF line ends), without parsing the body.
enum MailContent {
    /// Whether the header (up to the first empty line) has a field called `name` (case-insensitive).
    static func hasHeaderField(_ name: String, in content: [UInt8]) -> Bool {
        let wanted = Array(name.lowercased().utf8) + [UInt8(ascii: ":")]
        var lineStart = 0
        while lineStart < content.count {
            if content[lineStart] == UInt8(ascii: "\r") || content[lineStart] == UInt8(ascii: "\n") { return false }
            if content.count - lineStart >= wanted.count {
                var matches = true
                for (offset, byte) in wanted.enumerated() {
                    let candidate = content[lineStart + offset]
                    let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(candidate) ? candidate | 0x20 : candidate
                    if lowered != byte {
                        matches = false
                        break
                    }
                }
                if matches { return true }
            }
            guard let newline = content[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else { return false }
            lineStart = newline + 1
        }
        return false
    }

    /// `fields` (each `Name: value`, no line end) put in front of `content`.
    static func prepending(_ fields: [String], to content: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(content.count + fields.reduce(0) { $0 + $1.utf8.count + 2 })
        for field in fields {
            result.append(contentsOf: field.utf8)
            result.append(contentsOf: [13, 10])
        }
        result.append(contentsOf: content)
        return result
    }

    /// `fields` inserted at the end of the header (before the empty line), or appended as a header to a message
    /// that has none.
    static func appendingToHeader(_ fields: [String], in content: [UInt8]) -> [UInt8] {
        guard !fields.isEmpty else { return content }
        var insertion = content.count
        var lineStart = 0
        while lineStart < content.count {
            if content[lineStart] == UInt8(ascii: "\r") || content[lineStart] == UInt8(ascii: "\n") {
                insertion = lineStart
                break
            }
            guard let newline = content[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                insertion = content.count
                break
            }
            lineStart = newline + 1
            insertion = lineStart
        }
        var added: [UInt8] = []
        if insertion == content.count, content.last != UInt8(ascii: "\n"), !content.isEmpty {
            added.append(contentsOf: [13, 10])
        }
        for field in fields {
            added.append(contentsOf: field.utf8)
            added.append(contentsOf: [13, 10])
        }
        var result = Array(content[..<insertion])
        result.append(contentsOf: added)
        result.append(contentsOf: content[insertion...])
        return result
    }
}
