import Foundation
import MyceliumCore
import Testing

@Suite("Subnet")
struct SubnetTests {
    @Test func clearsHostBits() throws {
        let address = try #require(IPv6Address("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"))
        let subnet = try #require(Subnet(address: address, prefixLength: 64))
        #expect(subnet.address.description == "5a6:f0c6:f365:177d::")
        #expect(subnet.prefixLength == 64)
        #expect(subnet.description == "5a6:f0c6:f365:177d::/64")
        #expect(Subnet(address: address, prefixLength: 0)?.description == "::/0")
        #expect(Subnet(address: address, prefixLength: 128)?.address == address)
    }

    @Test(arguments: [-1, 129, 255, 1000, Int.min, Int.max])
    func rejectsInvalidPrefixLengths(_ length: Int) {
        #expect(Subnet(address: .unspecified, prefixLength: length) == nil)
    }

    @Test(arguments: [
        ("400::/7", "400::/7"),
        ("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e/64", "5a6:f0c6:f365:177d::/64"),
        ("::/0", "::/0"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("fe80::1/128", "fe80::1/128"),
        ("fe80::1/0", "::/0"),
        // A bare address is a /128.
        ("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e", "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e/128"),
        ("::1", "::1/128"),
    ])
    func parsesText(text: String, canonical: String) throws {
        let subnet = try #require(Subnet(text))
        #expect(subnet.description == canonical)
        #expect(Subnet(canonical) == subnet)
    }

    @Test(arguments: [
        "", "/64", "::/", "::/129", "::/-1", "::/+64", "::/ 64", "::/64 ", "::/0x40", "::/1000", "::/6a",
        "::/64/64", "1::2::3/64", "400::/٧", "zz::/64", "::/١٢",
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(Subnet(text) == nil, "\(text) must not parse")
    }

    @Test func containsAddresses() throws {
        let node = try #require(Subnet("5a6:f0c6:f365:177d::/64"))
        #expect(node.contains(try #require(IPv6Address("5a6:f0c6:f365:177d::"))))
        #expect(node.contains(try #require(IPv6Address("5a6:f0c6:f365:177d:ffff:ffff:ffff:ffff"))))
        #expect(!node.contains(try #require(IPv6Address("5a6:f0c6:f365:177e::"))))
        #expect(!node.contains(try #require(IPv6Address("5a6:f0c6:f365:177c:ffff:ffff:ffff:ffff"))))

        #expect(Subnet.overlay.description == "400::/7")
        #expect(Subnet.overlay.contains(try #require(IPv6Address("400::"))))
        #expect(Subnet.overlay.contains(try #require(IPv6Address("5ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))))
        #expect(!Subnet.overlay.contains(try #require(IPv6Address("3ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))))
        #expect(!Subnet.overlay.contains(try #require(IPv6Address("600::"))))

        #expect(Subnet.linkLocal.description == "fe80::/64")
        #expect(Subnet.linkLocal.contains(try #require(IPv6Address("fe80::1234"))))
        #expect(!Subnet.linkLocal.contains(try #require(IPv6Address("fe80:0:0:1::1"))))

        let everything = try #require(Subnet("::/0"))
        #expect(everything.contains(try #require(IPv6Address("ffff::1"))))
        let host = try #require(Subnet("::1"))
        #expect(host.contains(try #require(IPv6Address("::1"))))
        #expect(!host.contains(IPv6Address.unspecified))
    }

    @Test func containsSubnets() throws {
        let node = try #require(Subnet("5a6:f0c6:f365:177d::/64"))
        #expect(Subnet.overlay.contains(node))
        #expect(node.contains(node))
        #expect(node.contains(try #require(Subnet("5a6:f0c6:f365:177d:1::/80"))))
        #expect(!node.contains(Subnet.overlay), "a shorter prefix is never inside a longer one")
        #expect(!node.contains(try #require(Subnet("5a6:f0c6:f365:177e::/64"))))
        #expect(!Subnet.overlay.contains(try #require(Subnet("200::/7"))))
        #expect(!Subnet.overlay.contains(try #require(Subnet("::/0"))))
    }

    @Test func codableUsesTheTextForm() throws {
        let subnet = try #require(Subnet("400::/7"))
        let json = try JSONEncoder().encode([subnet])
        let text = String(decoding: json, as: UTF8.self)
        #expect(text == #"["400::\/7"]"# || text == #"["400::/7"]"#, "slashes may be escaped")
        #expect(try JSONDecoder().decode([Subnet].self, from: json) == [subnet])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Subnet].self, from: Data(#"["400::/129"]"#.utf8))
        }
    }
}
