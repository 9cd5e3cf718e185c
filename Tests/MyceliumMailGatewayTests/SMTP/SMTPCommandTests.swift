import Testing

@testable import MyceliumMailGateway

@Suite struct SMTPCommandTests {
    private func parse(_ text: String) throws(SMTPCommandError) -> SMTPCommand {
        try SMTPCommand(parsing: Array(text.utf8))
    }

    @Test func parsesEveryCommand() throws {
        #expect(try self.parse("EHLO [127.0.0.1]") == .ehlo("[127.0.0.1]"))
        #expect(try self.parse("helo host ") == .helo("host"))
        #expect(
            try self.parse("AUTH plain AHRlc3QAdGVzdA==")
                == .auth(mechanism: "PLAIN", initialResponse: Array("AHRlc3QAdGVzdA==".utf8)))
        #expect(try self.parse("AUTH LOGIN") == .auth(mechanism: "LOGIN", initialResponse: nil))
        #expect(
            try self.parse("MAIL FROM:<a@b.c> BODY=8bitmime SIZE=1234")
                == .mail(
                    from: MailAddress(localPart: "a", domain: "b.c"),
                    parameters: SMTPMailParameters(size: 1234, body: .eightBitMIME)))
        #expect(try self.parse("mail from:<>") == .mail(from: nil, parameters: SMTPMailParameters()))
        #expect(
            try self.parse("MAIL FROM: a@b.c BODY=7BIT")
                == .mail(
                    from: MailAddress(localPart: "a", domain: "b.c"), parameters: SMTPMailParameters(body: .sevenBit)))
        #expect(try self.parse("RCPT TO:<x@y.z>") == .rcpt(to: MailAddress(localPart: "x", domain: "y.z")))
        #expect(try self.parse("DATA") == .data)
        #expect(try self.parse("rset") == .rset)
        #expect(try self.parse("NOOP hello") == .noop)
        #expect(try self.parse("QUIT") == .quit)
        #expect(try self.parse("VRFY x") == .vrfy)
        #expect(try self.parse("HELP MAIL") == .help)
    }

    @Test func refusals() {
        #expect(throws: SMTPCommandError.unknownCommand) { try self.parse("XYZZY") }
        #expect(throws: SMTPCommandError.unknownCommand) { try self.parse("N\u{0}OOP") }
        #expect(throws: SMTPCommandError.notImplemented("EXPN")) { try self.parse("EXPN list") }
        #expect(throws: SMTPCommandError.unsupportedParameter("SMTPUTF8")) {
            try self.parse("MAIL FROM:<a@b.c> SMTPUTF8")
        }
        #expect(throws: SMTPCommandError.badSender(.syntax)) { try self.parse("MAIL FROM:<a@b.c>x") }
        #expect(throws: SMTPCommandError.badRecipient(.nullPath)) { try self.parse("RCPT TO:<>") }
        #expect(throws: SMTPCommandError.syntax("Bad SIZE parameter")) {
            try self.parse("MAIL FROM:<> SIZE=1234567890123456789")
        }
        #expect(throws: SMTPCommandError.syntax("Bad SIZE parameter")) { try self.parse("MAIL FROM:<> SIZE") }
    }
}
