extension IMAPParser {
    /// `fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")`.
    mutating func fetchArguments(uid: Bool) throws(IMAPParseError.Reason) -> IMAPCommand.Kind {
        try self.space()
        let set = try self.sequenceSet()
        try self.space()
        var attributes: [IMAPFetchAttribute]
        if self.acceptWord("ALL") {
            attributes = [.flags, .internalDate, .rfc822Size, .envelope]
        } else if self.acceptWord("FAST") {
            attributes = [.flags, .internalDate, .rfc822Size]
        } else if self.acceptWord("FULL") {
            attributes = [.flags, .internalDate, .rfc822Size, .envelope, .bodyStructure(extensible: false)]
        } else if self.accept(UInt8(ascii: "(")) {
            attributes = [try self.fetchAttribute()]
            while self.accept(UInt8(ascii: " ")) {
                attributes.append(try self.fetchAttribute())
                guard attributes.count <= Self.maximumListCount else { throw .syntax("too many fetch items") }
            }
            try self.expect(UInt8(ascii: ")"), ")")
        } else {
            attributes = [try self.fetchAttribute()]
        }
        return .fetch(set, attributes, uid: uid)
    }

    /// One `fetch-att`.
    mutating func fetchAttribute() throws(IMAPParseError.Reason) -> IMAPFetchAttribute {
        let name = String(
            decoding: try self.bytes(while: { IMAPGrammar.isAtomChar($0) && $0 != UInt8(ascii: "[") }, "a fetch item"),
            as: UTF8.self
        ).uppercased()
        switch name {
        case "FLAGS": return .flags
        case "UID": return .uid
        case "INTERNALDATE": return .internalDate
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.TEXT": return .rfc822Text
        case "ENVELOPE": return .envelope
        case "BODYSTRUCTURE": return .bodyStructure(extensible: true)
        case "BODY", "BODY.PEEK":
            guard self.peek == UInt8(ascii: "[") else {
                guard name == "BODY" else { throw .syntax("BODY.PEEK needs a section") }
                return .bodyStructure(extensible: false)
            }
            let section = try self.section()
            var partial: MessagePartial?
            if self.accept(UInt8(ascii: "<")) {
                let origin = try self.number()
                try self.expect(UInt8(ascii: "."), ".")
                let count = try self.nzNumber()
                try self.expect(UInt8(ascii: ">"), ">")
                partial = MessagePartial(origin: Int(origin), count: Int(count))
            }
            return .section(section, partial: partial, peek: name == "BODY.PEEK")
        default: throw .syntax("unknown fetch item \(name)")
        }
    }

    /// `section = "[" [section-spec] "]"`; `section-spec = section-msgtext / (section-part ["." section-text])`.
    mutating func section() throws(IMAPParseError.Reason) -> MessageSection {
        try self.expect(UInt8(ascii: "["), "[")
        var part: [Int] = []
        var kind = MessageSection.Kind.full
        if self.accept(UInt8(ascii: "]")) { return MessageSection(part: part, kind: kind) }
        while let byte = self.peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            part.append(Int(try self.nzNumber()))
            guard part.count <= 64 else { throw .syntax("section part too deep") }
            guard self.accept(UInt8(ascii: ".")) else { break }
        }
        if self.peek != UInt8(ascii: "]") {
            let name = String(
                decoding: try self.bytes(
                    while: { IMAPGrammar.isAtomChar($0) && $0 != UInt8(ascii: "[") },
                    "a section text"
                ),
                as: UTF8.self
            ).uppercased()
            switch name {
            case "HEADER": kind = .header
            case "TEXT": kind = .text
            case "MIME":
                guard !part.isEmpty else { throw .syntax("MIME needs a part number") }
                kind = .mime
            case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
                try self.space()
                try self.expect(UInt8(ascii: "("), "(")
                var fields: [String] = []
                repeat {
                    fields.append(try Self.text(try self.astring()))
                    guard fields.count <= Self.maximumListCount else { throw .syntax("too many header fields") }
                } while self.accept(UInt8(ascii: " "))
                try self.expect(UInt8(ascii: ")"), ")")
                kind = name == "HEADER.FIELDS" ? .headerFields(fields) : .headerFieldsNot(fields)
            default: throw .syntax("unknown section \(name)")
            }
        }
        try self.expect(UInt8(ascii: "]"), "]")
        return MessageSection(part: part, kind: kind)
    }
}
