/// A header block (RFC 5322 §2.2) located in a message's bytes: its fields and where the body starts.
struct MIMEHeader: Sendable {
    /// At most this many fields are recorded per header; further lines still belong to the header.
    static let maxFields = 10_000

    /// One field: byte offsets into the message.
    struct Field: Sendable {
        /// Offset of the field's first byte.
        var start: Int
        /// End of the name (before the colon, trailing whitespace excluded).
        var nameEnd: Int
        /// First byte after the colon (or `end` when there is no colon).
        var valueStart: Int
        /// Offset after the field's last line terminator.
        var end: Int

        func name(in bytes: [UInt8]) -> String {
            String(decoding: bytes[self.start..<self.nameEnd], as: UTF8.self)
        }

        /// The unfolded value, trimmed of surrounding whitespace.
        func valueBytes(in bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(self.end - self.valueStart)
            for index in self.valueStart..<self.end where bytes[index] != 13 && bytes[index] != 10 {
                out.append(bytes[index])
            }
            var lower = 0
            var upper = out.count
            while lower < upper, out[lower] == 32 || out[lower] == 9 { lower += 1 }
            while upper > lower, out[upper - 1] == 32 || out[upper - 1] == 9 { upper -= 1 }
            return Array(out[lower..<upper])
        }

        func value(in bytes: [UInt8]) -> String {
            String(decoding: self.valueBytes(in: bytes), as: UTF8.self)
        }

        /// Whether the name equals `lowercasedName` (ASCII, case-insensitive).
        func nameEquals(_ lowercasedName: [UInt8], in bytes: [UInt8]) -> Bool {
            guard self.nameEnd - self.start == lowercasedName.count else { return false }
            var index = self.start
            for byte in lowercasedName {
                if MIMEHeader.lower(bytes[index]) != byte { return false }
                index += 1
            }
            return true
        }
    }

    /// The fields in message order.
    var fields: [Field] = []
    /// Range of the header including the blank line that ends it.
    var range: Range<Int>
    /// Where the body starts (`range.upperBound`).
    var bodyStart: Int { self.range.upperBound }

    /// Parses the header at the start of `bounds`: the header ends at the first empty line (CRLF CRLF or LF LF,
    /// RFC 5322 §2.1); without one, everything is header and the body is empty.
    init(parsing bytes: [UInt8], in bounds: Range<Int>) {
        var index = bounds.lowerBound
        let end = bounds.upperBound
        var fields: [Field] = []
        while index < end {
            // Empty line: the end of the header.
            if bytes[index] == 10 {
                index += 1
                break
            }
            if bytes[index] == 13, index + 1 < end, bytes[index + 1] == 10 {
                index += 2
                break
            }
            let lineStart = index
            var lineEnd = MIMEHeader.lineEnd(bytes, from: index, end: end)
            // RFC 5322 §2.2.3: a field continues while the next line starts with WSP.
            while lineEnd < end, bytes[lineEnd] == 32 || bytes[lineEnd] == 9 {
                lineEnd = MIMEHeader.lineEnd(bytes, from: lineEnd, end: end)
            }
            var colon = lineStart
            while colon < lineEnd, bytes[colon] != UInt8(ascii: ":"), bytes[colon] != 10, bytes[colon] != 13 { colon += 1 }
            var field: Field
            if colon < lineEnd, bytes[colon] == UInt8(ascii: ":") {
                var nameEnd = colon
                while nameEnd > lineStart, bytes[nameEnd - 1] == 32 || bytes[nameEnd - 1] == 9 { nameEnd -= 1 }
                field = Field(start: lineStart, nameEnd: nameEnd, valueStart: colon + 1, end: lineEnd)
            } else {
                field = Field(start: lineStart, nameEnd: lineStart, valueStart: lineStart, end: lineEnd)
            }
            if fields.count < MIMEHeader.maxFields { fields.append(field) }
            index = lineEnd
        }
        self.fields = fields
        self.range = bounds.lowerBound..<index
    }

    /// The offset after the line terminator of the line starting at `index` (or `end`).
    static func lineEnd(_ bytes: [UInt8], from index: Int, end: Int) -> Int {
        var cursor = index
        while cursor < end {
            if bytes[cursor] == 10 { return cursor + 1 }
            cursor += 1
        }
        return end
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    /// The first field named `name` (case-insensitive).
    func first(_ name: String, in bytes: [UInt8]) -> Field? {
        let lowered = Array(name.utf8).map(MIMEHeader.lower)
        return self.fields.first { $0.nameEquals(lowered, in: bytes) }
    }

    /// The last field named `name` (case-insensitive).
    func last(_ name: String, in bytes: [UInt8]) -> Field? {
        let lowered = Array(name.utf8).map(MIMEHeader.lower)
        return self.fields.last { $0.nameEquals(lowered, in: bytes) }
    }

    /// Every field named `name` (case-insensitive), in order.
    func all(_ name: String, in bytes: [UInt8]) -> [Field] {
        let lowered = Array(name.utf8).map(MIMEHeader.lower)
        return self.fields.filter { $0.nameEquals(lowered, in: bytes) }
    }
}
