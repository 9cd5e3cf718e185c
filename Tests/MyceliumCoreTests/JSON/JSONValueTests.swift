import MyceliumCore
import Testing

@Suite("JSON values, parser and writer")
struct JSONValueTests {
    @Test("round trip keeps key order, number literals and escapes")
    func roundTrip() throws {
        let text = #"{"b":1,"a":[true,false,null,-0.5e3,18446744073709551615],"s":"q\"\\/\n\t\u0001é😀"}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value["a"]?.arrayValue?.last?.uint64Value == UInt64.max)
        #expect(value["s"]?.stringValue == "q\"\\/\n\t\u{01}é😀")
        #expect(value.compactText == #"{"b":1,"a":[true,false,null,-0.5e3,18446744073709551615],"s":"q\"\\/\n\t\u0001é😀"}"#)
        let surrogate = try JSONParser.parse(Array(#""\ud83d\ude00""#.utf8))
        #expect(surrogate == .string("😀"))
    }

    @Test("pretty text matches serde_json::to_string_pretty")
    func pretty() {
        let value = JSONValue.array([
            .object([JSONMember("a", .object([JSONMember("b", .string("c"))])), JSONMember("e", .array([]))]),
            .object([]),
        ])
        #expect(
            value.prettyText == """
                [
                  {
                    "a": {
                      "b": "c"
                    },
                    "e": []
                  },
                  {}
                ]
                """
        )
        #expect(JSONValue.array([]).prettyText == "[]")
    }

    @Test(
        "malformed documents are refused with a position",
        arguments: [
            ("", "EOF while parsing a value at line 1 column 0"),
            ("{\"a\":1,}", "trailing comma at line 1 column 8"),
            ("[1,]", "trailing comma at line 1 column 4"),
            ("[1 2]", "expected `,` or `]` at line 1 column 4"),
            ("{\"a\" 1}", "expected `:` at line 1 column 6"),
            ("{1:2}", "key must be a string at line 1 column 2"),
            ("01", "trailing characters at line 1 column 2"),
            ("1.", "invalid number at line 1 column 2"),
            ("-", "invalid number at line 1 column 1"),
            ("\"a\nb\"", "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3"),
            ("\"\\x\"", "invalid escape at line 1 column 3"),
            ("\"\\ud800\"", "lone leading surrogate in hex escape at line 1 column 8"),
            ("nul", "EOF while parsing a value at line 1 column 3"),
            ("tru e", "expected value at line 1 column 4"),
            ("\"abc", "EOF while parsing a string at line 1 column 4"),
        ]
    )
    func malformed(text: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
        do {
            _ = try JSONParser.parse(Array(text.utf8))
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("nesting is limited, invalid UTF-8 refused")
    func limits() throws {
        let deep = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try JSONParser.parse(Array(deep.utf8))
        let tooDeep = "[" + deep + "]"
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(tooDeep.utf8)) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        // A hostile 100k-deep document must not crash.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(repeating: UInt8(ascii: "["), count: 100_000)) }
    }
}
