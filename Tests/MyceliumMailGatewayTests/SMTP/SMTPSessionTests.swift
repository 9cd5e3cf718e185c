import Testing

@testable import MyceliumMailGateway

@Suite struct SMTPSessionTests {
    @Test func greetingAndEHLOAreByteExact() {
        var harness = SMTPSessionHarness()
        #expect(harness.start() == "220 gw.test ESMTP Mycelium mail gateway ready\r\n")
        #expect(
            harness.feed("EHLO client.test\r\n")
                == "250-gw.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
                + "250 AUTH PLAIN LOGIN\r\n")
        #expect(harness.feed("HELO client.test\r\n") == "250 gw.test\r\n")
        #expect(harness.feed("EHLO\r\n") == "501 5.5.4 Syntax: EHLO hostname\r\n")
    }

    @Test func simpleCommands() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        #expect(harness.feed("NOOP\r\n") == "250 2.0.0 OK\r\n")
        #expect(harness.feed("noop anything\r\n") == "250 2.0.0 OK\r\n")
        #expect(harness.feed("RSET\r\n") == "250 2.0.0 OK\r\n")
        #expect(harness.feed("RSET x\r\n") == "501 5.5.4 Syntax: RSET\r\n")
        #expect(
            harness.feed("VRFY bob\r\n")
                == "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\r\n")
        #expect(harness.feed("VRFY\r\n") == "501 5.5.4 Syntax: VRFY address\r\n")
        #expect(
            harness.feed("HELP\r\n")
                == "214-2.0.0 Commands: EHLO HELO AUTH MAIL RCPT DATA RSET NOOP QUIT VRFY HELP\r\n"
                + "214 2.0.0 See RFC 5321 and RFC 4954\r\n")
        #expect(harness.feed("FROB\r\n") == "500 5.5.1 Command unrecognized\r\n")
        #expect(harness.feed("\r\n") == "500 5.5.1 Command unrecognized\r\n")
        #expect(harness.feed("STARTTLS\r\n") == "502 5.5.1 Command not implemented\r\n")
        #expect(harness.feed("BDAT 10 LAST\r\n") == "502 5.5.1 Command not implemented\r\n")
        #expect(harness.feed("QUIT\r\n") == "221 2.0.0 Bye\r\n")
        #expect(harness.isClosed)
        #expect(harness.session.isClosed)
        #expect(harness.feed("NOOP\r\n") == "")
    }

    @Test func mailNeedsAuthentication() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        #expect(harness.feed("MAIL FROM:<a@b.c>\r\n") == "530 5.7.0 Authentication required\r\n")
        _ = harness.feed("EHLO x\r\n")
        #expect(harness.feed("MAIL FROM:<a@b.c>\r\n") == "530 5.7.0 Authentication required\r\n")
        #expect(harness.feed("RCPT TO:<a@b.c>\r\n") == "503 5.5.1 Need MAIL command\r\n")
        #expect(harness.feed("DATA\r\n") == "503 5.5.1 Need MAIL command\r\n")
    }

    @Test func authPlainWithInitialResponse() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        #expect(harness.feed("AUTH PLAIN AHRlc3QAdGVzdA==\r\n") == "503 5.5.1 Send EHLO first\r\n")
        _ = harness.feed("EHLO x\r\n")
        #expect(harness.feed("AUTH PLAIN AHRlc3QAd3Jvbmc=\r\n") == "535 5.7.8 Authentication credentials invalid\r\n")
        #expect(harness.feed("MAIL FROM:<a@b.c>\r\n") == "530 5.7.0 Authentication required\r\n")
        #expect(harness.feed("AUTH PLAIN AHRlc3QAdGVzdA==\r\n") == "235 2.7.0 Authentication successful\r\n")
        #expect(harness.session.user == "test")
        #expect(harness.feed("AUTH PLAIN AHRlc3QAdGVzdA==\r\n") == "503 5.5.1 Already authenticated\r\n")
        #expect(harness.authenticationAttempts.map { $0.user } == ["test", "test"])
    }

    @Test func authPlainWithContinuationAndVariants() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        _ = harness.feed("EHLO x\r\n")
        #expect(harness.feed("AUTH PLAIN\r\n") == "334 \r\n")
        #expect(harness.feed("*\r\n") == "501 5.7.0 Authentication cancelled\r\n")
        #expect(harness.feed("AUTH PLAIN\r\n") == "334 \r\n")
        #expect(harness.feed("!!!\r\n") == "501 5.5.2 Invalid base64 data\r\n")
        #expect(harness.feed("AUTH PLAIN =\r\n") == "501 5.5.2 Invalid PLAIN response\r\n")
        // Another identity as authzid is refused; the same one is fine; missing padding is tolerated.
        #expect(
            harness.feed("AUTH PLAIN b3RoZXIAdGVzdAB0ZXN0\r\n") == "535 5.7.8 Authentication credentials invalid\r\n")
        #expect(harness.feed("AUTH CRAM-MD5\r\n") == "504 5.5.4 Unrecognized authentication type\r\n")
        #expect(harness.feed("AUTH\r\n") == "501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n")
        #expect(harness.feed("auth plain\r\n") == "334 \r\n")
        #expect(harness.feed("dGVzdAB0ZXN0AHRlc3Q\r\n") == "235 2.7.0 Authentication successful\r\n")
    }

    @Test func authLoginWithAndWithoutInitialResponse() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        _ = harness.feed("EHLO x\r\n")
        #expect(harness.feed("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n")
        #expect(harness.feed("dGVzdA==\r\n") == "334 UGFzc3dvcmQ6\r\n")
        #expect(harness.feed("d3Jvbmc=\r\n") == "535 5.7.8 Authentication credentials invalid\r\n")
        #expect(harness.feed("AUTH LOGIN dGVzdA==\r\n") == "334 UGFzc3dvcmQ6\r\n")
        #expect(harness.feed("*\r\n") == "501 5.7.0 Authentication cancelled\r\n")
        #expect(harness.feed("AUTH LOGIN dGVzdA==\r\n") == "334 UGFzc3dvcmQ6\r\n")
        #expect(harness.feed("dGVzdA==\r\n") == "235 2.7.0 Authentication successful\r\n")
    }

    @Test func fullTransaction() throws {
        var harness = SMTPSessionHarness()
        harness.login()
        #expect(harness.feed("MAIL FROM:<a@b.c> SIZE=10 BODY=8BITMIME\r\n") == "250 2.1.0 Sender OK\r\n")
        #expect(harness.feed("MAIL FROM:<a@b.c>\r\n") == "503 5.5.1 Nested MAIL command\r\n")
        #expect(harness.feed("DATA\r\n") == "503 5.5.1 Need RCPT command\r\n")
        #expect(harness.feed("RCPT TO:<one@x.y>\r\n") == "250 2.1.5 Recipient OK\r\n")
        #expect(harness.feed("RCPT TO:<reject@x.y>\r\n") == "550 5.1.1 No such user here\r\n")
        #expect(harness.feed("rcpt to: <two@[IPv6:400::1]>\r\n") == "250 2.1.5 Recipient OK\r\n")
        #expect(harness.feed("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n")
        let content = "Subject: hi\r\n\r\n..dot line\r\nbare lf\ncaf\u{e9}\r\n.\r\n"
        #expect(harness.feed(content) == "250 2.0.0 Message accepted for delivery\r\n")
        let mail = try #require(harness.submitted.first)
        #expect(mail.user == "test")
        #expect(mail.clientName == "client.test")
        #expect(mail.reversePath == MailAddress(localPart: "a", domain: "b.c"))
        #expect(mail.recipients.map(\.description) == ["one@x.y", "two@[IPv6:400::1]"])
        #expect(mail.content == Array("Subject: hi\r\n\r\n.dot line\r\nbare lf\r\ncaf\u{e9}\r\n".utf8))
        // Back to after EHLO: a new transaction with the null reverse path.
        #expect(harness.feed("MAIL FROM:<>\r\n") == "250 2.1.0 Sender OK\r\n")
        #expect(harness.feed("RSET\r\n") == "250 2.0.0 OK\r\n")
        #expect(harness.feed("RCPT TO:<one@x.y>\r\n") == "503 5.5.1 Need MAIL command\r\n")
    }

    @Test func emptyMessageAndSubmissionRejection() {
        var harness = SMTPSessionHarness()
        harness.login()
        harness.submitRejection = MailRejection(code: 451, enhancedStatus: "4.3.0", text: "Queue full")
        #expect(
            harness.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n.\r\n")
                == "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                + "451 4.3.0 Queue full\r\n")
        #expect(harness.submitted.isEmpty)
        #expect(harness.feed("RCPT TO:<x@y.z>\r\n") == "503 5.5.1 Need MAIL command\r\n")
    }

    @Test func parameterAndPathErrors() {
        var harness = SMTPSessionHarness()
        harness.login()
        #expect(harness.feed("MAIL FROM:<a@b.c> SMTPUTF8\r\n") == "555 5.5.4 Unsupported parameter\r\n")
        #expect(harness.feed("MAIL FROM:<a@b.c> BODY=BINARYMIME\r\n") == "501 5.5.4 Bad BODY parameter\r\n")
        #expect(harness.feed("MAIL FROM:<a@b.c> SIZE=abc\r\n") == "501 5.5.4 Bad SIZE parameter\r\n")
        #expect(
            harness.feed("MAIL FROM:<a@b.c> SIZE=1001\r\n")
                == "552 5.3.4 Message size exceeds fixed maximum message size\r\n")
        #expect(harness.feed("MAIL FROM:<a@b..c>\r\n") == "501 5.1.7 Bad sender address syntax\r\n")
        #expect(harness.feed("MAIL TO:<a@b.c>\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n")
        #expect(harness.feed("MAIL FROM:<a@b.c> AUTH=<>\r\n") == "250 2.1.0 Sender OK\r\n")
        #expect(harness.feed("RCPT TO:<>\r\n") == "501 5.1.3 Bad recipient address syntax\r\n")
        #expect(harness.feed("RCPT TO:<x@y.z> NOTIFY=NEVER\r\n") == "555 5.5.4 Unsupported parameter\r\n")
        #expect(harness.feed("RCPT FROM:<x@y.z>\r\n") == "501 5.5.4 Syntax: RCPT TO:<address>\r\n")
        let long = String(repeating: "a", count: 65)
        #expect(harness.feed("RCPT TO:<\(long)@y.z>\r\n") == "501 5.1.3 Recipient address too long\r\n")
        #expect(harness.feed("DATA now\r\n") == "501 5.5.4 Syntax: DATA\r\n")
        // AUTH is not allowed inside a transaction even before login... and after login it is "already".
        #expect(harness.feed("AUTH PLAIN\r\n") == "503 5.5.1 Already authenticated\r\n")
    }

    @Test func recipientLimit() {
        var harness = SMTPSessionHarness()
        harness.login()
        _ = harness.feed("MAIL FROM:<a@b.c>\r\n")
        #expect(
            harness.feed("RCPT TO:<1@x.y>\r\nRCPT TO:<2@x.y>\r\nRCPT TO:<3@x.y>\r\n")
                == String(repeating: "250 2.1.5 Recipient OK\r\n", count: 3))
        #expect(harness.feed("RCPT TO:<4@x.y>\r\n") == "452 4.5.3 Too many recipients\r\n")
    }

    @Test func tooLargeMessageIsReadToTheEndAndRefused() {
        var harness = SMTPSessionHarness()
        harness.login()
        _ = harness.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n")
        let line = String(repeating: "x", count: 98) + "\r\n"
        #expect(harness.feed(String(repeating: line, count: 10)) == "")  // exactly 1000 bytes: still fine
        #expect(harness.feed(line) == "")
        #expect(harness.feed(".\r\n") == "552 5.3.4 Message too big for system\r\n")
        #expect(harness.submitted.isEmpty)
        #expect(harness.feed("RCPT TO:<x@y.z>\r\n") == "503 5.5.1 Need MAIL command\r\n")
        // Exactly at the limit is accepted.
        _ = harness.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n")
        #expect(
            harness.feed(String(repeating: line, count: 10) + ".\r\n") == "250 2.0.0 Message accepted for delivery\r\n")
        #expect(harness.submitted.first?.content.count == 1000)
    }

    @Test func longLinesAreDiscardedAndAnswered() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        let megabyte = "NOOP " + String(repeating: "z", count: 1 << 20) + "\r\n"
        #expect(harness.feed(megabyte) == "500 5.5.2 Line too long\r\n")
        #expect(harness.input.readableBytes == 0)
        #expect(harness.feed("NOOP\r\n") == "250 2.0.0 OK\r\n")
        // Up to the limit is a normal line.
        let atLimit = "NOOP " + String(repeating: "z", count: SMTPSession.maximumCommandLineLength - 5) + "\r\n"
        #expect(harness.feed(atLimit) == "250 2.0.0 OK\r\n")
        // In an AUTH exchange the long line also ends the exchange.
        _ = harness.feed("EHLO x\r\nAUTH PLAIN\r\n")
        #expect(harness.feed(String(repeating: "A", count: 5000) + "\r\n") == "500 5.5.2 Line too long\r\n")
        #expect(harness.feed("NOOP\r\n") == "250 2.0.0 OK\r\n")
    }

    @Test func longLinesInsideContentAreKept() throws {
        var harness = SMTPSessionHarness(
            configuration: .init(hostName: "gw.test", maximumMessageSize: 100_000, maximumRecipients: 3))
        harness.login()
        _ = harness.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n")
        let long = "." + String(repeating: "y", count: 9000)
        #expect(harness.feed(".\(long)\r\nend\r\n.\r\n") == "250 2.0.0 Message accepted for delivery\r\n")
        #expect(harness.submitted.first?.content == Array("\(long)\r\nend\r\n".utf8))
    }

    @Test func tooManyErrorsCloses() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        var output = ""
        for _ in 0..<19 { output += harness.feed("BOGUS\r\n") }
        #expect(!harness.isClosed)
        #expect(harness.feed("BOGUS\r\n") == "500 5.5.1 Command unrecognized\r\n421 4.7.0 Too many errors\r\n")
        #expect(harness.isClosed)
        #expect(output == String(repeating: "500 5.5.1 Command unrecognized\r\n", count: 19))
    }

    @Test func pipelinedBatchIsAnsweredInOrder() {
        var harness = SMTPSessionHarness()
        _ = harness.start()
        let batch =
            "EHLO x\r\nAUTH PLAIN AHRlc3QAdGVzdA==\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<reject@y.z>\r\n"
            + "DATA\r\n"
        let replies = harness.feed(batch)
        #expect(
            replies.hasSuffix(
                "235 2.7.0 Authentication successful\r\n250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n"
                    + "550 5.1.1 No such user here\r\n354 End data with <CR><LF>.<CR><LF>\r\n"))
        #expect(harness.feed("hi\r\n.\r\nQUIT\r\n") == "250 2.0.0 Message accepted for delivery\r\n221 2.0.0 Bye\r\n")
        #expect(harness.submitted.first?.recipients.map(\.localPart) == ["x"])
    }

    @Test func dripFeedGivesTheSameReplies() {
        let script =
            "EHLO x\r\nAUTH LOGIN\r\ndGVzdA==\r\ndGVzdA==\r\nMAIL FROM:<a@b.c> BODY=8BITMIME\r\nRCPT TO:<x@y.z>\r\n"
            + "DATA\r\nline\n..dot\r\n" + String(repeating: "q", count: 5000) + "\r\n.\r\nNOOP "
            + String(repeating: "w", count: 6000) + "\r\nBOGUS\r\nQUIT\r\n"
        var whole = SMTPSessionHarness(
            configuration: .init(hostName: "gw.test", maximumMessageSize: 100_000, maximumRecipients: 3))
        let expected = whole.start() + whole.feed(script)
        var drip = SMTPSessionHarness(
            configuration: .init(hostName: "gw.test", maximumMessageSize: 100_000, maximumRecipients: 3))
        var dripped = drip.start()
        for byte in script.utf8 { dripped += drip.feed(bytes: [byte]) }
        #expect(dripped == expected)
        #expect(expected.hasSuffix("500 5.5.2 Line too long\r\n500 5.5.1 Command unrecognized\r\n221 2.0.0 Bye\r\n"))
        #expect(drip.submitted.map(\.content) == whole.submitted.map(\.content))
        #expect(whole.submitted.count == 1)
    }
}
