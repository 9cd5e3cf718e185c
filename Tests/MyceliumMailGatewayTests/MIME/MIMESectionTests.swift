import Testing

@testable import MyceliumMailGateway

/// `BODY[section]` (RFC 3501 §6.4.5) on the vectors; the expected bytes were checked against Dovecot's
/// `doveadm fetch body.<section>`.
@Suite struct MIMESectionTests {
    static func section(_ name: String, _ part: [Int], _ kind: MessageSection.Kind = .full) -> String? {
        let message = MIMEMessage(MIMEVectors.named(name).bytes)
        return message.section(MessageSection(part: part, kind: kind)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func topLevelSections() {
        let bytes = MIMEVectors.named("simple").message
        #expect(Self.section("simple", []) == bytes)
        #expect(Self.section("simple", [], .text) == "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n")
        #expect(Self.section("simple", [], .header)?.hasSuffix("CHARSET=US-ASCII\r\n\r\n") == true)
        #expect(Self.section("simple", [], .mime) == nil)
        // A single-part message: part 1 is its body, its MIME header is the message header.
        #expect(Self.section("simple", [1]) == "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n")
        #expect(Self.section("simple", [1], .mime) == Self.section("simple", [], .header))
        #expect(Self.section("simple", [2]) == nil)
        #expect(Self.section("simple", [1], .header) == nil)
    }

    @Test func multipartAndNestedMessageSections() {
        #expect(Self.section("mixed", [1]) == "See attached.")
        #expect(Self.section("mixed", [1, 1]) == "See attached.")
        #expect(Self.section("mixed", [2]) == "JVBERi0xLjQK")
        #expect(
            Self.section("mixed", [2], .mime)
                == "Content-Type: application/pdf; name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-ID: <part2@example.net>\r\nContent-Description: The report\r\n"
                + "Content-Disposition: attachment;\r\n filename*0=\"rep\";\r\n filename*1=\"ort.pdf\"\r\n\r\n"
        )
        #expect(Self.section("mixed", [3])?.hasPrefix("From: Carol <carol@example.org>\r\n") == true)
        #expect(Self.section("mixed", [3])?.hasSuffix("--inner--\r\n") == true)
        #expect(Self.section("mixed", [3], .mime) == "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n")
        #expect(
            Self.section("mixed", [3], .header)
                == "From: Carol <carol@example.org>\r\nTo: Alice <alice@example.net>\r\nSubject: Fwd inner\r\n"
                + "Date: Thu, 4 Jan 2024 08:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=inner\r\n\r\n"
        )
        #expect(Self.section("mixed", [3], .text)?.hasPrefix("--inner\r\nContent-Type: text/plain\r\n\r\ninner text") == true)
        #expect(Self.section("mixed", [3], .headerFields(["subject", "FROM"])) == "From: Carol <carol@example.org>\r\nSubject: Fwd inner\r\n\r\n")
        #expect(Self.section("mixed", [3, 1]) == "inner text")
        #expect(Self.section("mixed", [3, 1], .mime) == "Content-Type: text/plain\r\n\r\n")
        #expect(Self.section("mixed", [3, 2]) == "iVBORw0KGgo=")
        #expect(Self.section("mixed", [3, 3]) == nil)
        #expect(Self.section("mixed", [4]) == nil)
        #expect(Self.section("mixed", [2], .header) == nil)
        #expect(Self.section("mixed", [2], .text) == nil)
        #expect(Self.section("mixed", [0]) == nil)
        // A top-level message/rfc822: 1 is the embedded message, 1.1 its body.
        #expect(Self.section("e7", [1]) == "Subject: inner\r\n\r\nbody\r\n")
        #expect(Self.section("e7", [1, 1]) == "body\r\n")
        #expect(Self.section("e7", [1], .header) == "Subject: inner\r\n\r\n")
        // multipart/digest parts default to message/rfc822.
        #expect(Self.section("e3", [1, 1]) == "hi")
    }

    @Test func headerFieldsKeepFoldingAndOrder() {
        #expect(
            Self.section("folded", [], .headerFields(["SUBJECT", "to", "x-empty"]))
                == "Subject: a folded\r\n  subject line\r\nX-Empty:\r\nto: z@y.test\r\nSUBJECT: second\r\n\r\n"
        )
        #expect(
            Self.section("folded", [], .headerFieldsNot(["subject", "TO", "X-Empty"]))
                == "Received: from a\r\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000\r\nFrom: x@y.test\r\n\r\n"
        )
        #expect(Self.section("folded", [], .headerFields(["nonexistent"])) == "\r\n")
        // Bare LF line ends come out as CRLF.
        #expect(Self.section("barelf", [], .headerFieldsNot(["content-type"])) == "From: bare@lf.test\r\nSubject: bare LF\r\n\r\n")
        // A last field without a line end still gets one.
        let message = MIMEMessage(Array("Subject: x\r\nTo: y".utf8))
        #expect(message.section(MessageSection(kind: .headerFields(["to"]))).map { String(decoding: $0, as: UTF8.self) } == "To: y\r\n\r\n")
    }
}
