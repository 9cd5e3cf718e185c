import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import Testing

@Suite("Node allow list")
struct NodeAllowListTests {
    static let alice = X25519.SecretKey.generate().publicKey
    static let bob = X25519.SecretKey.generate().publicKey

    @Test("'*' allows everyone; an empty list nobody")
    func wildcard() throws {
        #expect(try NodeAllowList(entries: ["*"]).allows(Self.alice))
        #expect(NodeAllowList.everyone.allows(Self.bob))
        #expect(!NodeAllowList.nobody.allows(Self.alice))
        #expect(try !NodeAllowList(entries: [String]()).allows(Self.alice))
    }

    @Test("a public key (either case) allows exactly that node")
    func publicKey() throws {
        let list = try NodeAllowList(entries: [Self.alice.hexString.uppercased()])
        #expect(list.allows(Self.alice))
        #expect(!list.allows(Self.bob))
    }

    @Test("an overlay address allows that node; a subnet the nodes inside it")
    func addresses() throws {
        let exact = try NodeAllowList(entries: [" \(Self.alice.overlayAddress) "])
        #expect(exact.allows(Self.alice) && !exact.allows(Self.bob))
        let own = try NodeAllowList(entries: [Self.alice.nodeSubnet.description])
        #expect(own.allows(Self.alice) && !own.allows(Self.bob))
        let overlay = try NodeAllowList(entries: ["400::/7"])
        #expect(overlay.allows(Self.alice) && overlay.allows(Self.bob))
        let both = try NodeAllowList(entries: [Self.bob.hexString, "\(Self.alice.overlayAddress)/128"])
        #expect(both.allows(Self.alice) && both.allows(Self.bob))
    }

    @Test("a bad entry is an error that names it")
    func badEntries() {
        for bad in ["", "**", "alice", "2001:db8::1", "2001:db8::/32", "::/0", "400::/129", "400::/x", "5a6::1/64/1",
            String(repeating: "g", count: 64), String(repeating: "a", count: 63), String(repeating: "a", count: 200)]
        {
            do {
                _ = try NodeAllowList(entries: ["*", bad])
                Issue.record("'\(bad)' was accepted")
            } catch {
                #expect(error.entry == bad)
                #expect(error.description.contains("'\(bad)'"))
            }
        }
    }
}
