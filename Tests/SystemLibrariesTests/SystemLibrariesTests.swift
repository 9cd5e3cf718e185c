import COpenSSL
import CSodium
import CTun
import CXML2
import Foundation
import Testing

@Suite("System libraries link and work")
struct SystemLibrariesTests {
    @Test("libsodium initialises and has AES-256-GCM on this CPU")
    func sodium() {
        #expect(sodium_init() >= 0)
        print("libsodium \(String(cString: sodium_version_string())), AES-NI GCM available: \(crypto_aead_aes256gcm_is_available() == 1)")
    }

    @Test("OpenSSL 3 is present and its macro wrappers work")
    func openSSL() throws {
        #expect(OpenSSL_version_num() >= 0x3000_0000)
        let context = try #require(SSL_CTX_new(TLS_method()))
        defer { SSL_CTX_free(context) }
        #expect(copenssl_SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION) == 1)
    }

    @Test("libxml2 parses without network access or entity expansion")
    func libxml2() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE d [<!ENTITY e "expanded">]>
            <d:propfind xmlns:d="DAV:"><d:prop>&e;</d:prop></d:propfind>
            """
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = try #require(xml.withCString { xmlReadMemory($0, Int32(strlen($0)), "in.xml", "UTF-8", options) })
        defer { xmlFreeDoc(document) }
        let root = try #require(xmlDocGetRootElement(document))
        #expect(String(cString: root.pointee.name) == "propfind")
        // Without XML_PARSE_NOENT the entity stays a reference node; it is never substituted into text.
        let prop = try #require(root.pointee.children)
        let reference = try #require(prop.pointee.children)
        #expect(reference.pointee.type == XML_ENTITY_REF_NODE)
    }

    @Test("a TUN interface can be created, configured and removed (needs root)")
    func tun() throws {
        guard geteuid() == 0, FileManager.default.fileExists(atPath: "/dev/net/tun") else {
            print("SKIPPED tun test: needs root and /dev/net/tun")
            return
        }
        var name = [CChar](repeating: 0, count: Int(CTUN_IFNAMSIZ))
        let descriptor = ctun_open("myctest%d", 0, &name)
        try #require(descriptor >= 0, "ctun_open failed: errno \(errno)")
        let interface = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(interface.hasPrefix("myctest"))
        #expect(ctun_set_mtu(interface, 1400) == 0)
        #expect(ctun_set_up(interface) == 0)
        let address: [UInt8] = [0x05, 0xa6, 0xf0, 0xc6, 0xf3, 0x65, 0x17, 0x7d, 0x66, 0xbe, 0x4a, 0x2b, 0xd9, 0xfd, 0xb5, 0x9e]
        #expect(ctun_add_ipv6_address(interface, address, 7) == 0)
        let mtu = try String(contentsOfFile: "/sys/class/net/\(interface)/mtu", encoding: .utf8)
        #expect(mtu.trimmingCharacters(in: .whitespacesAndNewlines) == "1400")
        close(descriptor)
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(interface)"))
    }

    @Test("bad interface names are refused, not truncated")
    func tunBadName() {
        var name = [CChar](repeating: 0, count: Int(CTUN_IFNAMSIZ))
        #expect(ctun_open(String(repeating: "x", count: 40), 0, &name) == -1)
        #expect(ctun_set_mtu(String(repeating: "x", count: 40), 1400) == -1)
    }
}
