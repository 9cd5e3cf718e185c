import NIOCore

/// Parses one framed command (from `IMAPFramer`) into an `IMAPCommand` (RFC 3501 §9 grammar). All literals are
/// already in the buffer, so the parser never waits; it throws `IMAPParseError` on malformed input.
public struct IMAPParser {
    /// Most items in any parenthesised list (flags, fetch items, header names, search keys, ID pairs).
    public static let maximumListCount = 1_000

    var buffer: ByteBuffer

    init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// Parses a whole command; the error carries the tag when it could be read.
    public static func parseCommand(_ bytes: ByteBuffer) throws(IMAPParseError) -> IMAPCommand {
        var parser = IMAPParser(bytes)
        let tag: String
        do {
            tag = try parser.tag()
            try parser.space()
        } catch {
            throw IMAPParseError(tag: nil, reason: error)
        }
        do {
            let kind = try parser.commandKind()
            try parser.lineEnd()
            return IMAPCommand(tag: tag, kind: kind)
        } catch {
            throw IMAPParseError(tag: tag, reason: error)
        }
    }

    // MARK: - Primitives

    var peek: UInt8? { self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt8.self) }

    func peek(offset: Int) -> UInt8? {
        self.buffer.getInteger(at: self.buffer.readerIndex + offset, as: UInt8.self)
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(IMAPParseError.Reason) {
        guard self.peek == byte else { throw .syntax("expected \(what)") }
        self.buffer.moveReaderIndex(forwardBy: 1)
    }

    mutating func accept(_ byte: UInt8) -> Bool {
        guard self.peek == byte else { return false }
        self.buffer.moveReaderIndex(forwardBy: 1)
        return true
    }

    mutating func space() throws(IMAPParseError.Reason) { try self.expect(UInt8(ascii: " "), "SP") }

    /// Accepts the text `word` case-insensitively if it is next and not followed by more atom characters.
    mutating func acceptWord(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        for (offset, expected) in utf8.enumerated() {
            guard let byte = self.peek(offset: offset), Self.upper(byte) == expected else { return false }
        }
        if let next = self.peek(offset: utf8.count), IMAPGrammar.isAtomChar(next), next != UInt8(ascii: "[") {
            return false
        }
        self.buffer.moveReaderIndex(forwardBy: utf8.count)
        return true
    }

    static func upper(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
    }

    /// CRLF (or a bare LF) and nothing after it.
    mutating func lineEnd() throws(IMAPParseError.Reason) {
        _ = self.accept(UInt8(ascii: "\r"))
        try self.expect(UInt8(ascii: "\n"), "end of line")
        guard self.buffer.readableBytes == 0 else { throw .syntax("garbage after the command") }
    }

    var atLineEnd: Bool { self.peek == UInt8(ascii: "\r") || self.peek == UInt8(ascii: "\n") || self.peek == nil }

    /// Bytes while `predicate` holds (at least one).
    mutating func bytes(while predicate: (UInt8) -> Bool, _ what: String) throws(IMAPParseError.Reason) -> [UInt8] {
        let view = self.buffer.readableBytesView
        let end = view.firstIndex { !predicate($0) } ?? view.endIndex
        guard end > view.startIndex else { throw .syntax("expected \(what)") }
        let result = Array(view[view.startIndex..<end])
        self.buffer.moveReaderIndex(forwardBy: result.count)
        return result
    }

    /// `tag = 1*<any ASTRING-CHAR except "+">`.
    mutating func tag() throws(IMAPParseError.Reason) -> String {
        let bytes = try self.bytes(while: { IMAPGrammar.isAStringChar($0) && $0 != UInt8(ascii: "+") }, "a tag")
        guard bytes.count <= 64 else { throw .syntax("tag too long") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An `atom`, uppercased.
    mutating func atom() throws(IMAPParseError.Reason) -> String {
        String(decoding: try self.bytes(while: IMAPGrammar.isAtomChar, "an atom"), as: UTF8.self).uppercased()
    }

    /// `number` (32 bit, RFC 3501 §4.2).
    mutating func number() throws(IMAPParseError.Reason) -> UInt32 {
        let digits = try self.bytes(while: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, "a number")
        guard digits.count <= 10 else { throw .syntax("number too large") }
        var value: UInt64 = 0
        for digit in digits { value = value * 10 + UInt64(digit - UInt8(ascii: "0")) }
        guard value <= UInt64(UInt32.max) else { throw .syntax("number too large") }
        return UInt32(value)
    }

    mutating func nzNumber() throws(IMAPParseError.Reason) -> UInt32 {
        let value = try self.number()
        guard value > 0 else { throw .syntax("expected a non-zero number") }
        return value
    }

    /// `string = quoted / literal`.
    mutating func string() throws(IMAPParseError.Reason) -> [UInt8] {
        switch self.peek {
        case UInt8(ascii: "\""): return try self.quoted()
        case UInt8(ascii: "{"): return try self.literal()
        default: throw .syntax("expected a string")
        }
    }

    /// `quoted = DQUOTE *QUOTED-CHAR DQUOTE` with `\"` and `\\` escapes.
    mutating func quoted() throws(IMAPParseError.Reason) -> [UInt8] {
        try self.expect(UInt8(ascii: "\""), "a quoted string")
        var result: [UInt8] = []
        while let byte = self.peek {
            self.buffer.moveReaderIndex(forwardBy: 1)
            switch byte {
            case UInt8(ascii: "\""):
                return result
            case UInt8(ascii: "\\"):
                guard let escaped = self.peek, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw .syntax("bad escape in a quoted string")
                }
                self.buffer.moveReaderIndex(forwardBy: 1)
                result.append(escaped)
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"), 0:
                throw .syntax("line end in a quoted string")
            default:
                result.append(byte)
            }
        }
        throw .syntax("unterminated quoted string")
    }

    /// `literal = "{" number ["+"] "}" CRLF *CHAR8` (the framer has checked the size).
    mutating func literal() throws(IMAPParseError.Reason) -> [UInt8] {
        try self.expect(UInt8(ascii: "{"), "a literal")
        let count = Int(try self.number())
        _ = self.accept(UInt8(ascii: "+"))
        try self.expect(UInt8(ascii: "}"), "}")
        _ = self.accept(UInt8(ascii: "\r"))
        try self.expect(UInt8(ascii: "\n"), "line end after a literal")
        guard let bytes = self.buffer.readBytes(length: count) else { throw .syntax("literal shorter than announced") }
        return bytes
    }

    /// `astring = 1*ASTRING-CHAR / string`.
    mutating func astring() throws(IMAPParseError.Reason) -> [UInt8] {
        if self.peek == UInt8(ascii: "\"") || self.peek == UInt8(ascii: "{") { return try self.string() }
        return try self.bytes(while: IMAPGrammar.isAStringChar, "an astring")
    }

    /// `nstring = string / NIL`.
    mutating func nstring() throws(IMAPParseError.Reason) -> [UInt8]? {
        if self.acceptWord("NIL") { return nil }
        return try self.string()
    }

    /// Text that must be UTF-8.
    static func text(_ bytes: [UInt8]) throws(IMAPParseError.Reason) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .syntax("invalid UTF-8") }
        return string
    }

    /// `mailbox = "INBOX" / astring`; INBOX in any case is `INBOX`.
    mutating func mailbox() throws(IMAPParseError.Reason) -> String {
        Self.normalizedMailbox(try Self.text(try self.astring()))
    }

    static func normalizedMailbox(_ name: String) -> String {
        if name.uppercased() == "INBOX" { return "INBOX" }
        if name.utf8.count > 6, name.prefix(6).uppercased() == "INBOX/" { return "INBOX/" + name.dropFirst(6) }
        return name
    }

    /// `list-mailbox = 1*list-char / string`.
    mutating func listMailbox() throws(IMAPParseError.Reason) -> String {
        if self.peek == UInt8(ascii: "\"") || self.peek == UInt8(ascii: "{") { return try Self.text(try self.string()) }
        return try Self.text(try self.bytes(while: IMAPGrammar.isListChar, "a mailbox pattern"))
    }

    /// `flag = "\" atom / atom` (and `\*` where `allowWildcard`).
    mutating func flag() throws(IMAPParseError.Reason) -> String {
        if self.accept(UInt8(ascii: "\\")) {
            let name = try self.bytes(while: IMAPGrammar.isAtomChar, "a flag")
            let flag = "\\" + String(decoding: name, as: UTF8.self)
            return MessageFlags.canonical(flag)
        }
        let keyword = try self.bytes(while: IMAPGrammar.isAtomChar, "a flag")
        guard keyword.count <= MessageFlags.maximumFlagByteCount else { throw .syntax("keyword too long") }
        return String(decoding: keyword, as: UTF8.self)
    }

    /// `flag-list = "(" [flag *(SP flag)] ")"`.
    mutating func flagList() throws(IMAPParseError.Reason) -> [String] {
        try self.expect(UInt8(ascii: "("), "(")
        var flags: [String] = []
        if self.accept(UInt8(ascii: ")")) { return flags }
        repeat {
            flags.append(try self.flag())
            guard flags.count <= Self.maximumListCount else { throw .syntax("too many flags") }
        } while self.accept(UInt8(ascii: " "))
        try self.expect(UInt8(ascii: ")"), ")")
        return flags
    }

    /// `sequence-set` (RFC 3501 §9): `seq-number / seq-range` separated by commas, `*` allowed.
    mutating func sequenceSet() throws(IMAPParseError.Reason) -> IMAPSequenceSet {
        var ranges: [IMAPSequenceSet.Range] = []
        repeat {
            let first = try self.sequenceNumber()
            let last = self.accept(UInt8(ascii: ":")) ? try self.sequenceNumber() : first
            ranges.append(IMAPSequenceSet.Range(first, last))
            guard ranges.count <= IMAPSequenceSet.maximumRangeCount else { throw .syntax("sequence set too long") }
        } while self.accept(UInt8(ascii: ","))
        return IMAPSequenceSet(ranges)
    }

    mutating func sequenceNumber() throws(IMAPParseError.Reason) -> UInt32 {
        if self.accept(UInt8(ascii: "*")) { return IMAPSequenceSet.star }
        let value = try self.nzNumber()
        guard value != IMAPSequenceSet.star else { throw .syntax("sequence number too large") }
        return value
    }

    var startsSequenceSet: Bool {
        guard let byte = self.peek else { return false }
        return byte == UInt8(ascii: "*") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    // MARK: - Dates

    /// `date-month`.
    mutating func month() throws(IMAPParseError.Reason) -> Int {
        let name = try self.bytes(
            while: { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") },
            "a month"
        )
        let text = String(decoding: name, as: UTF8.self).lowercased()
        guard let index = IMAPGrammar.months.firstIndex(where: { $0.lowercased() == text }) else {
            throw .syntax("bad month")
        }
        return index + 1
    }

    mutating func digits(_ count: Int) throws(IMAPParseError.Reason) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let byte = self.peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw .syntax("expected a digit")
            }
            self.buffer.moveReaderIndex(forwardBy: 1)
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `date = date-text / DQUOTE date-text DQUOTE` as days since 1970.
    mutating func date() throws(IMAPParseError.Reason) -> Int64 {
        let quoted = self.accept(UInt8(ascii: "\""))
        var fullDay = try self.digits(1)
        if self.peek != UInt8(ascii: "-") { fullDay = fullDay * 10 + (try self.digits(1)) }
        try self.expect(UInt8(ascii: "-"), "-")
        let month = try self.month()
        try self.expect(UInt8(ascii: "-"), "-")
        let year = try self.digits(4)
        if quoted { try self.expect(UInt8(ascii: "\""), "\"") }
        guard (1...31).contains(fullDay) else { throw .syntax("bad day") }
        return IMAPGrammar.days(year: year, month: month, day: fullDay)
    }

    /// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`, in seconds since 1970.
    mutating func dateTime() throws(IMAPParseError.Reason) -> Int64 {
        try self.expect(UInt8(ascii: "\""), "a date-time")
        _ = self.accept(UInt8(ascii: " "))
        var day = try self.digits(1)
        if self.peek != UInt8(ascii: "-") { day = day * 10 + (try self.digits(1)) }
        try self.expect(UInt8(ascii: "-"), "-")
        let month = try self.month()
        try self.expect(UInt8(ascii: "-"), "-")
        let year = try self.digits(4)
        try self.space()
        let hour = try self.digits(2)
        try self.expect(UInt8(ascii: ":"), ":")
        let minute = try self.digits(2)
        try self.expect(UInt8(ascii: ":"), ":")
        let second = try self.digits(2)
        try self.space()
        let sign: Int64
        if self.accept(UInt8(ascii: "+")) {
            sign = 1
        } else {
            try self.expect(UInt8(ascii: "-"), "a zone")
            sign = -1
        }
        let zoneHours = try self.digits(2)
        let zoneMinutes = try self.digits(2)
        try self.expect(UInt8(ascii: "\""), "\"")
        guard (1...31).contains(day), hour < 24, minute < 60, second <= 60, zoneMinutes < 60 else {
            throw .syntax("bad date-time")
        }
        let days = IMAPGrammar.days(year: year, month: month, day: day)
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return local - sign * Int64(zoneHours * 3600 + zoneMinutes * 60)
    }
}

/// A command the parser could not read; answered with `BAD` (or `NO [BADCHARSET]`).
public struct IMAPParseError: Error, Hashable, Sendable {
    public enum Reason: Error, Hashable, Sendable {
        case syntax(String)
        /// SEARCH with a charset other than UTF-8/US-ASCII (RFC 3501 §6.4.4 `NO [BADCHARSET]`).
        case badCharset
        /// A command name this server does not know.
        case unknownCommand(String)
    }

    /// The command's tag, if it could be read.
    public var tag: String?
    public var reason: Reason

    public init(tag: String?, reason: Reason) {
        self.tag = tag
        self.reason = reason
    }
}
