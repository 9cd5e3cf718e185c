import Foundation
import MyceliumMailGateway
import Testing

@Suite("MailStore performance")
struct MailStorePerformanceTests {
    static let messageCount = 10_000

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    @Test("10,000-message mailbox: snapshot, fetch of every message, 10 KiB appends (timings printed)")
    func largeMailbox() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        let message = Array(repeating: UInt8(ascii: "x"), count: 10 * 1024)
        var start = ContinuousClock.now
        let appends = 50
        for _ in 0..<appends {
            _ = try await store.append(
                user: "alice", mailbox: "INBOX", message: message, flags: MessageFlags(["\\Seen"]), internalDate: 0)
        }
        let appendMilliseconds = Self.milliseconds(since: start) / Double(appends)
        let inbox = try #require(try await store.mailbox(user: "alice", named: "INBOX"))
        // Grow to 10,000 by copying the mailbox into itself (one transaction per doubling).
        var count = appends
        while count < Self.messageCount {
            let more = min(count, Self.messageCount - count)
            let snapshot = try await store.snapshot(mailboxID: inbox.id)
            _ = try await store.copy(
                mailboxID: inbox.id, uids: snapshot.messages.prefix(more).map(\.uid), to: "INBOX", user: "alice")
            count += more
        }
        start = ContinuousClock.now
        let snapshot = try await store.snapshot(mailboxID: inbox.id)
        let snapshotMilliseconds = Self.milliseconds(since: start)
        #expect(snapshot.messages.count == Self.messageCount)
        #expect(snapshot.messages.map(\.uid) == Array(1...UInt32(Self.messageCount)))
        start = ContinuousClock.now
        var total = 0
        for stored in snapshot.messages {
            total += try await store.messageBytes(mailboxID: inbox.id, uid: stored.uid).count
        }
        let fetchMilliseconds = Self.milliseconds(since: start)
        #expect(total == Self.messageCount * message.count)
        start = ContinuousClock.now
        let status = try await store.status(mailboxID: inbox.id)
        let statusMilliseconds = Self.milliseconds(since: start)
        #expect(status.messages == Self.messageCount)
        print(
            "MailStore performance: snapshot of \(Self.messageCount) messages \(snapshotMilliseconds) ms; "
                + "messageBytes of all \(fetchMilliseconds) ms (\(fetchMilliseconds * 1000 / Double(Self.messageCount)) µs each); "
                + "status \(statusMilliseconds) ms; 10 KiB append \(appendMilliseconds) ms each")
    }
}
