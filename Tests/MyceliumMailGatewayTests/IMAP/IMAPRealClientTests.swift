import Foundation
import Testing

@testable import MyceliumMailGateway

/// fetchmail (sequence numbers, RFC822.HEADER, BODY.PEEK[TEXT], STORE +FLAGS) and mbsync (AUTHENTICATE PLAIN,
/// NAMESPACE, UID FETCH) against `IMAPServer` on 127.0.0.1.
@Suite("IMAPRealClients")
struct IMAPRealClientTests {
    static let messages = [
        "From: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n",
        "From: b@example.org\r\nSubject: two\r\n\r\nsecond body\r\n",
    ]

    static func fill(_ store: MailStore) async throws {
        try await store.prepareUser("test")
        for message in Self.messages {
            _ = try await store.append(
                user: "test",
                mailbox: "INBOX",
                message: Array(message.utf8),
                flags: MessageFlags(),
                internalDate: 0
            )
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imap-client-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(.enabled(if: IMAPServerTests.has("fetchmail"), "fetchmail is not installed"))
    func fetchmail() async throws {
        try await IMAPServerTests.withServer { port, store in
            try await Self.fill(store)
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let mbox = directory.appendingPathComponent("out.mbox").path
            let rc = directory.appendingPathComponent("fetchmailrc")
            try Data(
                """
                poll 127.0.0.1 service \(port) protocol IMAP user "test" password "test" keep sslproto '' \
                mda "cat >> \(mbox)"

                """.utf8
            ).write(to: rc)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc.path)
            let result = try await IMAPServerTests.run([
                "fetchmail", "-f", rc.path, "-v", "--all", "--nodetach", "--pidfile",
                directory.appendingPathComponent("pid").path,
            ])
            #expect(result.status == 0, "\(result.output)")
            let delivered = (try? String(contentsOfFile: mbox, encoding: .utf8)) ?? ""
            #expect(delivered.contains("Subject: one"), "\(result.output)")
            #expect(delivered.contains("second body"), "\(result.output)")
        }
    }

    @Test(.enabled(if: IMAPServerTests.has("mbsync"), "mbsync is not installed"))
    func mbsync() async throws {
        try await IMAPServerTests.withServer { port, store in
            try await Self.fill(store)
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let maildir = directory.appendingPathComponent("mail").path + "/"
            try FileManager.default.createDirectory(atPath: maildir, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("mbsyncrc")
            try Data(
                """
                IMAPAccount gw
                Host 127.0.0.1
                Port \(port)
                User test
                Pass test
                AuthMechs PLAIN
                SSLType None

                IMAPStore gw-remote
                Account gw

                MaildirStore gw-local
                Path \(maildir)
                Inbox \(maildir)INBOX
                SubFolders Verbatim

                Channel gw
                Far :gw-remote:
                Near :gw-local:
                Patterns *
                Create Both
                SyncState *

                """.utf8
            ).write(to: config)
            let result = try await IMAPServerTests.run(["mbsync", "-c", config.path, "-a"])
            #expect(result.status == 0, "\(result.output)")
            let new =
                try FileManager.default.contentsOfDirectory(atPath: maildir + "INBOX/new")
                + FileManager.default.contentsOfDirectory(atPath: maildir + "INBOX/cur")
            #expect(new.count == 2, "\(result.output)")
            #expect(FileManager.default.fileExists(atPath: maildir + "Sent"), "\(result.output)")
        }
    }
}

extension IMAPRealClientTests {
    /// neomutt opens INBOX (CAPABILITY, AUTHENTICATE, LIST, SELECT, FETCH headers), shows the index, then quits.
    @Test(.enabled(if: IMAPServerTests.has("neomutt") && IMAPServerTests.has("script"), "neomutt is not installed"))
    func neomutt() async throws {
        try await IMAPServerTests.withServer { port, store in
            try await Self.fill(store)
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let muttrc = directory.appendingPathComponent("muttrc")
            try Data(
                """
                set folder="imap://test@127.0.0.1:\(port)/"
                set spoolfile="+INBOX"
                set imap_pass="test"
                set ssl_starttls=no
                set ssl_force_tls=no
                set header_cache=""
                set message_cachedir=""

                """.utf8
            ).write(to: muttrc)
            let result = try await IMAPServerTests.run([
                "env", "TERM=xterm", "HOME=\(directory.path)", "script", "-qc",
                "neomutt -n -F \(muttrc.path) -e 'push <exit>'", "/dev/null",
            ])
            #expect(result.status == 0, "\(result.output)")
            // The index lists both messages from their fetched headers.
            #expect(result.output.contains("a@example.org"), "\(result.output)")
            #expect(result.output.contains("b@example.org"), "\(result.output)")
            #expect(result.output.contains("Msgs:2"), "\(result.output)")
        }
    }
}
