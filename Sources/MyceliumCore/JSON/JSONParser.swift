/// Why a request body is not JSON. The message reads like serde_json's (`expected value at line 1 column 1`), which is
/// what upstream's API puts into its error bodies.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public var line: Int
    public var column: Int

    public var description: String { "\(self.reason) at line \(self.line) column \(self.column)" }
}

/// A strict RFC 8259 parser for untrusted request bodies: no trailing commas, comments or NaN; nesting is limited to
/// ``maximumDepth`` so hostile input cannot exhaust the stack. Callers bound the input size before parsing.
public struct JSONParser {
    /// serde_json's recursion limit.
    public static let maximumDepth = 128

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one JSON document, surrounded by optional whitespace.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes))
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("trailing characters") }
        return value
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        self.skipWhitespace()
        guard let byte = self.peek() else { throw self.error("EOF while parsing a value") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            self.depth += 1
            guard self.depth <= Self.maximumDepth else { throw self.error("recursion limit exceeded") }
            let value = byte == UInt8(ascii: "{") ? try self.parseObject() : try self.parseArray()
            self.depth -= 1
            return value
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): return try self.parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try self.parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try self.parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.error("expected value")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        self.index += 1  // {
        var members: [JSONMember] = []
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.index += 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            guard let byte = self.peek() else { throw self.error("EOF while parsing an object") }
            guard byte == UInt8(ascii: "\"") else { throw self.error("key must be a string") }
            let key = try self.parseString()
            self.skipWhitespace()
            guard let colon = self.peek() else { throw self.error("EOF while parsing an object") }
            guard colon == UInt8(ascii: ":") else { throw self.error("expected `:`") }
            self.index += 1
            members.append(JSONMember(key, try self.parseValue()))
            self.skipWhitespace()
            guard let next = self.peek() else { throw self.error("EOF while parsing an object") }
            self.index += 1
            switch next {
            case UInt8(ascii: ","):
                self.skipWhitespace()
                if self.peek() == UInt8(ascii: "}") { throw self.error("trailing comma") }
            case UInt8(ascii: "}"): return .object(members)
            default:
                self.index -= 1
                throw self.error("expected `,` or `}`")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        self.index += 1  // [
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "]") {
            self.index += 1
            return .array(elements)
        }
        while true {
            elements.append(try self.parseValue())
            self.skipWhitespace()
            guard let next = self.peek() else { throw self.error("EOF while parsing a list") }
            self.index += 1
            switch next {
            case UInt8(ascii: ","):
                self.skipWhitespace()
                if self.peek() == UInt8(ascii: "]") { throw self.error("trailing comma") }
            case UInt8(ascii: "]"): return .array(elements)
            default:
                self.index -= 1
                throw self.error("expected `,` or `]`")
            }
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        for expected in word.utf8 {
            guard let byte = self.peek() else { throw self.error("EOF while parsing a value") }
            guard byte == expected else { throw self.error("expected value") }
            self.index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = self.index
        if self.peek() == UInt8(ascii: "-") { self.index += 1 }
        guard let first = self.peek(), Self.isDigit(first) else { throw self.error("invalid number") }
        self.index += 1
        if first != UInt8(ascii: "0") { self.skipDigits() }
        if self.peek() == UInt8(ascii: ".") {
            self.index += 1
            guard let digit = self.peek(), Self.isDigit(digit) else { throw self.error("invalid number") }
            self.skipDigits()
        }
        if let e = self.peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            self.index += 1
            if let sign = self.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { self.index += 1 }
            guard let digit = self.peek(), Self.isDigit(digit) else { throw self.error("invalid number") }
            self.skipDigits()
        }
        return .number(String(decoding: self.bytes[start..<self.index], as: UTF8.self))
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        self.index += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = self.peek() else { throw self.error("EOF while parsing a string") }
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw self.error("invalid unicode code point")
                }
                self.index += 1
                return text
            case UInt8(ascii: "\\"):
                self.index += 1
                try self.parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw self.error("control character (\\u0000-\\u001F) found while parsing a string")
            default:
                self.index += 1
                utf8.append(byte)
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        guard let byte = self.peek() else { throw self.error("EOF while parsing a string") }
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            self.index += 1
            utf8.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw self.error("invalid escape") }
        self.index += 1
        var scalar = UInt32(try self.parseHex4())
        if (0xD800..<0xDC00).contains(scalar) {
            guard self.peek() == UInt8(ascii: "\\"), self.peek(offset: 1) == UInt8(ascii: "u") else {
                throw self.error("lone leading surrogate in hex escape")
            }
            self.index += 2
            let low = UInt32(try self.parseHex4())
            guard (0xDC00..<0xE000).contains(low) else { throw self.error("lone leading surrogate in hex escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw self.error("invalid unicode code point") }
        utf8.append(contentsOf: String(unicode).utf8)
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = self.peek() else { throw self.error("EOF while parsing a string") }
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw self.error("invalid escape")
            }
            value = value << 4 | UInt16(nibble)
            self.index += 1
        }
        return value
    }

    private mutating func skipWhitespace() {
        while let byte = self.peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            self.index += 1
        }
    }

    private mutating func skipDigits() {
        while let byte = self.peek(), Self.isDigit(byte) { self.index += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func peek(offset: Int = 0) -> UInt8? {
        let position = self.index + offset
        return position < self.bytes.count ? self.bytes[position] : nil
    }

    /// An error at the current position, located as serde_json does: the 1-based line and column of the offending
    /// byte, or of the last byte when the input ended early (column 0 for empty input).
    private func error(_ reason: String) -> JSONParseError {
        let end = min(self.index, self.bytes.count)
        var line = 1
        var column = 0
        for byte in self.bytes[..<end] {
            if byte == 0x0A {
                line += 1
                column = 0
            } else {
                column += 1
            }
        }
        if end < self.bytes.count { column += 1 }
        return JSONParseError(reason: reason, line: line, column: column)
    }
}
