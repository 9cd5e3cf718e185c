import MyceliumCore
import MyceliumNode
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

@Suite("Peer JSON shapes")
struct PeerJSONTests {
    @Test(
        "endpoints round-trip through upstream's serde shape; the pre-0.7.6 shape is read too",
        arguments: ["tcp://192.0.2.1:9651", "quic://[2a01::2]:9651", "tls://[fe80::1%eth0]:9651", "vsock://3:5000",
                    "tcp://node.example.org:9651"]
    )
    func endpointRoundTrip(text: String) throws {
        let endpoint = try PeerEndpoint(parsing: text)
        #expect(try PeerEndpoint(json: endpoint.jsonValue) == endpoint)
    }

    @Test("a Rust node's PeerStats, old and new endpoint shapes, decode")
    func rustPeerStats() throws {
        let new = try JSONParser.parse(Array(
            #"{"endpoint":{"proto":"tcp","addr":{"socket":"[2a01:4f8:221:1e0b::2]:9651"}},"type":"static","#
                .utf8
        ) + Array(#""connectionState":"alive","txBytes":1,"rxBytes":2,"discovered":3,"lastConnected":null}"#.utf8))
        let peer = try PeerStatus(json: new)
        #expect(peer.endpoint.description == "tcp://[2a01:4f8:221:1e0b::2]:9651")
        #expect(peer.lastConnected == nil)
        #expect(peer.jsonValue == new)

        let old = try JSONParser.parse(Array(
            #"{"endpoint":{"proto":"quic","socketAddr":"188.40.132.242:9651"},"type":"inbound","#.utf8
        ) + Array(#""connectionState":"dead","txBytes":0,"rxBytes":0,"discovered":0,"lastConnected":5}"#.utf8))
        #expect(try PeerStatus(json: old).endpoint.description == "quic://188.40.132.242:9651")

        for bad in [#"{"endpoint":{"proto":"udp","addr":{"socket":"1.2.3.4:1"}}}"#, #"{"endpoint":{"proto":"tcp"}}"#] {
            #expect(throws: JSONShapeError.self) { try PeerStatus(json: try JSONParser.parse(Array(bad.utf8))) }
        }
    }
}
