import NIOCore

@testable import MyceliumMailGateway

/// Drives an ``SMTPSession`` synchronously, as the server does: frames bytes into lines and answers its questions
/// (user `test` / password `test`; recipients whose local part starts with `reject` are refused).
struct SMTPSessionHarness {
    var session: SMTPSession
    var input = ByteBuffer()
    var submitted: [SubmittedMail] = []
    var authenticationAttempts: [(user: String, password: [UInt8])] = []
    var submitRejection: MailRejection?
    var isClosed = false

    static let configuration = SMTPSession.Configuration(
        hostName: "gw.test", maximumMessageSize: 1000, maximumRecipients: 3, maximumErrors: 20)

    init(configuration: SMTPSession.Configuration = Self.configuration) {
        self.session = SMTPSession(configuration: configuration)
    }

    /// The greeting.
    mutating func start() -> String {
        self.run(self.session.start())
    }

    /// Feeds `text` (as bytes) and returns every reply it caused.
    mutating func feed(_ text: String) -> String {
        self.feed(bytes: Array(text.utf8))
    }

    mutating func feed(bytes: [UInt8]) -> String {
        self.input.writeBytes(bytes)
        var output = ""
        while !self.isClosed, let line = self.input.readSMTPLine(maximumLength: SMTPSession.maximumCommandLineLength) {
            output += self.run(self.session.receive(.line(line)))
        }
        self.input.discardReadBytes()
        return output
    }

    /// Logs in with AUTH PLAIN as test/test after EHLO; returns nothing (the replies are checked elsewhere).
    mutating func login() {
        _ = self.start()
        _ = self.feed("EHLO client.test\r\nAUTH PLAIN AHRlc3QAdGVzdA==\r\n")
    }

    mutating func run(_ actions: [SMTPSession.Action]) -> String {
        var output = ""
        var pending = actions[...]
        while let action = pending.popFirst() {
            var next: [SMTPSession.Action] = []
            switch action {
            case .send(let reply):
                output += reply.wireText
            case .authenticate(let user, let password):
                self.authenticationAttempts.append((user, password))
                let ok = user == "test" && password == Array("test".utf8)
                next = self.session.receive(.authenticated(ok ? "test" : nil))
            case .checkRecipient(let recipient, _):
                let rejection =
                    recipient.localPart.hasPrefix("reject")
                    ? MailRejection(code: 550, enhancedStatus: "5.1.1", text: "No such user here") : nil
                next = self.session.receive(.recipientChecked(rejection))
            case .submit(let mail):
                if self.submitRejection == nil { self.submitted.append(mail) }
                next = self.session.receive(.submitted(self.submitRejection))
            case .close:
                self.isClosed = true
            }
            pending = next[...] + pending
        }
        return output
    }
}
