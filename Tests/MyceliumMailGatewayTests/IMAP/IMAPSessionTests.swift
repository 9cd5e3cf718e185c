import MyceliumCore
import NIOCore
import Testing

@testable import MyceliumMailGateway

@Suite("IMAPSession")
struct IMAPSessionTests {
    @Test func greetingCapabilityAndLogin() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        var client = IMAPSessionHarness(store: fixture.store)
        let greeting = try await client.greeting()
        #expect(greeting.hasPrefix("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UNSELECT"))
        #expect(greeting.contains("AUTH=PLAIN] Mycelium IMAP gateway ready\r\n"))
        let capability = try await client.send("c1 CAPABILITY\r\n")
        #expect(capability.hasPrefix("* CAPABILITY IMAP4rev1 "))
        #expect(capability.hasSuffix("c1 OK CAPABILITY completed\r\n"))
        #expect(try await client.send("c2 SELECT INBOX\r\n") == "c2 BAD Command requires authentication\r\n")
        #expect(
            try await client.send("c3 LOGIN test wrong\r\n") == "c3 NO [AUTHENTICATIONFAILED] Authentication failed\r\n"
        )
        let login = try await client.send("c4 LOGIN test test\r\n")
        #expect(login.hasPrefix("c4 OK [CAPABILITY IMAP4rev1 "))
        #expect(!login.contains("AUTH=PLAIN"))
        #expect(try await client.send("c5 LOGIN test test\r\n") == "c5 BAD Already authenticated\r\n")
        #expect(
            try await client.send("c6 ID (\"name\" \"x\")\r\n")
                == "* ID (\"name\" \"Mycelium\")\r\nc6 OK ID completed\r\n"
        )
        #expect(try await client.send("c7 ENABLE UTF8=ACCEPT\r\n") == "* ENABLED\r\nc7 OK ENABLE completed\r\n")
        #expect(
            try await client.send("c8 NAMESPACE\r\n")
                == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nc8 OK NAMESPACE completed\r\n"
        )
        #expect(try await client.send("c9 LOGOUT\r\n") == "* BYE Logging out\r\nc9 OK LOGOUT completed\r\n")
        #expect(client.expectation == .close)
    }

    @Test func authenticatePlain() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        var client = IMAPSessionHarness(store: fixture.store)
        // SASL-IR.
        let token = Base64.encode(Array("\0test\0test".utf8))
        #expect(try await client.send("a AUTHENTICATE PLAIN \(token)\r\n").hasPrefix("a OK [CAPABILITY "))
        // Continuation, cancel, failure.
        var second = IMAPSessionHarness(store: fixture.store)
        #expect(try await second.send("b AUTHENTICATE PLAIN\r\n") == "+ \r\n")
        #expect(try await second.send("*\r\n") == "b BAD Authentication cancelled\r\n")
        #expect(try await second.send("c AUTHENTICATE PLAIN\r\n") == "+ \r\n")
        let wrong = Base64.encode(Array("\0test\0nope".utf8))
        #expect(try await second.send("\(wrong)\r\n") == "c NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
        #expect(try await second.send("d AUTHENTICATE PLAIN\r\n") == "+ \r\n")
        #expect(try await second.send("\(token)\r\n").hasPrefix("d OK [CAPABILITY "))
        #expect(try await second.send("e AUTHENTICATE CRAM-MD5\r\n") == "e BAD Already authenticated\r\n")
        var third = IMAPSessionHarness(store: fixture.store)
        #expect(
            try await third.send("f AUTHENTICATE CRAM-MD5\r\n")
                == "f NO [CANNOT] Unsupported authentication mechanism\r\n"
        )
        #expect(try await third.send("g AUTHENTICATE PLAIN\r\n") == "+ \r\n")
        #expect(try await third.send("a$==\r\n") == "g BAD Invalid base64 data\r\n")
        #expect(try await third.send("h AUTHENTICATE PLAIN =\r\n") == "h BAD Invalid PLAIN response\r\n")
    }

    @Test func listAndMailboxManagement() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        var client = IMAPSessionHarness(store: fixture.store)
        try await client.login()
        #expect(
            try await client.send("a LIST \"\" \"\"\r\n") == "* LIST (\\Noselect) \"/\" \"\"\r\na OK LIST completed\r\n"
        )
        let all = try await client.send("b LIST \"\" \"*\"\r\n")
        #expect(all.hasPrefix("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"))
        #expect(all.contains("* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"))
        #expect(all.contains("* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"))
        #expect(try await client.send("c CREATE \"Projects/2024\"\r\n") == "c OK CREATE completed\r\n")
        #expect(
            try await client.send("d CREATE Projects/2024\r\n") == "d NO [ALREADYEXISTS] Mailbox already exists\r\n"
        )
        #expect(try await client.send("e CREATE ../x\r\n") == "e NO [CANNOT] Invalid mailbox name\r\n")
        let percent = try await client.send("f LIST \"\" %\r\n")
        #expect(percent.contains("\"/\" Projects\r\n"))
        #expect(!percent.contains("Projects/2024"))
        let children = try await client.send("g LIST \"\" \"Projects*\"\r\n")
        #expect(children.contains("* LIST (\\HasNoChildren) \"/\" Projects/2024\r\n"))
        #expect(children.contains("(\\Noselect \\HasChildren) \"/\" Projects\r\n"))
        let special = try await client.send("h list (subscribed) \"\" \"*\" return (special-use)\r\n")
        #expect(special.contains("* LIST (\\HasNoChildren \\Subscribed \\Drafts) \"/\" Drafts\r\n"))
        #expect(!special.contains("Projects/2024"))  // created but not subscribed
        #expect(try await client.send("i SUBSCRIBE Projects/2024\r\n") == "i OK SUBSCRIBE completed\r\n")
        #expect(
            try await client.send("j LSUB \"\" \"Pro*\"\r\n")
                == "* LSUB () \"/\" Projects/2024\r\nj OK LSUB completed\r\n"
        )
        #expect(try await client.send("k RENAME Projects/2024 Archive/2024\r\n") == "k OK RENAME completed\r\n")
        #expect(try await client.send("l DELETE Archive/2024\r\n") == "l OK DELETE completed\r\n")
        #expect(try await client.send("m DELETE nothing\r\n") == "m NO [NONEXISTENT] Mailbox doesn't exist\r\n")
        let status = try await client.send("n LIST \"\" INBOX RETURN (STATUS (MESSAGES UNSEEN SIZE))\r\n")
        #expect(
            status
                == "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 0 UNSEEN 0 SIZE 0)\r\no OK LIST completed\r\n"
                .replacingOccurrences(of: "o OK", with: "n OK")
        )
    }

    @Test func appendSelectFetch() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        var client = IMAPSessionHarness(store: fixture.store)
        try await client.login()
        let message = imapTestMessage(subject: "first")
        let size = message.utf8.count
        let append = try await client.send("a APPEND INBOX (\\Seen) {\(size)}\r\n\(message)\r\n")
        #expect(append.hasPrefix("+ Ready for literal data\r\na OK [APPENDUID "))
        #expect(append.hasSuffix(" 1] APPEND completed\r\n"))
        let second = imapTestMessage(subject: "second", body: "0123456789")
        #expect(
            try await client.send("b APPEND INBOX {\(second.utf8.count)+}\r\n\(second)\r\n").hasSuffix(
                " 2] APPEND completed\r\n"
            )
        )
        #expect(
            try await client.send("b2 APPEND Nope {1+}\r\nx\r\n") == "b2 NO [TRYCREATE] Mailbox doesn't exist\r\n"
        )
        let status = try await client.send("s STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n")
        #expect(status == "* STATUS INBOX (MESSAGES 2 UNSEEN 1 UIDNEXT 3)\r\ns OK STATUS completed\r\n")

        _ = try await client.send("c0 SELECT Drafts\r\n")
        #expect(try await client.send("c1 FETCH 1:* (FLAGS)\r\n") == "c1 OK FETCH completed\r\n")
        #expect(try await client.send("c2 FETCH 1 (FLAGS)\r\n") == "c2 BAD Invalid message sequence number\r\n")
        let select = try await client.send("c SELECT INBOX\r\n")
        #expect(select.contains("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n"))
        #expect(select.contains("* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)]"))
        #expect(select.contains("* 2 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 2] First unseen\r\n* OK [UIDVALIDITY "))
        #expect(select.contains("* OK [UIDNEXT 3] Predicted next UID\r\n"))
        #expect(select.hasSuffix("c OK [READ-WRITE] SELECT completed\r\n"))

        #expect(
            try await client.send("d UID FETCH 1:* (FLAGS)\r\n")
                == "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 FETCH (UID 2 FLAGS ())\r\nd OK UID FETCH completed\r\n"
        )
        #expect(
            try await client.send("e UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[])\r\n")
                == "* 1 FETCH (UID 1 RFC822.SIZE \(size) BODY[] {\(size)}\r\n\(message))\r\ne OK UID FETCH completed\r\n"
        )
        #expect(
            try await client.send("f FETCH 2 (BODY.PEEK[HEADER.FIELDS (Subject)])\r\n")
                == "* 2 FETCH (BODY[HEADER.FIELDS (Subject)] {19}\r\nSubject: second\r\n\r\n)\r\nf OK FETCH completed\r\n"
        )
        #expect(
            try await client.send("g FETCH 2 (BODY.PEEK[TEXT]<2.4>)\r\n")
                == "* 2 FETCH (BODY[TEXT]<2> {4}\r\n2345)\r\ng OK FETCH completed\r\n"
        )
        // BODY[] (not PEEK) sets \Seen and reports FLAGS.
        let seen = try await client.send("h UID FETCH 2 (BODY[TEXT])\r\n")
        #expect(
            seen == "* 2 FETCH (UID 2 FLAGS (\\Seen) BODY[TEXT] {12}\r\n0123456789\r\n)\r\nh OK UID FETCH completed\r\n"
        )
        let macros = try await client.send("i FETCH 1 ALL\r\n")
        #expect(
            macros.hasPrefix(
                "* 1 FETCH (FLAGS (\\Seen) INTERNALDATE \"14-Nov-2023 22:13:20 +0000\" RFC822.SIZE \(size) ENVELOPE ("
            )
        )
        let structure = try await client.send("j FETCH 1 (BODYSTRUCTURE RFC822.HEADER)\r\n")
        #expect(structure.hasPrefix("* 1 FETCH (BODYSTRUCTURE ("))
        #expect(structure.contains("RFC822.HEADER {"))
        #expect(try await client.send("k FETCH 3 FLAGS\r\n") == "k BAD Invalid message sequence number\r\n")
        #expect(try await client.send("l UID FETCH 99 FLAGS\r\n") == "l OK UID FETCH completed\r\n")
        // EXAMINE is read-only: FETCH BODY[] does not set \Seen, STORE refused.
        _ = try await client.send("m STORE 1 -FLAGS (\\Seen)\r\n")
        let examine = try await client.send("n EXAMINE INBOX\r\n")
        #expect(examine.hasSuffix("n OK [READ-ONLY] EXAMINE completed\r\n"))
        #expect(
            try await client.send("o FETCH 1 (BODY[TEXT])\r\n")
                == "* 1 FETCH (BODY[TEXT] {13}\r\nHello there\r\n)\r\no OK FETCH completed\r\n"
        )
        #expect(try await client.send("p STORE 1 +FLAGS (\\Seen)\r\n") == "p NO [READ-ONLY] Mailbox is read-only\r\n")
    }

    @Test func storeSearchCopyMoveExpunge() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        var client = IMAPSessionHarness(store: fixture.store)
        try await client.login()
        for (index, subject) in ["alpha", "beta", "gamma", "delta"].enumerated() {
            let message = imapTestMessage(subject: subject, from: index % 2 == 0 ? "bob@x.org" : "carol@y.org")
            _ = try await client.send("a APPEND INBOX {\(message.utf8.count)+}\r\n\(message)\r\n")
        }
        _ = try await client.send("b SELECT INBOX\r\n")
        #expect(
            try await client.send("c UID STORE 1 +FLAGS (\\Flagged)\r\n")
                == "* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\nc OK STORE completed\r\n"
        )
        #expect(try await client.send("d STORE 2 +FLAGS.SILENT (\\Seen $Work)\r\n") == "d OK STORE completed\r\n")
        #expect(
            try await client.send("e STORE 2 -FLAGS ($Work)\r\n")
                == "* 2 FETCH (FLAGS (\\Seen))\r\ne OK STORE completed\r\n"
        )
        #expect(try await client.send("f UID SEARCH ALL\r\n") == "* SEARCH 1 2 3 4\r\nf OK UID SEARCH completed\r\n")
        #expect(try await client.send("g SEARCH FLAGGED\r\n") == "* SEARCH 1\r\ng OK SEARCH completed\r\n")
        #expect(try await client.send("h SEARCH UNSEEN NOT FLAGGED\r\n") == "* SEARCH 3 4\r\nh OK SEARCH completed\r\n")
        #expect(try await client.send("i UID SEARCH FROM carol\r\n") == "* SEARCH 2 4\r\ni OK UID SEARCH completed\r\n")
        #expect(
            try await client.send("j SEARCH OR SUBJECT gamma SUBJECT DELTA\r\n")
                == "* SEARCH 3 4\r\nj OK SEARCH completed\r\n"
        )
        #expect(try await client.send("k SEARCH 2:3 UID 3:*\r\n") == "* SEARCH 3\r\nk OK SEARCH completed\r\n")
        #expect(
            try await client.send("k2 SEARCH LARGER 1 SINCE 1-Jan-2020 BEFORE 1-Jan-2030\r\n")
                == "* SEARCH 1 2 3 4\r\nk2 OK SEARCH completed\r\n"
        )
        #expect(
            try await client.send("l SEARCH CHARSET BIG5 ALL\r\n")
                == "l NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n"
        )

        let copy = try await client.send("m UID COPY 1:2 Archive\r\n")
        #expect(copy.hasPrefix("m OK [COPYUID "))
        #expect(copy.hasSuffix(" 1:2 1:2] COPY completed\r\n"))
        #expect(try await client.send("n COPY 1 Nowhere\r\n") == "n NO [TRYCREATE] Mailbox doesn't exist\r\n")
        let move = try await client.send("o UID MOVE 2:3 Trash\r\n")
        #expect(move.hasPrefix("* OK [COPYUID "))
        #expect(move.hasSuffix(" 2:3 1:2] Moved UIDs\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\no OK MOVE completed\r\n"))
        #expect(
            try await client.send("p UID FETCH 1:* UID\r\n")
                == "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 4)\r\np OK UID FETCH completed\r\n"
        )
        _ = try await client.send("q STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n")
        #expect(try await client.send("r UID EXPUNGE 4\r\n") == "* 2 EXPUNGE\r\nr OK UID EXPUNGE completed\r\n")
        #expect(try await client.send("s EXPUNGE\r\n") == "* 1 EXPUNGE\r\ns OK EXPUNGE completed\r\n")
        #expect(try await client.send("t UID SEARCH ALL\r\n") == "* SEARCH\r\nt OK UID SEARCH completed\r\n")
        _ = try await client.send("u SELECT Archive\r\n")
        _ = try await client.send("v STORE 1 +FLAGS.SILENT (\\Deleted)\r\n")
        #expect(try await client.send("w CLOSE\r\n") == "w OK CLOSE completed\r\n")
        #expect(try await client.send("x FETCH 1 FLAGS\r\n") == "x BAD No mailbox selected\r\n")
        let status = try await client.send("y STATUS Archive (MESSAGES)\r\n")
        #expect(status == "* STATUS Archive (MESSAGES 1)\r\ny OK STATUS completed\r\n")
        _ = try await client.send("z SELECT Archive\r\n")
        #expect(try await client.send("z1 UNSELECT\r\n") == "z1 OK UNSELECT completed\r\n")
    }

    @Test func changesFromOtherSessionsAtAllowedPoints() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        var a = IMAPSessionHarness(store: fixture.store)
        var b = IMAPSessionHarness(store: fixture.store)
        try await a.login()
        try await b.login()
        for subject in ["one", "two", "three"] {
            let message = imapTestMessage(subject: subject)
            _ = try await b.send("x APPEND INBOX {\(message.utf8.count)+}\r\n\(message)\r\n")
        }
        _ = try await a.send("s SELECT INBOX\r\n")
        _ = try await b.send("s SELECT INBOX\r\n")
        _ = try await b.send("t STORE 2 +FLAGS.SILENT (\\Deleted)\r\n")
        _ = try await b.send("u EXPUNGE\r\n")
        let message = imapTestMessage(subject: "four")
        _ = try await b.send("v APPEND INBOX {\(message.utf8.count)+}\r\n\(message)\r\n")
        _ = try await b.send("w STORE 1 +FLAGS.SILENT (\\Flagged)\r\n")
        let id = try #require(a.session.selectedMailboxID)
        // Not during FETCH (sequence numbers must stay valid)...
        #expect(try await a.changed([id]) == "")
        #expect(try await a.send("f FETCH 3 UID\r\n") == "* 3 FETCH (UID 3)\r\nf OK FETCH completed\r\n")
        // ...but at NOOP: the expunge, the flag change and the new message.
        #expect(
            try await a.send("n NOOP\r\n")
                == "* 2 EXPUNGE\r\n* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\n* 3 EXISTS\r\nn OK NOOP completed\r\n"
        )
        #expect(
            try await a.send("g UID FETCH 1:* UID\r\n")
                == "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\n* 3 FETCH (UID 4)\r\ng OK UID FETCH completed\r\n"
        )
        // IDLE: pushed at once.
        #expect(try await a.send("i IDLE\r\n") == "+ idling\r\n")
        let five = imapTestMessage(subject: "five")
        _ = try await b.send("y APPEND INBOX {\(five.utf8.count)+}\r\n\(five)\r\n")
        #expect(try await a.changed([id]) == "* 4 EXISTS\r\n")
        #expect(try await a.send("DONE\r\n") == "i OK IDLE terminated\r\n")
        #expect(try await a.send("j NOOP\r\n") == "j OK NOOP completed\r\n")
    }

    @Test func errorsAndFlood() async throws {
        let fixture = try IMAPTestStore(maximumMessageSize: 1000)
        defer { fixture.remove() }
        var client = IMAPSessionHarness(store: fixture.store)
        try await client.login()
        #expect(try await client.send("a APPEND INBOX {4294967296}\r\n") == "a NO [TOOBIG] Message too large\r\n")
        #expect(try await client.send("a2 NOOP\r\n") == "a2 OK NOOP completed\r\n")
        #expect(try await client.send("b FROB\r\n") == "b BAD Unknown command FROB\r\n")
        #expect(try await client.send("c FETCH 1 FLAGS\r\n") == "c BAD No mailbox selected\r\n")
        var flood = ""
        for index in 0..<IMAPSession.maximumConsecutiveBadCommands { flood += "f\(index) FROB\r\n" }
        let reply = try await client.send(flood)
        #expect(reply.hasSuffix("* BYE Too many invalid commands\r\n"))
        #expect(client.expectation == .close)
        var plus = IMAPSessionHarness(store: fixture.store)
        try await plus.login()
        #expect(
            try await plus.send("d APPEND INBOX {2000+}\r\n")
                == "d BAD Literal too large\r\n* BYE Literal too large\r\n"
        )
        #expect(plus.expectation == .close)
    }
}
