extension IMAPParser {
    /// `search = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key)` (RFC 3501 §6.4.4); several keys are ANDed.
    mutating func searchArguments() throws(IMAPParseError.Reason) -> IMAPSearchKey {
        try self.space()
        if self.acceptWord("CHARSET") {
            try self.space()
            let charset = String(decoding: try self.astring(), as: UTF8.self).uppercased()
            guard charset == "UTF-8" || charset == "US-ASCII" else { throw .badCharset }
            try self.space()
        }
        var keys = [try self.searchKey(depth: 0)]
        while self.accept(UInt8(ascii: " ")) {
            keys.append(try self.searchKey(depth: 0))
            guard keys.count <= Self.maximumListCount else { throw .syntax("too many search keys") }
        }
        return keys.count == 1 ? keys[0] : .and(keys)
    }

    /// One `search-key`, nested at most `IMAPSearchKey.maximumDepth` deep.
    mutating func searchKey(depth: Int) throws(IMAPParseError.Reason) -> IMAPSearchKey {
        guard depth < IMAPSearchKey.maximumDepth else { throw .syntax("search keys nested too deep") }
        if self.accept(UInt8(ascii: "(")) {
            var keys = [try self.searchKey(depth: depth + 1)]
            while self.accept(UInt8(ascii: " ")) {
                keys.append(try self.searchKey(depth: depth + 1))
                guard keys.count <= Self.maximumListCount else { throw .syntax("too many search keys") }
            }
            try self.expect(UInt8(ascii: ")"), ")")
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        if self.startsSequenceSet { return .sequenceNumbers(try self.sequenceSet()) }
        let name = try self.atom()
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "SEEN": return .seen
        case "RECENT": return .recent
        case "NEW": return .new
        case "OLD": return .old
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "KEYWORD": return .keyword(try self.spaced { (p) throws(IMAPParseError.Reason) in try p.flag() })
        case "UNKEYWORD": return .unkeyword(try self.spaced { (p) throws(IMAPParseError.Reason) in try p.flag() })
        case "BCC": return .bcc(try self.searchString())
        case "CC": return .cc(try self.searchString())
        case "FROM": return .from(try self.searchString())
        case "TO": return .to(try self.searchString())
        case "SUBJECT": return .subject(try self.searchString())
        case "BODY": return .body(try self.searchString())
        case "TEXT": return .text(try self.searchString())
        case "HEADER":
            let field = try self.searchString()
            return .header(field, try self.searchString())
        case "BEFORE": return .before(day: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.date() })
        case "ON": return .on(day: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.date() })
        case "SINCE": return .since(day: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.date() })
        case "SENTBEFORE":
            return .sentBefore(day: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.date() })
        case "SENTON": return .sentOn(day: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.date() })
        case "SENTSINCE": return .sentSince(day: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.date() })
        case "LARGER": return .larger(Int(try self.spaced { (p) throws(IMAPParseError.Reason) in try p.number() }))
        case "SMALLER": return .smaller(Int(try self.spaced { (p) throws(IMAPParseError.Reason) in try p.number() }))
        case "UID": return .uid(try self.spaced { (p) throws(IMAPParseError.Reason) in try p.sequenceSet() })
        case "NOT":
            try self.space()
            return .not(try self.searchKey(depth: depth + 1))
        case "OR":
            try self.space()
            let a = try self.searchKey(depth: depth + 1)
            try self.space()
            return .or(a, try self.searchKey(depth: depth + 1))
        default: throw .syntax("unknown search key \(name)")
        }
    }

    /// SP astring, as text.
    mutating func searchString() throws(IMAPParseError.Reason) -> String {
        try self.space()
        return try Self.text(try self.astring())
    }
}
