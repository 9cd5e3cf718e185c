extension MIMEMessage {
    /// RFC 3501 §6.4.5 part numbering: `[]` is the whole message; in a message whose body is multipart, part `n` is
    /// its `n`-th body part; in a message that is not multipart, part 1 is its body ("Every message has at least one
    /// part number. Non-[MIME-IMB] messages, and non-multipart [MIME-IMB] messages with no encapsulated message, only
    /// have a part 1."); a `message/rfc822` part's numbers continue into its embedded message. Returns the part's
    /// index in `tree.parts`, or `nil` when the part does not exist.
    static func resolve(_ path: [Int], in tree: MIMETree) -> Int? {
        var node = 0
        var isMessage = true
        for number in path {
            guard number >= 1 else { return nil }
            let part = tree.parts[node]
            if !isMessage {
                if part.kind == .multipart {
                    guard number <= part.children.count else { return nil }
                    node = part.children[number - 1]
                    continue
                }
                if part.kind == .leaf {
                    // Dovecot: part 1 of a single-part body is the body itself (`BODY[1.1]` = `BODY[1]`).
                    guard number == 1 else { return nil }
                    continue
                }
                guard let embedded = part.children.first else { return nil }
                node = embedded
                isMessage = true
            }
            let message = tree.parts[node]
            if message.kind == .multipart {
                guard number <= message.children.count else { return nil }
                node = message.children[number - 1]
            } else if number != 1 {
                return nil
            }
            isMessage = false
        }
        return node
    }

    /// The bytes of `BODY[section]` for a header/text section of the message whose header is `header` and whose
    /// body ends at `end`.
    func messageSection(_ kind: MessageSection.Kind, header: MIMEHeader, end: Int) -> ArraySlice<UInt8>? {
        switch kind {
        case .full:
            return self.bytes[header.range.lowerBound..<end]
        case .header:
            return self.bytes[header.range]
        case .text:
            return self.bytes[header.bodyStart..<end]
        case .headerFields(let names):
            return self.headerFields(header, names: names, matching: true)
        case .headerFieldsNot(let names):
            return self.headerFields(header, names: names, matching: false)
        case .mime:
            return nil
        }
    }

    /// RFC 3501 §6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT: the fields whose name is (not) in `names`
    /// (case-insensitive), in message order, folding preserved, line ends written as CRLF, followed by the blank line.
    func headerFields(_ header: MIMEHeader, names: [String], matching: Bool) -> ArraySlice<UInt8> {
        let wanted = names.map { Array($0.utf8).map(MIMEHeader.lower) }
        var out: [UInt8] = []
        for field in header.fields where field.nameEnd > field.start {
            let isNamed = wanted.contains { field.nameEquals($0, in: self.bytes) }
            guard isNamed == matching else { continue }
            var previous: UInt8 = 0
            for index in field.start..<field.end {
                let byte = self.bytes[index]
                if byte == 10, previous != 13 { out.append(13) }
                out.append(byte)
                previous = byte
            }
            if previous != 10 { out += [13, 10] }
        }
        out += [13, 10]
        return out[...]
    }
}
