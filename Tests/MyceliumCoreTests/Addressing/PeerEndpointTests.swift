import MyceliumCore
import Testing

/// Peer URIs (spec §2.1): `<scheme>://<host>:<port>`, scheme case-insensitive.
@Suite("PeerEndpoint")
struct PeerEndpointTests {
    @Test(arguments: [
        ("tcp://188.40.132.242:9651", PeerEndpoint.Transport.tcp, "188.40.132.242", 9651 as UInt32),
        ("quic://185.69.166.8:9651", .quic, "185.69.166.8", 9651),
        ("tls://10.0.0.1:1", .tls, "10.0.0.1", 1),
        ("tcp://0.0.0.0:65535", .tcp, "0.0.0.0", 65535),
        ("TCP://1.2.3.4:9651", .tcp, "1.2.3.4", 9651),
        ("Quic://1.2.3.4:9651", .quic, "1.2.3.4", 9651),
        ("tLs://255.255.255.255:443", .tls, "255.255.255.255", 443),
    ])
    func parsesIPv4(text: String, transport: PeerEndpoint.Transport, host: String, port: UInt32) throws {
        let endpoint = try PeerEndpoint(parsing: text)
        #expect(endpoint.transport == transport)
        #expect(endpoint.host == .ipv4(host))
        #expect(endpoint.port == port)
        #expect(endpoint.description == "\(transport.rawValue)://\(host):\(port)")
    }

    @Test func parsesBracketedIPv6() throws {
        let endpoint = try PeerEndpoint(parsing: "tcp://[2a01:4f8:212:fa6::2]:9651")
        #expect(endpoint.transport == .tcp)
        #expect(endpoint.host == .ipv6(try #require(IPv6Address("2a01:4f8:212:fa6::2")), zone: nil))
        #expect(endpoint.port == 9651)
        #expect(endpoint.description == "tcp://[2a01:4f8:212:fa6::2]:9651")

        let quic = try PeerEndpoint(parsing: "QUIC://[2A10:B600:1:0:EC4:7AFF:FE30:8235]:9651")
        #expect(quic.transport == .quic)
        #expect(quic.description == "quic://[2a10:b600:1:0:ec4:7aff:fe30:8235]:9651", "canonical address text")
        #expect(try PeerEndpoint(parsing: "tcp://[::]:9651").host == .ipv6(.unspecified, zone: nil))
    }

    @Test func parsesLinkLocalIPv6WithZone() throws {
        let endpoint = try PeerEndpoint(parsing: "tcp://[fe80::1%eth0]:9651")
        #expect(endpoint.host == .ipv6(try #require(IPv6Address("fe80::1")), zone: "eth0"))
        #expect(endpoint.description == "tcp://[fe80::1%eth0]:9651")
        let numeric = try PeerEndpoint(parsing: "tls://[fe80::a:b%2]:7")
        #expect(numeric.host == .ipv6(try #require(IPv6Address("fe80::a:b")), zone: "2"))
    }

    @Test func parsesHostNames() throws {
        let endpoint = try PeerEndpoint(parsing: "tcp://Node-1.Example.ORG:9651")
        #expect(endpoint.host == .name("node-1.example.org"))
        #expect(endpoint.description == "tcp://node-1.example.org:9651")
        #expect(try PeerEndpoint(parsing: "quic://localhost:1").host == .name("localhost"))
        #expect(try PeerEndpoint(parsing: "tcp://1.2.3.4.example:1").host == .name("1.2.3.4.example"))
    }

    @Test func parsesVsock() throws {
        let endpoint = try PeerEndpoint(parsing: "vsock://3:9651")
        #expect(endpoint.transport == .vsock)
        #expect(endpoint.host == .vsockContext(3))
        #expect(endpoint.port == 9651)
        #expect(endpoint.description == "vsock://3:9651")
        let large = try PeerEndpoint(parsing: "VSOCK://4294967295:4294967295")
        #expect(large.host == .vsockContext(.max))
        #expect(large.port == .max, "vsock ports are 32 bits wide")
    }

    @Test(arguments: [
        ("188.40.132.242:9651", PeerEndpoint.ParseError.missingScheme),
        ("tcp:/1.2.3.4:9651", .missingScheme),
        ("", .missingScheme),
        ("udp://1.2.3.4:9651", .unknownScheme("udp")),
        ("HTTP://1.2.3.4:9651", .unknownScheme("http")),
        ("://1.2.3.4:9651", .unknownScheme("")),
        ("tcp://1.2.3.4", .missingPort),
        ("tcp://", .missingPort),
        ("tcp://1.2.3.4:", .invalidPort("")),
        ("tcp://1.2.3.4:0", .invalidPort("0")),
        ("tcp://1.2.3.4:65536", .invalidPort("65536")),
        ("tcp://1.2.3.4:-1", .invalidPort("-1")),
        ("tcp://1.2.3.4:+80", .invalidPort("+80")),
        ("tcp://1.2.3.4: 80", .invalidPort(" 80")),
        ("tcp://1.2.3.4:80a", .invalidPort("80a")),
        ("tcp://1.2.3.4:99999999999", .invalidPort("99999999999")),
        ("vsock://3:4294967296", .invalidPort("4294967296")),
        ("tcp://[::1]", .invalidPort("1]")),
        ("tcp://:9651", .invalidHost("")),
        ("tcp://1.2.3.256:9651", .invalidHost("1.2.3.256")),
        ("tcp://01.2.3.4:9651", .invalidHost("01.2.3.4")),
        ("tcp://1.2.3:9651", .invalidHost("1.2.3")),
        ("tcp://::1:9651", .invalidHost("::1")),
        ("tcp://[::1:9651", .invalidHost("[::1")),
        ("tcp://[]:9651", .invalidHost("[]")),
        ("tcp://[1.2.3.4]:9651", .invalidHost("[1.2.3.4]")),
        ("tcp://[::g]:9651", .invalidHost("[::g]")),
        ("tcp://[fe80::1%]:9651", .invalidHost("[fe80::1%]")),
        ("tcp://[fe80::1%eth 0]:9651", .invalidHost("[fe80::1%eth 0]")),
        ("tcp://[fe80::1%abcdefghijklmnop]:9651", .invalidHost("[fe80::1%abcdefghijklmnop]")),
        ("tcp://-node.example:9651", .invalidHost("-node.example")),
        ("tcp://node-.example:9651", .invalidHost("node-.example")),
        ("tcp://node..example:9651", .invalidHost("node..example")),
        ("tcp://node_1.example:9651", .invalidHost("node_1.example")),
        ("tcp://nöde.example:9651", .invalidHost("nöde.example")),
        ("vsock://abc:1", .invalidHost("abc")),
        ("vsock://-1:1", .invalidHost("-1")),
    ])
    func rejectsInvalidText(text: String, error: PeerEndpoint.ParseError) {
        #expect(throws: error) { try PeerEndpoint(parsing: text) }
    }

    @Test func rejectsOverlongHostNames() {
        let label = String(repeating: "a", count: 64)
        #expect(throws: PeerEndpoint.ParseError.invalidHost(label)) { try PeerEndpoint(parsing: "tcp://\(label):1") }
        let long = Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")
        #expect(long.utf8.count > 253)
        #expect(throws: PeerEndpoint.ParseError.invalidHost(long)) { try PeerEndpoint(parsing: "tcp://\(long):1") }
    }

    @Test func descriptionRoundTrips() throws {
        for text in [
            "tcp://1.2.3.4:9651", "quic://[2a01::2]:9651", "tls://[fe80::1%eth0]:9651", "tcp://example.org:1",
            "vsock://7:1024",
        ] {
            let endpoint = try PeerEndpoint(parsing: text)
            #expect(endpoint.description == text)
            #expect(try PeerEndpoint(parsing: endpoint.description) == endpoint)
        }
    }

    @Test func errorsReadAsSentences() {
        #expect(PeerEndpoint.ParseError.unknownScheme("udp").description.contains("udp"))
        #expect(PeerEndpoint.ParseError.invalidPort("x").description == "invalid port 'x'")
    }
}
