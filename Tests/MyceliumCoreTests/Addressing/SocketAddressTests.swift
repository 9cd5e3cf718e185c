import MyceliumCore
import Testing

@Suite("SocketAddress")
struct SocketAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8989", "127.0.0.1", 8989 as UInt16, "127.0.0.1:8989"),
        ("[::1]:8990", "::1", 8990, "[::1]:8990"),
        ("[2001:DB8:0:0::1]:65535", "2001:db8::1", 65535, "[2001:db8::1]:65535"),
        ("[::]:1", "::", 1, "[::]:1"),
    ])
    func parses(text: String, host: String, port: UInt16, canonical: String) throws {
        let address = try #require(SocketAddress(text))
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == canonical)
        #expect(SocketAddress(canonical) == address)
    }

    @Test(arguments: [
        "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "localhost:8989", "example.org:80",
        "::1:8989", "[::1]", "[fe80::1%eth0]:8989", "tcp://127.0.0.1:8989", "3:8989", "[1.2.3.4]:80",
    ])
    func rejects(_ text: String) {
        #expect(SocketAddress(text) == nil, "\(text) must not parse")
    }

    @Test func describesIPv6InBrackets() {
        #expect(SocketAddress(host: "::1", port: 80).description == "[::1]:80")
        #expect(SocketAddress(host: "10.0.0.1", port: 80).description == "10.0.0.1:80")
    }
}
