import NIOCore
import Testing

@testable import MyceliumMailGateway

/// Mutated commands against a real store: the session answers every one and never traps.
@Suite("IMAPSessionFuzz")
struct IMAPSessionFuzzTests {
    @Test func mutatedCommandsNeverCrashTheSession() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        try await fixture.store.prepareUser("test")
        for subject in ["a", "b", "c"] {
            let message = Array(imapTestMessage(subject: subject).utf8)
            _ = try await fixture.store.append(
                user: "test",
                mailbox: "INBOX",
                message: message,
                flags: MessageFlags(),
                internalDate: 0
            )
        }
        let seeds = [
            "f UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.10>)\r\n",
            "f FETCH 1:3 (ENVELOPE BODYSTRUCTURE BODY[1] BODY[2.MIME] BODY.PEEK[TEXT]<5.3>)\r\n",
            "s UID STORE 1:2 +FLAGS (\\Seen $Work)\r\n", "s STORE 3 -FLAGS.SILENT (\\Seen)\r\n",
            "q SEARCH OR FROM alice NOT (SEEN UID 2:*) SINCE 1-Jan-1970 TEXT hello\r\n",
            "q UID SEARCH 1,3:* LARGER 10 HEADER Subject b\r\n",
            "l LIST \"\" \"*\" RETURN (STATUS (MESSAGES SIZE))\r\n",
            "t STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n", "c UID COPY 1:* Archive\r\n", "n NOOP\r\n",
            "e EXAMINE INBOX\r\n", "x SELECT INBOX\r\n",
        ]
        var client = IMAPSessionHarness(store: fixture.store)
        try await client.login()
        _ = try await client.send("x SELECT INBOX\r\n")
        var generator = SplitMix(seed: 0x5E55_1011)
        var answered = 0
        let iterations = 3_000
        for iteration in 0..<iterations {
            var bytes = Array(seeds[iteration % seeds.count].utf8)
            for _ in 0..<Int(generator.next() % 3) {
                let position = Int(generator.next() % UInt64(bytes.count - 2))
                switch generator.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next() % 128)
                case 1: bytes.remove(at: position)
                default:
                    bytes.insert(
                        UInt8(ascii: ["*", ":", "1", "9", " ", "(", ")", "\""][Int(generator.next() % 8)]),
                        at: position
                    )
                }
            }
            let reply = try await client.send(String(decoding: bytes, as: UTF8.self))
            if reply.contains(" OK ") || reply.contains(" NO ") || reply.contains(" BAD ") { answered += 1 }
            if client.expectation != .command {
                // A BAD flood or an unfinished literal/IDLE: start a fresh session.
                client = IMAPSessionHarness(store: fixture.store)
                try await client.login()
                _ = try await client.send("x SELECT INBOX\r\n")
            }
        }
        print("fuzz IMAPSession: \(iterations) mutated commands, \(answered) answered, no crash")
        #expect(answered > iterations / 2)
    }
}
