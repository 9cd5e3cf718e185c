import Foundation
import NIOCore
import Testing

@testable import MyceliumMailGateway

/// Guards the fast paths the benchmark measures: FLAGS/UID fetches come from the session's view (no blob reads, no
/// MIME), `BODY.PEEK[]` reads the blob and does not parse it.
@Suite("IMAPPerformance")
struct IMAPPerformanceTests {
    @Test func flagsFetchAndBodyFetchArePlainReads() async throws {
        let fixture = try IMAPTestStore()
        defer { fixture.remove() }
        let count = 300
        try await fixture.store.prepareUser("test")
        let clock = ContinuousClock()
        let appendStart = clock.now
        for index in 0..<count {
            let message = Array(imapTestMessage(subject: "message \(index)").utf8)
            _ = try await fixture.store.append(
                user: "test",
                mailbox: "INBOX",
                message: message,
                flags: MessageFlags(index % 3 == 0 ? ["\\Seen"] : []),
                internalDate: 1_700_000_000
            )
        }
        let appendTime = clock.now - appendStart
        var client = IMAPSessionHarness(store: fixture.store)
        try await client.login()
        _ = try await client.send("s SELECT INBOX\r\n")
        let flagsStart = clock.now
        let flags = try await client.send("f UID FETCH 1:* (FLAGS)\r\n")
        let flagsTime = clock.now - flagsStart
        #expect(flags.hasPrefix("* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 FETCH (UID 2 FLAGS ())\r\n"))
        #expect(flags.hasSuffix("* \(count) FETCH (UID \(count) FLAGS ())\r\nf OK UID FETCH completed\r\n"))
        #expect(flags.components(separatedBy: "\r\n").count == count + 2)
        let bodyStart = clock.now
        for uid in 1...count {
            let body = try await client.send("b UID FETCH \(uid) (UID RFC822.SIZE BODY.PEEK[])\r\n")
            #expect(body.hasSuffix("b OK UID FETCH completed\r\n"))
        }
        let bodyTime = clock.now - bodyStart
        let allStart = clock.now
        let all = try await client.send("a UID FETCH 1:* (BODY.PEEK[])\r\n")
        let allTime = clock.now - allStart
        #expect(all.components(separatedBy: " FETCH (UID ").count == count + 1)
        print(
            "IMAP performance: \(count) appends \(appendTime), UID FETCH 1:* (FLAGS) \(flagsTime), "
                + "\(count)× UID FETCH n BODY.PEEK[] \(bodyTime), UID FETCH 1:* (BODY.PEEK[]) \(allTime)"
        )
        #expect(flagsTime < .seconds(1))
        #expect(bodyTime < .seconds(30))
    }

    /// A bulk FETCH is read in batches (by count and by bytes) one ahead of the writer: every message must come out
    /// once, in order, intact, with `\Seen` set for all of them by one update; SEARCH reads the same way.
    @Test func bulkBodyFetchCrossesBatchesInOrder() async throws {
        let fixture = try IMAPTestStore(maximumMessageSize: 4 << 20)
        defer { fixture.remove() }
        try await fixture.store.prepareUser("test")
        // 300 small messages (three count-limited batches), then two larger than a whole byte-limited batch.
        var messages: [String] = []
        for index in 0..<302 {
            let padding = index >= 300 ? String(repeating: "x", count: IMAPMessageReader.batchBytes + 10) : ""
            let message = imapTestMessage(subject: "message \(index)") + padding
            messages.append(message)
            _ = try await fixture.store.append(
                user: "test", mailbox: "INBOX", message: Array(message.utf8), flags: MessageFlags(),
                internalDate: 1_700_000_000)
        }
        var client = IMAPSessionHarness(store: fixture.store)
        try await client.login()
        _ = try await client.send("s SELECT INBOX\r\n")
        let all = try await client.send("a FETCH 302,1:301 (BODY[])\r\n")
        var expected = ""
        for sequence in 1...302 {  // the server answers in ascending order
            let body = messages[sequence - 1]
            expected += "* \(sequence) FETCH (FLAGS (\\Seen) BODY[] {\(body.utf8.count)}\r\n\(body))\r\n"
        }
        #expect(all == expected + "a OK FETCH completed\r\n")
        let flags = try await client.send("f FETCH 1:* (FLAGS)\r\n")
        #expect(flags.components(separatedBy: "FLAGS (\\Seen)").count == 303)
        // SEARCH reads through the same batches: a header in the third batch, a body in the last two.
        #expect(try await client.send("s1 SEARCH SUBJECT \"message 299\"\r\n") == "* SEARCH 300\r\ns1 OK SEARCH completed\r\n")
        #expect(try await client.send("s2 SEARCH BODY xxxxxxxx\r\n") == "* SEARCH 301 302\r\ns2 OK SEARCH completed\r\n")
    }
}
