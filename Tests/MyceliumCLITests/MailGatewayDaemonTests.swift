import Foundation
import MyceliumCore
import MyceliumCrypto
import Testing

/// The mail gateway between two real daemons on loopback, driven by real clients: swaks, Python smtplib/imaplib,
/// curl (smtp:// and imap://), mbsync, fetchmail and neomutt. Node A's user alice writes to node B's user bob.
@Suite("Mail gateway between daemons", .serialized)
struct MailGatewayDaemonTests {
    static let password = "correct horse"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mail/mailclient.py").path

    /// Ports of one node's mail gateway.
    struct MailPorts {
        var smtp: Int
        var imap: Int
        var autoconfig: Int
    }

    /// Two daemons, A dialling B, each running the mail gateway (A: alice; B: bob, dave), converged.
    static func pair() async throws -> (DaemonCluster, [MailPorts]) {
        let cluster = try DaemonCluster(names: ["A", "B"], links: [0: [1]])
        let base = Int.random(in: 20_000..<55_000)
        var ports: [MailPorts] = []
        for index in 0..<2 {
            let mail = MailPorts(smtp: base + index * 3, imap: base + index * 3 + 1, autoconfig: base + index * 3 + 2)
            ports.append(mail)
            try Self.writeConfig(cluster, index, mail)
            for user in index == 0 ? ["alice"] : ["bob", "dave"] {
                let added = try MyceliumProcess.run(
                    ["-c", cluster.configPath(index), "--state-dir", cluster.stateDirectory(index), "user", "add", user],
                    input: Data((Self.password + "\n").utf8)
                )
                try #require(added.status == 0, "user add \(user): \(added.standardError)")
            }
        }
        try await cluster.startAll()
        let converged = try await DaemonCluster.waitUntil(timeout: .seconds(10)) { await cluster.isConverged([0, 1]) }
        try #require(converged != nil, "A and B did not converge")
        for mail in ports {
            let up = try await DaemonCluster.waitUntil(timeout: .seconds(10)) {
                Self.isListening(mail.smtp) && Self.isListening(mail.imap)
            }
            try #require(up != nil, "the mail gateway did not listen on \(mail)")
        }
        return (cluster, ports)
    }

    static func writeConfig(_ cluster: DaemonCluster, _ index: Int, _ mail: MailPorts) throws {
        let toml = """
            [gateways.mail]
            enabled = true
            smtp_listen = "127.0.0.1:\(mail.smtp)"
            imap_listen = "127.0.0.1:\(mail.imap)"
            autoconfig_listen = "127.0.0.1:\(mail.autoconfig)"
            resend_interval_seconds = 5

            """
        try toml.write(toFile: "\(cluster.directory)/config-\(index).toml", atomically: true, encoding: .utf8)
    }

    static func isListening(_ port: Int) -> Bool {
        let result = try? ToolProcess.run(
            ["python3", "-c", "import socket; socket.create_connection(('127.0.0.1', \(port)), timeout=1).close()"],
            timeout: .seconds(3)
        )
        return result?.succeeded == true
    }

    /// `user@<address as 32 hex digits>.mycelium` of node `index`.
    static func address(_ user: String, _ cluster: DaemonCluster, _ index: Int) -> String {
        Self.domainAddress(user, cluster.nodes[index].secretKey.publicKey)
    }

    /// `user@<the key's overlay address as 32 hex digits>.mycelium`.
    static func domainAddress(_ user: String, _ key: X25519.PublicKey) -> String {
        let hex = key.overlayAddress.bytes.map { String(format: "%02x", $0) }
        return "\(user)@\(hex.joined()).mycelium"
    }

    static func client(_ arguments: [String], timeout: Duration = .seconds(60)) throws -> ToolProcess.Result {
        try ToolProcess.run(["python3", Self.script] + arguments, timeout: timeout)
    }

    static func waitForSubject(
        _ port: Int, _ user: String, _ subject: String, timeout: Int = 30, mailbox: String = "INBOX"
    ) throws -> ToolProcess.Result {
        try Self.client(
            ["wait", "127.0.0.1", "\(port)", user, Self.password, subject, "\(timeout)", mailbox],
            timeout: .seconds(timeout + 10)
        )
    }

    @Test("swaks on A → bob on B; B's IMAP IDLE sees it; B down, send, B up: it arrives; unknown user bounces")
    func thunderbirdEquivalentFlow() async throws {
        let (cluster, ports) = try await Self.pair()
        let (a, b) = (ports[0], ports[1])
        let alice = Self.address("alice", cluster, 0)
        let bob = Self.address("bob", cluster, 1)

        // B's client idles on INBOX, as Thunderbird does all the time.
        let idle = Process()
        idle.executableURL = URL(fileURLWithPath: ToolProcess.which("python3") ?? "/usr/bin/python3")
        idle.arguments = [Self.script, "idle", "127.0.0.1", "\(b.imap)", "bob", Self.password, "over the overlay", "60"]
        let idleOutput = Pipe()
        idle.standardOutput = idleOutput
        try idle.run()
        let firstLine = idleOutput.fileHandleForReading.availableLine()
        #expect(firstLine.contains("\"idling\": true"), "IDLE did not start: \(firstLine)")

        let clock = ContinuousClock()
        let sentAt = clock.now
        let swaks = try ToolProcess.run([
            "swaks", "--server", "127.0.0.1:\(a.smtp)", "--auth", "LOGIN", "--auth-user", "alice",
            "--auth-password", Self.password, "--from", alice, "--to", bob, "--header", "Subject: over the overlay",
            "--body", "Hello Bob, from node A.",
        ])
        #expect(swaks.succeeded, "swaks failed: \(swaks.transcript)")
        #expect(swaks.output.contains("250 2.0.0"))
        idle.waitUntilExit()
        let idleResult = String(decoding: idleOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(idle.terminationStatus == 0, "IDLE did not see the mail: \(idleResult)")
        print("mail: swaks on A → bob on B: B's IMAP IDLE pushed EXISTS \((clock.now - sentAt).millisecondsClamped) ms after swaks started")

        // curl finds it by subject over imap://.
        let search = try ToolProcess.run([
            "curl", "-s", "imap://127.0.0.1:\(b.imap)/INBOX", "-u", "bob:\(Self.password)",
            "-X", "UID SEARCH SUBJECT \"over the overlay\"",
        ])
        #expect(search.output.contains("* SEARCH 1"), "curl UID SEARCH: \(search.transcript)")
        let fetched = try ToolProcess.run([
            "curl", "-s", "imap://127.0.0.1:\(b.imap)/INBOX;UID=1", "-u", "bob:\(Self.password)",
        ])
        #expect(fetched.output.contains("Hello Bob, from node A."), "curl fetch: \(fetched.transcript)")
        #expect(fetched.output.contains("Return-Path: <alice@"))

        // B goes down; A accepts mail for B anyway; B comes back and the mail arrives.
        cluster.kill(1)
        let whileDown = try Self.client(["send", "127.0.0.1", "\(a.smtp)", "alice", Self.password, alice, bob, "sent while B was down"])
        #expect(whileDown.succeeded, "smtplib while B down: \(whileDown.transcript)")
        try await Task.sleep(for: .seconds(1))
        let restartedAt = clock.now
        try cluster.start(1)
        let arrived = try Self.waitForSubject(b.imap, "bob", "sent while B was down", timeout: 60)
        #expect(arrived.succeeded, "the mail sent while B was down never arrived: \(arrived.transcript)")
        print("mail: sent while B was down; arrived \((clock.now - restartedAt).millisecondsClamped) ms after B restarted")

        // curl over smtp:// (AUTH PLAIN answered on a continuation line) to the address-literal form.
        let literal = "dave@[IPv6:\(cluster.nodes[1].secretKey.publicKey.overlayAddress)]"
        let messageFile = cluster.directory + "/curl.eml"
        try "From: \(alice)\r\nTo: \(literal)\r\nSubject: via curl\r\n\r\nSent by curl.\r\n"
            .write(toFile: messageFile, atomically: true, encoding: .utf8)
        let curl = try ToolProcess.run([
            "curl", "-s", "-S", "smtp://127.0.0.1:\(a.smtp)", "--mail-from", alice, "--mail-rcpt", literal,
            "-T", messageFile, "-u", "alice:\(Self.password)", "--login-options", "AUTH=PLAIN",
        ])
        #expect(curl.succeeded, "curl smtp://: \(curl.transcript)")
        #expect(try Self.waitForSubject(b.imap, "dave", "via curl").succeeded)

        // A user B does not have: A accepts (it cannot know), B refuses, alice gets a bounce in her INBOX.
        let unknown = Self.address("nobody", cluster, 1)
        let bounced = try Self.client(["send", "127.0.0.1", "\(a.smtp)", "alice", Self.password, alice, unknown, "to nobody"])
        #expect(bounced.succeeded, "\(bounced.transcript)")
        let bounce = try Self.waitForSubject(a.imap, "alice", "Undelivered Mail Returned to Sender")
        #expect(bounce.succeeded, "no bounce for an unknown user: \(bounce.transcript)")

        // Thunderbird's own commands (APPEND with APPENDUID, UID FETCH/STORE/MOVE, STATUS, special-use LIST).
        let session = try Self.client(["imap-session", "127.0.0.1", "\(b.imap)", "bob", Self.password])
        #expect(session.succeeded, "imaplib session: \(session.transcript)")

        // Autoconfig: the XML Thunderbird fetches, and the CLI's account settings.
        let xml = try ToolProcess.run([
            "curl", "-s", "http://127.0.0.1:\(a.autoconfig)/.well-known/autoconfig/mail/config-v1.1.xml",
        ])
        #expect(xml.output.contains("<port>\(a.imap)</port>") && xml.output.contains(alice.split(separator: "@")[1]))
        let settings = try MyceliumProcess.run(
            ["-c", cluster.configPath(0), "-k", cluster.directory + "/key-0.bin", "gateway", "mail", "autoconfig"]
        )
        #expect(settings.status == 0 && settings.standardOutput.contains("port \(a.smtp)"), "\(settings.standardError)")

        try Self.otherClients(cluster: cluster, b: b, bob: bob, alice: alice, a: a)

        // Bad input last: wrong passwords slow down this client's address.
        let bad = try Self.client(["bad-input", "127.0.0.1", "\(a.imap)", "\(a.smtp)", "alice", Self.password], timeout: .seconds(120))
        #expect(bad.succeeded, "bad input: \(bad.transcript)")
        #expect(cluster.isRunning(0))
    }

    /// Thunderbird itself (headless, driven over Marionette by `Fixtures/mail/thunderbird.py`): alice's Thunderbird
    /// on A composes and sends to bob on B — SMTP submission, then its own APPEND of the copy to Sent — and bob's
    /// Thunderbird on B finds it in INBOX with its own SELECT/FETCH sequence and marks it read.
    @Test("Thunderbird on A sends to bob on B; Thunderbird on B reads it and marks it read")
    func thunderbird() async throws {
        guard ToolProcess.which("thunderbird") != nil else {
            print("SKIPPED: Thunderbird is not installed (`make test` installs it: apt-get install thunderbird)")
            return
        }
        let (cluster, ports) = try await Self.pair()
        let (a, b) = (ports[0], ports[1])
        let alice = Self.address("alice", cluster, 0)
        let bob = Self.address("bob", cluster, 1)
        let fixture = URL(fileURLWithPath: Self.script).deletingLastPathComponent().appendingPathComponent(
            "thunderbird.py"
        ).path
        let subject = "Thunderbird across the overlay"
        let sent = try ToolProcess.run(
            [
                "python3", fixture, "--imap-port", "\(a.imap)", "--smtp-port", "\(a.smtp)", "--user", "alice",
                "--password", Self.password, "--address", alice, "--send-to", bob, "--send-subject", subject,
            ], timeout: .seconds(150))
        #expect(sent.succeeded, "Thunderbird on A: \(sent.transcript)")
        let read = try ToolProcess.run(
            [
                "python3", fixture, "--imap-port", "\(b.imap)", "--smtp-port", "\(b.smtp)", "--user", "bob",
                "--password", Self.password, "--address", bob, "--receive-subject", subject,
            ], timeout: .seconds(150))
        #expect(read.succeeded, "Thunderbird on B: \(read.transcript)")
        for line in (sent.output + read.output).split(separator: "\n") where line.hasPrefix("thunderbird: ") {
            print("mail: " + line)
        }
        // What the servers hold afterwards: the copy in alice's Sent on A, and bob's message \Seen on B.
        let copy = try Self.waitForSubject(a.imap, "alice", subject, mailbox: "Sent")
        #expect(copy.succeeded, "no copy in alice's Sent: \(copy.transcript)")
        let flags = try ToolProcess.run([
            "curl", "-s", "imap://127.0.0.1:\(b.imap)/INBOX", "-u", "bob:\(Self.password)",
            "-X", "UID FETCH 1:* (FLAGS)",
        ])
        #expect(flags.output.contains("\\Seen"), "bob's message is not \\Seen: \(flags.transcript)")
    }

    /// mbsync two-way, fetchmail by sequence number, neomutt sending and reading headless.
    static func otherClients(cluster: DaemonCluster, b: MailPorts, bob: String, alice: String, a: MailPorts) throws {
        let home = cluster.directory + "/clients"
        let maildir = home + "/Maildir"
        try FileManager.default.createDirectory(atPath: maildir, withIntermediateDirectories: true)

        // mbsync: server → local, then a message made locally goes up to the server.
        let mbsyncrc = home + "/mbsyncrc"
        try """
            IMAPAccount gw
            Host 127.0.0.1
            Port \(b.imap)
            User bob
            Pass "\(Self.password)"
            AuthMechs PLAIN
            SSLType None

            IMAPStore gw-remote
            Account gw

            MaildirStore gw-local
            Path \(maildir)/
            Inbox \(maildir)/INBOX
            SubFolders Verbatim

            Channel gw
            Far :gw-remote:
            Near :gw-local:
            Patterns INBOX Drafts
            Create Both
            SyncState *
            Sync All

            """.write(toFile: mbsyncrc, atomically: true, encoding: .utf8)
        let first = try ToolProcess.run(["mbsync", "-c", mbsyncrc, "-a"])
        #expect(first.succeeded, "mbsync: \(first.transcript)")
        let downloaded = ["cur", "new"].reduce(0) { count, folder in
            count + ((try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/INBOX/\(folder)"))?.count ?? 0)
        }
        #expect(downloaded >= 2, "mbsync downloaded \(downloaded) messages")
        let draftDirectory = maildir + "/Drafts/new"
        try FileManager.default.createDirectory(atPath: draftDirectory, withIntermediateDirectories: true)
        try "From: \(bob)\r\nSubject: made offline\r\n\r\nWritten in the local Maildir.\r\n"
            .write(toFile: draftDirectory + "/1700000000.1.local", atomically: true, encoding: .utf8)
        let second = try ToolProcess.run(["mbsync", "-c", mbsyncrc, "-a"])
        #expect(second.succeeded, "mbsync (upload): \(second.transcript)")
        let uploaded = try ToolProcess.run([
            "curl", "-s", "imap://127.0.0.1:\(b.imap)/Drafts", "-u", "bob:\(Self.password)", "-X", "UID SEARCH SUBJECT \"made offline\"",
        ])
        #expect(uploaded.output.range(of: #"\* SEARCH \d+"#, options: .regularExpression) != nil, "mbsync upload: \(uploaded.transcript)")

        // fetchmail: sequence numbers, RFC822.SIZE/HEADER, BODY.PEEK[TEXT], STORE +FLAGS (\Seen).
        let rc = home + "/fetchmailrc"
        let mbox = home + "/fetched.mbox"
        try """
            poll 127.0.0.1 service \(b.imap) protocol IMAP auth password
              user "bob" password "\(Self.password)" keep sslproto '' mda "/bin/sh -c 'cat >> \(mbox)'"

            """.write(toFile: rc, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
        let fetchmail = try ToolProcess.run(["fetchmail", "-f", rc, "--all", "--nodetach", "-v"], environment: ["HOME": home])
        #expect([0, 1].contains(fetchmail.status) && !fetchmail.timedOut, "fetchmail: \(fetchmail.transcript)")
        let fetchedText = (try? String(contentsOfFile: mbox, encoding: .utf8)) ?? ""
        #expect(fetchedText.contains("Subject: over the overlay"), "fetchmail delivered: \(fetchedText.prefix(400))")

        // neomutt sends through A's SMTP (batch mode), then reads B's INBOX in its TUI, headless.
        let muttrc = home + "/neomuttrc"
        try """
            set from = "\(alice)"
            set smtp_url = "smtp://alice@127.0.0.1:\(a.smtp)/"
            set smtp_pass = "\(Self.password)"
            set smtp_authenticators = "plain"
            set ssl_starttls = no
            set ssl_force_tls = no
            set record = ""
            set folder = "imap://bob@127.0.0.1:\(b.imap)/"
            set imap_pass = "\(Self.password)"
            set spoolfile = "+INBOX"
            set header_cache = ""
            set message_cachedir = ""

            """.write(toFile: muttrc, atomically: true, encoding: .utf8)
        let sent = try ToolProcess.run(
            ["neomutt", "-n", "-F", muttrc, "-s", "from neomutt", bob], input: "Sent by neomutt in batch mode.\n",
            environment: ["HOME": home, "TERM": "xterm"]
        )
        #expect(sent.succeeded, "neomutt send: \(sent.transcript)")
        #expect(try Self.waitForSubject(b.imap, "bob", "from neomutt").succeeded)
        let screen = try ToolProcess.run(
            ["script", "-qc", "neomutt -n -F \(muttrc) -e 'push <exit>'", "/dev/null"],
            environment: ["HOME": home, "TERM": "xterm"], timeout: .seconds(30)
        )
        #expect(screen.output.contains("from neomutt"), "neomutt's index did not list the message: \(screen.output.suffix(600))")
    }
}

extension FileHandle {
    /// One line of a child's output (blocking until it comes).
    func availableLine() -> String {
        var bytes: [UInt8] = []
        while let byte = try? self.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            bytes.append(first)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
