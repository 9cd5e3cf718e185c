import NIOCore
import Testing

@testable import MyceliumMailGateway

/// Frames and parses `text` (one command) as the server would.
func parseIMAP(_ text: String) throws -> IMAPCommand {
    var framer = IMAPFramer(maximumAppendLiteralSize: 1 << 20)
    framer.append(ByteBuffer(string: text))
    while let frame = framer.next() {
        switch frame {
        case .command(let bytes): return try IMAPParser.parseCommand(bytes)
        case .continuationRequest: continue
        case .error(let error): throw error
        }
    }
    throw IMAPParseError(tag: nil, reason: .syntax("incomplete"))
}

func kind(_ text: String) throws -> IMAPCommand.Kind { try parseIMAP(text).kind }

@Suite("IMAPParser")
struct IMAPParserTests {
    @Test func simpleCommands() throws {
        #expect(try parseIMAP("a1 CAPABILITY\r\n") == IMAPCommand(tag: "a1", kind: .capability))
        #expect(try kind("x noop\r\n") == .noop)
        #expect(try kind("x LOGOUT\r\n") == .logout)
        #expect(try kind("x NAMESPACE\r\n") == .namespace)
        #expect(try kind("x CHECK\r\n") == .check)
        #expect(try kind("x CLOSE\r\n") == .close)
        #expect(try kind("x UNSELECT\r\n") == .unselect)
        #expect(try kind("x EXPUNGE\r\n") == .expunge)
        #expect(try kind("x IDLE\r\n") == .idle)
        #expect(try kind("x idle\n") == .idle)
    }

    @Test func idAndEnable() throws {
        #expect(
            try kind("x ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n")
                == .id([
                    IMAPIDParameter(key: "name", value: "Thunderbird"), IMAPIDParameter(key: "version", value: nil),
                ])
        )
        #expect(try kind("x ID NIL\r\n") == .id(nil))
        #expect(try kind("x ENABLE UTF8=ACCEPT CONDSTORE\r\n") == .enable(["UTF8=ACCEPT", "CONDSTORE"]))
        #expect(throws: IMAPParseError.self) { try kind("x ENABLE\r\n") }
    }

    @Test func loginAndAuthenticate() throws {
        #expect(try kind("a LOGIN test test\r\n") == .login(user: "test", password: Array("test".utf8)))
        #expect(
            try kind("a LOGIN \"te\\\"st\" {4}\r\np\\w \r\n") == .login(user: "te\"st", password: Array("p\\w ".utf8))
        )
        #expect(try kind("a LOGIN u {3+}\r\nabc\r\n") == .login(user: "u", password: Array("abc".utf8)))
        #expect(try kind("a AUTHENTICATE PLAIN\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: nil))
        #expect(
            try kind("a authenticate plain AHRlc3QAdGVzdA==\r\n")
                == .authenticate(mechanism: "PLAIN", initialResponse: Array("AHRlc3QAdGVzdA==".utf8))
        )
        #expect(try kind("a AUTHENTICATE PLAIN =\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: [61]))
    }

    @Test func mailboxCommands() throws {
        #expect(try kind("a SELECT inbox\r\n") == .select(mailbox: "INBOX"))
        #expect(try kind("a EXAMINE \"Sent\"\r\n") == .examine(mailbox: "Sent"))
        #expect(try kind("a CREATE \"a b/c\"\r\n") == .create(mailbox: "a b/c"))
        #expect(try kind("a DELETE x\r\n") == .delete(mailbox: "x"))
        #expect(try kind("a RENAME x \"y z\"\r\n") == .rename(from: "x", to: "y z"))
        #expect(try kind("a SUBSCRIBE x\r\n") == .subscribe(mailbox: "x"))
        #expect(try kind("a UNSUBSCRIBE {1}\r\nx\r\n") == .unsubscribe(mailbox: "x"))
        #expect(try kind("a LSUB \"\" \"*\"\r\n") == .lsub(reference: "", pattern: "*"))
        #expect(
            try kind("a STATUS INBOX (UIDNEXT UIDVALIDITY UNSEEN RECENT MESSAGES SIZE)\r\n")
                == .status(mailbox: "INBOX", items: [.uidNext, .uidValidity, .unseen, .recent, .messages, .size])
        )
        #expect(throws: IMAPParseError.self) { try kind("a STATUS INBOX (FOO)\r\n") }
    }

    @Test func list() throws {
        #expect(try kind("a LIST \"\" \"*\"\r\n") == .list(IMAPListCommand(reference: "", patterns: ["*"])))
        #expect(try kind("a LIST \"\" %\r\n") == .list(IMAPListCommand(reference: "", patterns: ["%"])))
        #expect(try kind("a LIST \"\" \"\"\r\n") == .list(IMAPListCommand(reference: "", patterns: [""])))
        #expect(
            try kind("a list (subscribed) \"\" \"*\" return (special-use)\r\n")
                == .list(
                    IMAPListCommand(reference: "", patterns: ["*"], selectSubscribed: true, returnSpecialUse: true)
                )
        )
        #expect(
            try kind("a LIST \"\" (INBOX Sent) RETURN (SUBSCRIBED CHILDREN STATUS (MESSAGES UNSEEN))\r\n")
                == .list(
                    IMAPListCommand(
                        reference: "",
                        patterns: ["INBOX", "Sent"],
                        returnSubscribed: true,
                        returnChildren: true,
                        returnStatus: [.messages, .unseen]
                    )
                )
        )
    }

    @Test func append() throws {
        #expect(
            try kind("a APPEND Sent (\\Seen) {5+}\r\nhello\r\n")
                == .append(mailbox: "Sent", flags: ["\\Seen"], date: nil, message: Array("hello".utf8))
        )
        #expect(
            try kind("a APPEND INBOX (\\seen $Junk) \" 1-Jan-2020 00:00:00 +0100\" {2}\r\nhi\r\n")
                == .append(mailbox: "INBOX", flags: ["\\Seen", "$Junk"], date: 1_577_833_200, message: [104, 105])
        )
        #expect(
            try kind("a APPEND INBOX \"17-Jul-1996 02:44:25 -0700\" {0}\r\n\r\n")
                == .append(mailbox: "INBOX", flags: [], date: 837_596_665, message: [])
        )
        #expect(throws: IMAPParseError.self) { try kind("a APPEND INBOX \"hello\"\r\n") }
    }

    @Test func sequenceSets() throws {
        let set = IMAPSequenceSet([.init(1, 3), .init(7, 7), .init(9, IMAPSequenceSet.star), .init(20, 15)])
        #expect(try kind("a FETCH 1:3,7,9:*,20:15 FLAGS\r\n") == .fetch(set, [.flags], uid: false))
        #expect(set.description == "1:3,7,9:*,20:15")
        #expect(set.resolved(largest: 30) == [1...3, 7...7, 9...30])
        #expect(IMAPSequenceSet([.init(559, IMAPSequenceSet.star)]).resolved(largest: 100) == [100...559])
        #expect(IMAPSequenceSet.compactDescription(of: [1, 2, 3, 7, 9, 10]) == "1:3,7,9:10")
        #expect(throws: IMAPParseError.self) { try kind("a FETCH 0 FLAGS\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a FETCH 1: FLAGS\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a FETCH 99999999999 FLAGS\r\n") }
    }

    @Test func fetch() throws {
        let all = IMAPSequenceSet([.init(1, IMAPSequenceSet.star)])
        #expect(try kind("a UID FETCH 1:* (FLAGS)\r\n") == .fetch(all, [.flags], uid: true))
        #expect(
            try kind("a FETCH 1:* ALL\r\n") == .fetch(all, [.flags, .internalDate, .rfc822Size, .envelope], uid: false)
        )
        #expect(try kind("a FETCH 1:* fast\r\n") == .fetch(all, [.flags, .internalDate, .rfc822Size], uid: false))
        #expect(
            try kind("a FETCH 1:* FULL\r\n")
                == .fetch(
                    all,
                    [.flags, .internalDate, .rfc822Size, .envelope, .bodyStructure(extensible: false)],
                    uid: false
                )
        )
        let one = IMAPSequenceSet([.init(1, 1)])
        #expect(
            try kind("a UID fetch 1 (UID RFC822.SIZE BODY.PEEK[])\r\n")
                == .fetch(one, [.uid, .rfc822Size, .section(MessageSection(), partial: nil, peek: true)], uid: true)
        )
        #expect(
            try kind(
                "a UID fetch 1 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Message-ID)])\r\n"
            )
                == .fetch(
                    one,
                    [
                        .uid, .rfc822Size, .flags,
                        .section(
                            MessageSection(kind: .headerFields(["From", "To", "Message-ID"])),
                            partial: nil,
                            peek: true
                        ),
                    ],
                    uid: true
                )
        )
        #expect(
            try kind("a FETCH 1 (BODY.PEEK[TEXT]<0.2048> BODY[1.2.MIME] BODY[2] body bodystructure envelope)\r\n")
                == .fetch(
                    one,
                    [
                        .section(
                            MessageSection(kind: .text),
                            partial: MessagePartial(origin: 0, count: 2048),
                            peek: true
                        ),
                        .section(MessageSection(part: [1, 2], kind: .mime), partial: nil, peek: false),
                        .section(MessageSection(part: [2], kind: .full), partial: nil, peek: false),
                        .bodyStructure(extensible: false), .bodyStructure(extensible: true), .envelope,
                    ],
                    uid: false
                )
        )
        #expect(
            try kind("a FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT INTERNALDATE BODY[HEADER.FIELDS.NOT (X)])\r\n")
                == .fetch(
                    one,
                    [
                        .rfc822, .rfc822Header, .rfc822Text, .internalDate,
                        .section(MessageSection(kind: .headerFieldsNot(["X"])), partial: nil, peek: false),
                    ],
                    uid: false
                )
        )
        #expect(throws: IMAPParseError.self) { try kind("a FETCH 1 (BODY.PEEK)\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a FETCH 1 BODY[MIME]\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a FETCH 1 BODY[]<1.0>\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a FETCH 1 (FLAGS\r\n") }
    }

    @Test func store() throws {
        let one = IMAPSequenceSet([.init(1, 1)])
        #expect(
            try kind("a UID STORE 1 +FLAGS (\\Flagged)\r\n")
                == .store(
                    one,
                    IMAPStoreAction(operation: .add(MessageFlags(["\\Flagged"])), silent: false, flags: ["\\Flagged"]),
                    uid: true
                )
        )
        #expect(
            try kind("a uid store 1 -Flags (\\Seen)\r\n")
                == .store(
                    one,
                    IMAPStoreAction(operation: .remove(MessageFlags(["\\Seen"])), silent: false, flags: ["\\Seen"]),
                    uid: true
                )
        )
        #expect(
            try kind("a STORE 1 FLAGS.SILENT \\Deleted $X\r\n")
                == .store(
                    one,
                    IMAPStoreAction(
                        operation: .replace(MessageFlags(["\\Deleted", "$X"])),
                        silent: true,
                        flags: ["\\Deleted", "$X"]
                    ),
                    uid: false
                )
        )
        #expect(throws: IMAPParseError.self) { try kind("a STORE 1 LABELS (x)\r\n") }
    }

    @Test func copyMoveExpunge() throws {
        let set = IMAPSequenceSet([.init(2, 4)])
        #expect(try kind("a COPY 2:4 Trash\r\n") == .copy(set, mailbox: "Trash", uid: false))
        #expect(try kind("a UID COPY 2:4 \"Trash\"\r\n") == .copy(set, mailbox: "Trash", uid: true))
        #expect(try kind("a MOVE 2:4 Trash\r\n") == .move(set, mailbox: "Trash", uid: false))
        #expect(try kind("a uid move 2:4 \"Projects\"\r\n") == .move(set, mailbox: "Projects", uid: true))
        #expect(try kind("a UID EXPUNGE 2:4\r\n") == .uidExpunge(set))
    }

    @Test func search() throws {
        #expect(try kind("a UID SEARCH ALL\r\n") == .search(.all, uid: true))
        #expect(
            try kind("a SEARCH CHARSET UTF-8 FROM \"bob\" NOT SEEN\r\n")
                == .search(.and([.from("bob"), .not(.seen)]), uid: false)
        )
        #expect(
            try kind("a SEARCH OR (ANSWERED DELETED) (DRAFT FLAGGED) 1:5 UID 3\r\n")
                == .search(
                    .and([
                        .or(.and([.answered, .deleted]), .and([.draft, .flagged])),
                        .sequenceNumbers(IMAPSequenceSet([.init(1, 5)])), .uid(IMAPSequenceSet([.init(3, 3)])),
                    ]),
                    uid: false
                )
        )
        #expect(
            try kind(
                "a SEARCH BCC a CC b TO c SUBJECT d BODY e TEXT f HEADER X-A g KEYWORD $k UNKEYWORD $j LARGER 10 SMALLER 20\r\n"
            )
                == .search(
                    .and([
                        .bcc("a"), .cc("b"), .to("c"), .subject("d"), .body("e"), .text("f"), .header("X-A", "g"),
                        .keyword("$k"), .unkeyword("$j"), .larger(10), .smaller(20),
                    ]),
                    uid: false
                )
        )
        #expect(
            try kind(
                "a SEARCH BEFORE 1-Feb-1994 ON \"02-Feb-1994\" SINCE 3-feb-1994 SENTBEFORE 1-Jan-1970 SENTON 1-Jan-1970 SENTSINCE 2-Jan-1970\r\n"
            )
                == .search(
                    .and([
                        .before(day: 8797), .on(day: 8798), .since(day: 8799), .sentBefore(day: 0), .sentOn(day: 0),
                        .sentSince(day: 1),
                    ]),
                    uid: false
                )
        )
        #expect(
            try kind("a SEARCH NEW OLD RECENT UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN\r\n")
                == .search(
                    .and([.new, .old, .recent, .unanswered, .undeleted, .undraft, .unflagged, .unseen]),
                    uid: false
                )
        )
        #expect(throws: IMAPParseError(tag: "a", reason: .badCharset)) { try kind("a SEARCH CHARSET KOI8-R ALL\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a SEARCH FOO\r\n") }
        let deep = String(repeating: "NOT ", count: 40) + "ALL"
        #expect(throws: IMAPParseError.self) { try kind("a SEARCH \(deep)\r\n") }
        let shallow = String(repeating: "NOT ", count: 20) + "ALL"
        #expect(try parseIMAP("a SEARCH \(shallow)\r\n").tag == "a")
    }

    @Test func errorsCarryTheTag() throws {
        #expect(throws: IMAPParseError(tag: "a7", reason: .unknownCommand("FOO"))) { try kind("a7 FOO\r\n") }
        #expect(throws: IMAPParseError(tag: nil, reason: .syntax("expected a tag"))) { try kind("+x NOOP\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a NOOP extra\r\n") }
        #expect(throws: IMAPParseError.self) { try kind("a LOGIN \"unterminated\r\n") }
    }

    @Test func sequenceSetAndSectionRoundTrips() throws {
        let set = IMAPSequenceSet([.init(4, 2), .init(9, 9), .init(IMAPSequenceSet.star, 12)])
        #expect(try kind("a UID FETCH \(set.description) UID\r\n") == .fetch(set, [.uid], uid: true))
        let sections = [
            MessageSection(), MessageSection(kind: .header), MessageSection(part: [1, 2], kind: .mime),
            MessageSection(part: [3], kind: .text), MessageSection(kind: .headerFields(["From", "X-Spam Flag"])),
            MessageSection(part: [2], kind: .headerFieldsNot(["Received"])),
        ]
        for section in sections {
            var buffer = ByteBuffer(string: "a FETCH 1 BODY")
            buffer.writeIMAPSection(section)
            buffer.writeString("\r\n")
            #expect(
                try IMAPParser.parseCommand(buffer).kind
                    == .fetch(IMAPSequenceSet([.init(1, 1)]), [.section(section, partial: nil, peek: false)], uid: false)
            )
        }
    }

    @Test func dateTimeRoundTrip() {
        for seconds: Int64 in [0, 837_596_665, 1_577_833_200, 4_102_444_800, 951_782_400] {
            var buffer = ByteBuffer()
            buffer.writeIMAPDateTime(seconds)
            var parser = IMAPParser(buffer)
            #expect((try? parser.dateTime()) == seconds)
        }
        var extreme = ByteBuffer()
        extreme.writeIMAPDateTime(.min)
        extreme.writeIMAPDateTime(.max)
        #expect(String(buffer: extreme) == "\" 1-Jan-0001 00:00:00 +0000\"\"31-Dec-9999 23:59:59 +0000\"")
        #expect(IMAPGrammar.day(ofSeconds: -1) == -1)
        #expect(IMAPGrammar.day(ofSeconds: .min) < 0)
        var buffer = ByteBuffer()
        buffer.writeIMAPDateTime(837_596_665)
        #expect(String(buffer: buffer) == "\"17-Jul-1996 09:44:25 +0000\"")
    }
}
