import Foundation
import Testing

@testable import MyceliumMailGateway

/// Real clients (Python smtplib, curl, swaks) against the server on 127.0.0.1, with a recording submission.
@Suite struct SMTPRealClientTests {
    static let smtplibScript = #"""
        import smtplib, sys
        s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.test")
        s.login("test", "test")
        body = "Subject: caf\u00e9\r\n\r\nh\u00e9llo\r\n.leading dot\r\nend\r\n".encode("utf-8")
        refused = s.sendmail("a@gw.local", ["test@gw.local"], body)
        assert refused == {}, refused
        try:
            s.sendmail("a@gw.local", ["nobody@gw.local"], b"x")
            raise SystemExit("nobody was accepted")
        except smtplib.SMTPRecipientsRefused as e:
            print("refused", e.recipients)
        s.quit()
        print("ok")
        """#

    @Test(.enabled(if: SMTPTestServer.has("python3"), "python3 is not installed"))
    func pythonSmtplib() async throws {
        try await SMTPTestServer.withServer { port, submission in
            let result = try await SMTPTestServer.run(["python3", "-c", Self.smtplibScript, String(port)])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("ok"))
            #expect(result.output.contains("550"))
            let mails = await submission.mails
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail.user == "test")
            #expect(mail.clientName == "client.test")
            #expect(mail.reversePath == MailAddress(localPart: "a", domain: "gw.local"))
            #expect(mail.recipients == [MailAddress(localPart: "test", domain: "gw.local")])
            #expect(mail.content == Array("Subject: caf\u{e9}\r\n\r\nh\u{e9}llo\r\n.leading dot\r\nend\r\n".utf8))
        }
    }

    @Test(.enabled(if: SMTPTestServer.has("curl"), "curl is not installed"))
    func curlWithPlainContinuationAndTwoRecipients() async throws {
        try await SMTPTestServer.withServer { port, submission in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-curl-\(UUID()).eml")
            try Data("Subject: curl\r\n\r\nhello from curl\r\n".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await SMTPTestServer.run([
                "curl", "-sS", "-v", "--max-time", "30", "smtp://127.0.0.1:\(port)", "--mail-from", "a@gw.local",
                "--mail-rcpt", "test@gw.local", "--mail-rcpt", "other@gw.local", "-T", file.path, "-u", "test:test",
                "--login-options", "AUTH=PLAIN",
            ])
            #expect(result.status == 0, "\(result.output)")
            // curl sends the PLAIN response after the 334 continuation.
            #expect(result.output.contains("> AUTH PLAIN\r\n") || result.output.contains("> AUTH PLAIN\n"))
            let mails = await submission.mails
            #expect(mails.count == 1)
            #expect(mails.first?.recipients.map(\.description) == ["test@gw.local", "other@gw.local"])
            #expect(mails.first?.content == Array("Subject: curl\r\n\r\nhello from curl\r\n".utf8))
        }
    }

    @Test(.enabled(if: SMTPTestServer.has("swaks"), "swaks is not installed (apt-get install swaks); skipping"))
    func swaksWithAuthLogin() async throws {
        try await SMTPTestServer.withServer { port, submission in
            let result = try await SMTPTestServer.run([
                "swaks", "--server", "127.0.0.1:\(port)", "--auth", "LOGIN", "--auth-user", "test", "--auth-password",
                "test", "--from", "a@gw.local", "--to", "test@gw.local", "--header", "Subject: swaks", "--body",
                "hi from swaks",
            ])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("334 VXNlcm5hbWU6"))
            #expect(result.output.contains("235 2.7.0 Authentication successful"))
            let mails = await submission.mails
            #expect(mails.count == 1)
            let content = String(decoding: mails.first?.content ?? [], as: UTF8.self)
            #expect(content.contains("Subject: swaks\r\n"))
            #expect(content.contains("hi from swaks"))

            let wrong = try await SMTPTestServer.run([
                "swaks", "--server", "127.0.0.1:\(port)", "--auth", "LOGIN", "--auth-user", "test", "--auth-password",
                "nope", "--from", "a@gw.local", "--to", "test@gw.local",
            ])
            #expect(wrong.status != 0)
            #expect(wrong.output.contains("535 5.7.8"))
            #expect(await submission.mails.count == 1)
        }
    }
}
