import NIOCore

extension ByteBuffer {
    /// Writes a flag list `(\Seen $Forwarded)` (RFC 3501 §7.2.6).
    @discardableResult
    public mutating func writeIMAPFlags(_ flags: MessageFlags) -> Int {
        let start = self.writerIndex
        self.writeInteger(UInt8(ascii: "("))
        var first = true
        for flag in flags.sorted {
            if !first { self.writeInteger(UInt8(ascii: " ")) }
            first = false
            self.writeString(flag)
        }
        self.writeInteger(UInt8(ascii: ")"))
        return self.writerIndex - start
    }

    /// Writes an `astring`: an atom when every byte is an `ASTRING-CHAR`, else a quoted string or literal
    /// (mailbox names in LIST/STATUS responses).
    @discardableResult
    public mutating func writeIMAPAString(_ string: String) -> Int {
        let utf8 = string.utf8
        if !utf8.isEmpty, utf8.count <= 1024, utf8.allSatisfy(IMAPGrammar.isAStringChar),
            string.uppercased() != "NIL"
        {
            return self.writeString(string)
        }
        return self.writeIMAPString(Array(utf8))
    }

    /// Writes a `date-time` `"dd-Mon-yyyy hh:mm:ss +0000"` (RFC 3501 §9) for seconds since 1970, in UTC.
    @discardableResult
    public mutating func writeIMAPDateTime(_ seconds: Int64) -> Int {
        let seconds = min(
            max(seconds, IMAPGrammar.representableSeconds.lowerBound),
            IMAPGrammar.representableSeconds.upperBound
        )
        let day = IMAPGrammar.day(ofSeconds: seconds)
        let (year, month, dayOfMonth) = IMAPGrammar.civil(days: day)
        let secondOfDay = Int(seconds - day * 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let dayText = dayOfMonth < 10 ? " \(dayOfMonth)" : "\(dayOfMonth)"
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return self.writeString(
            "\"\(dayText)-\(IMAPGrammar.months[month - 1])-\(yearText) "
                + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000\""
        )
    }

    /// Writes a section label `BODY[1.HEADER.FIELDS (From To)]` without the `BODY` (RFC 3501 §7.4.2).
    @discardableResult
    public mutating func writeIMAPSection(_ section: MessageSection) -> Int {
        let start = self.writerIndex
        self.writeInteger(UInt8(ascii: "["))
        self.writeString(section.part.map(String.init).joined(separator: "."))
        let needsDot = !section.part.isEmpty
        func kind(_ text: String) {
            if needsDot { self.writeInteger(UInt8(ascii: ".")) }
            self.writeString(text)
        }
        switch section.kind {
        case .full: break
        case .header: kind("HEADER")
        case .text: kind("TEXT")
        case .mime: kind("MIME")
        case .headerFields(let names), .headerFieldsNot(let names):
            if case .headerFields = section.kind { kind("HEADER.FIELDS (") } else { kind("HEADER.FIELDS.NOT (") }
            for (index, name) in names.enumerated() {
                if index > 0 { self.writeInteger(UInt8(ascii: " ")) }
                self.writeIMAPAString(name)
            }
            self.writeInteger(UInt8(ascii: ")"))
        }
        self.writeInteger(UInt8(ascii: "]"))
        return self.writerIndex - start
    }

    /// Writes a literal `{n}\r\n` and the bytes (always a literal: message data may hold anything).
    @discardableResult
    public mutating func writeIMAPLiteral(_ bytes: some Collection<UInt8>) -> Int {
        let start = self.writerIndex
        self.writeString("{\(bytes.count)}\r\n")
        self.writeBytes(bytes)
        return self.writerIndex - start
    }
}
