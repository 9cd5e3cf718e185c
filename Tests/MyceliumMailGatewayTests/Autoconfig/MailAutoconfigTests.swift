import Logging
import MyceliumCore
import NIOCore
import Testing

@testable import MyceliumMailGateway

@Suite struct MailAutoconfigTests {
    static let address = IPv6Address("4a1:2b3c:4d5e:6f70:8192:a3b4:c5d6:e7f8")!
    static var autoconfig: MailAutoconfig {
        var configuration = MailGatewayConfiguration()
        configuration.imapListen = .init(host: "0.0.0.0", port: 1143)
        return MailAutoconfig(nodeAddress: Self.address, configuration: configuration)
    }

    @Test func xmlNamesTheDomainAndBothServers() {
        let xml = Self.autoconfig.xml
        #expect(Self.autoconfig.domain == "04a12b3c4d5e6f708192a3b4c5d6e7f8.mycelium")
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">"))
        #expect(xml.contains("<domain>04a12b3c4d5e6f708192a3b4c5d6e7f8.mycelium</domain>"))
        #expect(xml.contains("<incomingServer type=\"imap\">\n      <hostname>127.0.0.1</hostname>\n      <port>1143</port>"))
        #expect(xml.contains("<outgoingServer type=\"smtp\">\n      <hostname>127.0.0.1</hostname>\n      <port>2525</port>"))
        #expect(xml.contains("<username>%EMAILLOCALPART%</username>"))
        #expect(xml.contains("<socketType>plain</socketType>"))
        #expect(Self.autoconfig.text.contains("Outgoing (SMTP): 127.0.0.1 port 2525"))
    }

    @Test func serverAnswersTheWellKnownPathsOnly() {
        let server = AutoconfigServer(autoconfig: Self.autoconfig, logger: Logger(label: "test"))
        func answer(_ request: String) -> String {
            String(buffer: server.response(to: ByteBuffer(string: request)))
        }
        let ok = answer("GET /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=a%40b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"))
        #expect(ok.hasSuffix(Self.autoconfig.xml))
        #expect(answer("GET /mail/config-v1.1.xml HTTP/1.0\r\n\r\n").hasPrefix("HTTP/1.1 200 OK"))
        let head = answer("HEAD /mail/config-v1.1.xml HTTP/1.1\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK") && head.hasSuffix("\r\n\r\n"))
        #expect(answer("GET /../etc/passwd HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 Not Found"))
        #expect(answer("POST /mail/config-v1.1.xml HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 405 Method Not Allowed"))
        #expect(answer("garbage\r\n\r\n").hasPrefix("HTTP/1.1 400 Bad Request"))
    }
}
