import MyceliumCore
import Testing

@testable import MyceliumMailGateway

@Suite struct MailAddressTests {
    @Test func parsesDotStringAndQuotedLocalParts() throws {
        let plain = try MailAddress.parsePath("<alice.b+tag@example.org>", allowNull: false)
        #expect(plain == MailAddress(localPart: "alice.b+tag", domain: "example.org"))
        let quoted = try MailAddress.parsePath(#"<"a b\"c"@example.org>"#, allowNull: false)
        #expect(quoted == MailAddress(localPart: #"a b"c"#, domain: "example.org"))
        #expect(quoted?.description == #""a b\"c"@example.org"#)
        #expect(plain?.pathDescription == "<alice.b+tag@example.org>")
    }

    @Test func parsesAddressLiteralsAndNullPathAndSourceRoutes() throws {
        #expect(try MailAddress.parsePath("<a@[1.2.3.4]>", allowNull: false)?.domain == "[1.2.3.4]")
        #expect(try MailAddress.parsePath("<a@[IPv6:400::1]>", allowNull: false)?.domain == "[IPv6:400::1]")
        #expect(try MailAddress.parsePath("<>", allowNull: true) == nil)
        #expect(throws: MailAddressError.nullPath) { try MailAddress.parsePath("<>", allowNull: false) }
        let routed = try MailAddress.parsePath("<@relay.one,@relay.two:bob@example.org>", allowNull: false)
        #expect(routed == MailAddress(localPart: "bob", domain: "example.org"))
        #expect(MailAddress(mailbox: "x@y.z") == MailAddress(localPart: "x", domain: "y.z"))
    }

    @Test(arguments: [
        "<a@b", "a@b>", "<@b>", "<a@>", "<a..b@c>", "<.a@c>", "<a.@c>", "<a@-b.c>", "<a@b-.c>", "<a@b..c>",
        "<a@[1.2.3]>", "<a@[IPv6:zz::1]>", "<a@[foo:bar]>", "<a b@c>", "<\"a@c>", "<a@b> x", "<caf\u{e9}@x.y>",
        "<@x:a@b", "<@:a@b>",
    ])
    func refusesMalformedPaths(_ text: String) {
        #expect(throws: MailAddressError.self) { try MailAddress.parsePath(text, allowNull: true) }
    }

    @Test func enforcesRFC5321Lengths() throws {
        let local64 = String(repeating: "a", count: 64)
        #expect(try MailAddress.parsePath("<\(local64)@x.y>", allowNull: false)?.localPart == local64)
        #expect(throws: MailAddressError.tooLong) { try MailAddress.parsePath("<\(local64)a@x.y>", allowNull: false) }
        // 63-character labels: 3 × 64 + 60 = 252-character domain is fine alone, but the path is over 256.
        let label = String(repeating: "d", count: 63)
        let domain = [label, label, label, String(repeating: "e", count: 59)].joined(separator: ".")
        #expect(domain.utf8.count == 251)
        #expect(throws: MailAddressError.tooLong) { try MailAddress.parsePath("<abcd@\(domain)>", allowNull: false) }
        #expect(try MailAddress.parsePath("<ab@\(domain)>", allowNull: false)?.domain == domain)
        let longDomain = Array(repeating: label, count: 5).joined(separator: ".")
        #expect(throws: MailAddressError.tooLong) { try MailAddress.parsePath("<a@\(longDomain)>", allowNull: false) }
    }

    @Test func overlayForms() throws {
        let node = try #require(IPv6Address("4ab:cdef:1234:5678:9abc:def0:1122:3344"))
        let address = MailAddress.mycelium(user: "alice", node: node)
        #expect(address.description == "alice@04abcdef123456789abcdef011223344.mycelium")
        #expect(address.overlayNode == node)
        #expect(MailAddress(localPart: "a", domain: "04ABCDEF123456789ABCDEF011223344.MyCelium").overlayNode == node)
        #expect(
            MailAddress(localPart: "a", domain: "[IPv6:4ab:cdef:1234:5678:9abc:def0:1122:3344]").overlayNode == node)
        #expect(
            MailAddress(localPart: "a", domain: "[ipv6:4ab:cdef:1234:5678:9abc:def0:1122:3344]").overlayNode == node)
        // Outside 400::/7, wrong length, not hex, not the overlay suffix.
        #expect(MailAddress(localPart: "a", domain: "[IPv6:2001:db8::1]").overlayNode == nil)
        #expect(MailAddress(localPart: "a", domain: "20010db8000000000000000000000001.mycelium").overlayNode == nil)
        #expect(MailAddress(localPart: "a", domain: "04abcdef123456789abcdef01122334.mycelium").overlayNode == nil)
        #expect(MailAddress(localPart: "a", domain: "04abcdef123456789abcdef01122334g.mycelium").overlayNode == nil)
        #expect(MailAddress(localPart: "a", domain: "04abcdef123456789abcdef011223344.example").overlayNode == nil)
        #expect(MailAddress(localPart: "a", domain: "[1.2.3.4]").overlayNode == nil)
        // The overlay forms parse as paths too.
        #expect(try MailAddress.parsePath("<\(address)>", allowNull: false) == address)
    }

    @Test func localhostForms() {
        for domain in ["localhost", "LocalHost", "[127.0.0.1]", "[IPv6:::1]", "[IPv6:0:0:0:0:0:0:0:1]"] {
            #expect(MailAddress(localPart: "a", domain: domain).isLocalhost, "\(domain)")
        }
        for domain in ["localhost.example", "[127.0.0.2]", "[IPv6:::2]", "example.org", "[]"] {
            #expect(!MailAddress(localPart: "a", domain: domain).isLocalhost, "\(domain)")
        }
    }
}
