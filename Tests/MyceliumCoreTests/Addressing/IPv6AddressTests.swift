import Foundation
import MyceliumCore
import Testing

@Suite("IPv6Address")
struct IPv6AddressTests {
    // MARK: - Formatting (RFC 5952)

    @Test(arguments: [
        // §4.1 leading zeros dropped, §4.3 lower case
        ([0x2001, 0x0DB8, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0001], "2001:db8::1"),
        ([0x2001, 0x0DB8, 0x00AB, 0x0CDE, 0xEF00, 0x000F, 0x1234, 0xABCD], "2001:db8:ab:cde:ef00:f:1234:abcd"),
        // §4.2.2 a single zero group is not shortened
        ([0x2001, 0x0DB8, 0x0000, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001], "2001:db8:0:1:1:1:1:1"),
        // §4.2.3 the longest run is shortened
        ([0x2001, 0x0000, 0x0000, 0x0001, 0x0000, 0x0000, 0x0000, 0x0001], "2001:0:0:1::1"),
        // §4.2.3 on a tie, the first run
        ([0x2001, 0x0DB8, 0x0000, 0x0000, 0x0001, 0x0000, 0x0000, 0x0001], "2001:db8::1:0:0:1"),
        ([0, 0, 0, 0, 0, 0, 0, 0], "::"),
        ([0, 0, 0, 0, 0, 0, 0, 1], "::1"),
        ([1, 0, 0, 0, 0, 0, 0, 0], "1::"),
        ([0, 0, 1, 0, 0, 0, 0, 0], "0:0:1::"),
        ([1, 0, 0, 0, 0, 0, 0, 2], "1::2"),
        ([0xFE80, 0, 0, 0, 0x0708, 0x090A, 0x0B0C, 0x0D0E], "fe80::708:90a:b0c:d0e"),
        ([0x05A6, 0xF0C6, 0xF365, 0x177D, 0x66BE, 0x4A2B, 0xD9FD, 0xB59E], "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"),
        ([0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        // §5 IPv4-mapped addresses are written with the dotted IPv4 tail (as Rust's `Ipv6Addr` prints them).
        ([0, 0, 0, 0, 0, 0xFFFF, 0xC000, 0x0201], "::ffff:192.0.2.1"),
        ([0, 0, 0, 0, 0, 0xFFFF, 0, 0], "::ffff:0.0.0.0"),
    ] as [([UInt16], String)])
    func formatsCanonically(groups: [UInt16], text: String) throws {
        let address = IPv6Address(groups: groups)
        #expect(address.description == text)
        #expect(IPv6Address(text) == address, "the canonical text parses back")
        #expect(address.groups == groups)
    }

    // MARK: - Parsing

    @Test(arguments: [
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("1:2:3::6:7:8", "1:2:3::6:7:8"),
        ("fe80::1", "fe80::1"),
        // Embedded IPv4
        ("::1.2.3.4", "::102:304"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::FFFF:192.0.2.1", "::ffff:192.0.2.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("1::5:6:255.255.255.255", "1::5:6:ffff:ffff"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ])
    func parses(text: String, canonical: String) throws {
        let address = try #require(IPv6Address(text))
        #expect(address.description == canonical)
    }

    @Test(arguments: [
        "", ":", ":::", "1", "1:", ":1", "1::2::3", "::1:", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
        "12345::", "::12345", "1:2:3:4:5:6:7:00000", "g::", "::g", "1 ::", ":: ", "[::1]", "::1%eth0",
        "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5", "::256.1.1.1", "::01.2.3.4", "::1.2.3.4:5",
        "1.2.3.4", "::1..2.3", "::-1", "::+1", "::ffff:1.2.3.4:1", "1:2:3:4:5:6:7:8/64",
        String(repeating: "0", count: 46),
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(IPv6Address(text) == nil, "\(text) must not parse")
    }

    // MARK: - Bytes and masking

    @Test func bytesAndHalvesAreNetworkOrder() throws {
        let bytes = (1...16).map { UInt8($0) }
        let address = try #require(IPv6Address(bytes: bytes))
        #expect(address.high == 0x0102_0304_0506_0708)
        #expect(address.low == 0x090A_0B0C_0D0E_0F10)
        #expect(address.bytes == bytes)
        #expect(address.byte(0) == 1)
        #expect(address.byte(15) == 16)
        #expect(address.groups == [0x0102, 0x0304, 0x0506, 0x0708, 0x090A, 0x0B0C, 0x0D0E, 0x0F10])
        #expect(IPv6Address(groups: address.groups) == address)
        #expect(IPv6Address(bytes: bytes.dropLast()) == nil)
        #expect(IPv6Address(bytes: bytes + [0]) == nil)
    }

    @Test(arguments: [
        (0, "::"), (7, "400::"), (8, "500::"), (16, "5a6::"), (63, "5a6:f0c6:f365:177c::"),
        (64, "5a6:f0c6:f365:177d::"), (65, "5a6:f0c6:f365:177d::"), (68, "5a6:f0c6:f365:177d:6000::"),
        (127, "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"), (128, "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"),
        (-5, "::"), (200, "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"),
    ])
    func masksToPrefixLength(length: Int, expected: String) throws {
        let address = try #require(IPv6Address("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"))
        #expect(address.masked(toPrefixLength: length).description == expected)
    }

    @Test func codableUsesTheTextForm() throws {
        let address = try #require(IPv6Address("2001:db8::1"))
        let json = try JSONEncoder().encode([address])
        #expect(String(decoding: json, as: UTF8.self) == #"["2001:db8::1"]"#)
        #expect(try JSONDecoder().decode([IPv6Address].self, from: json) == [address])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([IPv6Address].self, from: Data(#"["2001:db8::g"]"#.utf8))
        }
        #expect(IPv6Address.unspecified.description == "::")
    }
}
