import Foundation
import NIOCore
import Testing

@testable import MyceliumMailGateway

@Suite struct SMTPServerTests {
    static let login = "EHLO client.test\r\nAUTH PLAIN AHRlc3QAdGVzdA==\r\n"

    /// Serves one in-memory session over `chunks`; returns each write.
    private func serve(_ chunks: [[UInt8]]) async throws -> (writes: [String], mails: [SubmittedMail]) {
        let submission = RecordingSubmission()
        let server = SMTPTestServer.makeServer(submission)
        let (inbound, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        for chunk in chunks { continuation.yield(ByteBuffer(bytes: chunk)) }
        continuation.finish()
        var writes: [String] = []
        try await server.serve(inbound: inbound, client: nil) { buffer in writes.append(String(buffer: buffer)) }
        return (writes, await submission.mails)
    }

    @Test func pipelinedBatchIsAnsweredInOneWrite() async throws {
        let batch =
            Self.login + "MAIL FROM:<a@gw.local>\r\nRCPT TO:<x@gw.local>\r\nRCPT TO:<nobody@gw.local>\r\nDATA\r\n"
        let result = try await self.serve([Array(batch.utf8), Array("hi\r\n.\r\nQUIT\r\n".utf8)])
        #expect(result.writes.count == 3)
        #expect(result.writes.first == "220 gw.test ESMTP Mycelium mail gateway ready\r\n")
        #expect(
            result.writes.dropFirst().first?.hasSuffix(
                "250 AUTH PLAIN LOGIN\r\n235 2.7.0 Authentication successful\r\n250 2.1.0 Sender OK\r\n"
                    + "250 2.1.5 Recipient OK\r\n550 5.1.1 No such user here\r\n"
                    + "354 End data with <CR><LF>.<CR><LF>\r\n") == true)
        #expect(result.writes.last == "250 2.0.0 Message accepted for delivery\r\n221 2.0.0 Bye\r\n")
        #expect(result.mails.first?.content == Array("hi\r\n".utf8))
        #expect(result.mails.first?.recipients == [MailAddress(localPart: "x", domain: "gw.local")])
    }

    @Test func dripFedSessionGivesTheSameReplies() async throws {
        let script =
            Self.login + "MAIL FROM:<> BODY=8BITMIME\r\nRCPT TO:<x@gw.local>\r\nDATA\r\n\u{e9}t\u{e9}\n.\r\nNOOP "
            + String(repeating: "v", count: 5000) + "\r\nQUIT\r\nNOOP\r\n"
        let whole = try await self.serve([Array(script.utf8)])
        let drip = try await self.serve(script.utf8.map { [$0] })
        #expect(drip.writes.joined() == whole.writes.joined())
        #expect(whole.writes.joined().hasSuffix("500 5.5.2 Line too long\r\n221 2.0.0 Bye\r\n"))
        #expect(drip.mails.map(\.content) == whole.mails.map(\.content))
        #expect(whole.mails.first?.content == Array("\u{e9}t\u{e9}\r\n".utf8))
    }

    @Test func pipelinedBatchOverTCP() async throws {
        try await SMTPTestServer.withServer { port, submission in
            let batch =
                Self.login
                + "MAIL FROM:<a@gw.local> SIZE=20\r\nRCPT TO:<x@gw.local>\r\nRCPT TO:<y@gw.local>\r\nDATA\r\n"
                + "Subject: p\r\n\r\n..\r\n.\r\nQUIT\r\n"
            let replies = try await SMTPTestServer.converse(port: port, sending: Array(batch.utf8))
            #expect(
                replies.hasSuffix(
                    "235 2.7.0 Authentication successful\r\n250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n"
                        + "250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                        + "250 2.0.0 Message accepted for delivery\r\n221 2.0.0 Bye\r\n"))
            let mails = await submission.mails
            #expect(mails.count == 1)
            #expect(mails.first?.content == Array("Subject: p\r\n\r\n.\r\n".utf8))
        }
    }

    @Test func oneMegabyteLineOverTCP() async throws {
        try await SMTPTestServer.withServer { port, _ in
            let bytes =
                Array("EHLO x\r\nNOOP ".utf8) + Array(repeating: UInt8(ascii: "m"), count: 1 << 20)
                + Array("\r\nNOOP\r\nQUIT\r\n".utf8)
            let replies = try await SMTPTestServer.converse(port: port, sending: bytes)
            #expect(replies.hasSuffix("500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n221 2.0.0 Bye\r\n"))
        }
    }

    @Test func tooLargeMessageOverTCP() async throws {
        try await SMTPTestServer.withServer { port, submission in
            let line = String(repeating: "b", count: 998) + "\r\n"
            let batch =
                Self.login + "MAIL FROM:<a@gw.local> SIZE=300000\r\nMAIL FROM:<a@gw.local>\r\nRCPT TO:<x@gw.local>\r\n"
                + "DATA\r\n" + String(repeating: line, count: 300) + ".\r\nNOOP\r\nQUIT\r\n"
            let replies = try await SMTPTestServer.converse(port: port, sending: Array(batch.utf8))
            #expect(
                replies.contains("552 5.3.4 Message size exceeds fixed maximum message size\r\n250 2.1.0 Sender OK"))
            #expect(replies.hasSuffix("552 5.3.4 Message too big for system\r\n250 2.0.0 OK\r\n221 2.0.0 Bye\r\n"))
            #expect(await submission.mails.isEmpty)
        }
    }
}
