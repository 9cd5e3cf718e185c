import Testing

@testable import MyceliumMailGateway

/// The SEARCH helpers: RFC 2047 decoding, decoded text bodies.
@Suite struct MIMESearchTests {
    @Test func encodedWordsAreDecoded() {
        let encoded = MIMEMessage(MIMEVectors.named("encoded").bytes)
        #expect(encoded.decodedHeaderValues("subject") == ["äöü and plain tail x"])
        #expect(encoded.decodedHeaderValues("FROM") == ["André € <andre@example.fr>"])
        #expect(encoded.decodedHeaderValues("to") == ["\u{201C}quoted\u{201D} <q@example.fr>"])
        #expect(encoded.decodedHeaderValues("cc") == [])
        let alternative = MIMEMessage(MIMEVectors.named("alternative").bytes)
        #expect(alternative.decodedHeaderValues("subject") == ["Grüße aus Köln"])
        #expect(alternative.decodedHeaderValues("from") == ["Jörg Müller <joerg@example.org>"])
        let folded = MIMEMessage(MIMEVectors.named("folded").bytes)
        #expect(folded.decodedHeaderValues("subject") == ["a folded  subject line", "second"])
    }

    @Test func encodedWordEdgeCases() {
        // A UTF-8 character split across two adjacent words; invalid words stay as written.
        #expect(MIMEEncodedWord.decode(Array("=?utf-8?q?=C3?= =?utf-8?q?=A4?=".utf8)) == "ä")
        #expect(MIMEEncodedWord.decode(Array("=?utf-8?x?abc?= =?utf-8?q?broken".utf8)) == "=?utf-8?x?abc?= =?utf-8?q?broken")
        #expect(MIMEEncodedWord.decode(Array("a =?us-ascii?b?aGk=?= b".utf8)) == "a hi b")
        #expect(MIMEEncodedWord.decode([0x63, 0x61, 0x66, 0xE9]) == "café")
    }

    @Test func searchableTextDecodesTextParts() {
        let alternative = MIMEMessage(MIMEVectors.named("alternative").bytes)
        #expect(alternative.searchableText == "Grüße aus Köln, a very long line that is soft broken.\n<p>Grüße</p>")
        let encoded = MIMEMessage(MIMEVectors.named("encoded").bytes)
        #expect(encoded.searchableText == "Café crème\r\n")
        let mixed = MIMEMessage(MIMEVectors.named("mixed").bytes)
        #expect(mixed.searchableText.contains("See attached."))
        #expect(mixed.searchableText.contains("inner text"))
        #expect(!mixed.searchableText.contains("JVBERi0"))
    }

    @Test func searchableTextIsBounded() {
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 3 << 20)
        let message = MIMEMessage(Array("Subject: big\r\n\r\n".utf8) + body)
        #expect(message.searchableText.utf8.count == MIMEMessage.maxSearchableBytes)
    }
}
