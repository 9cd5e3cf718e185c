import Testing

@testable import MyceliumMailGateway

@Suite struct MailContentTests {
    static let message = Array("Subject: hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nbody: not a header\r\n".utf8)

    @Test func findsHeaderFieldsOnlyInTheHeader() {
        #expect(MailContent.hasHeaderField("date", in: Self.message))
        #expect(MailContent.hasHeaderField("SUBJECT", in: Self.message))
        #expect(!MailContent.hasHeaderField("Body", in: Self.message))
        #expect(!MailContent.hasHeaderField("Message-ID", in: Self.message))
        #expect(!MailContent.hasHeaderField("Sub", in: Self.message))
    }

    @Test func appendsFieldsAtTheEndOfTheHeader() {
        let result = MailContent.appendingToHeader(["Message-ID: <x@y>"], in: Self.message)
        #expect(
            String(decoding: result, as: UTF8.self)
                == "Subject: hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <x@y>\r\n\r\nbody: not a header\r\n"
        )
        // A message that is all header (no empty line, no final line end) still gets a well-formed field.
        let bare = MailContent.appendingToHeader(["Date: x"], in: Array("Subject: s".utf8))
        #expect(String(decoding: bare, as: UTF8.self) == "Subject: s\r\nDate: x\r\n")
    }

    @Test func prependsTraceFields() {
        let result = MailContent.prepending(["Return-Path: <a@b>"], to: Array("X: y\r\n\r\n".utf8))
        #expect(String(decoding: result, as: UTF8.self) == "Return-Path: <a@b>\r\nX: y\r\n\r\n")
    }

    @Test func formatsRFC5322Dates() {
        #expect(MailDateFormat.string(fromSeconds: 0) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(MailDateFormat.string(fromSeconds: 1_795_255_200) == "Sat, 21 Nov 2026 10:00:00 +0000")
    }
}
