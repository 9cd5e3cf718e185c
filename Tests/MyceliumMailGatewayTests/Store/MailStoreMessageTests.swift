import Foundation
import MyceliumMailGateway
import Testing

@Suite("MailStore messages")
struct MailStoreMessageTests {
    static func message(_ index: Int, size: Int = 200) -> [UInt8] {
        let header = Array("Subject: message \(index)\r\n\r\n".utf8)
        return header + (0..<max(0, size - header.count)).map { UInt8(truncatingIfNeeded: 0x41 + ($0 + index) % 26) }
    }

    /// Prepares alice and appends `message(0, size:)` … `message(count - 1, size:)` to her INBOX with the given flags
    /// and dates; returns the INBOX.
    static func aliceInbox(
        _ store: MailStore, count: Int, size: (Int) -> Int = { _ in 200 }, flags: (Int) -> [String] = { _ in [] },
        date: (Int) -> Int64 = { _ in 0 }
    ) async throws -> Mailbox {
        try await store.prepareUser("alice")
        for index in 0..<count {
            _ = try await store.append(
                user: "alice", mailbox: "INBOX", message: Self.message(index, size: size(index)),
                flags: MessageFlags(flags(index)), internalDate: date(index))
        }
        return try #require(try await store.mailbox(user: "alice", named: "INBOX"))
    }

    @Test("bytes of many messages in one read: caller's order, repeats, gone UIDs as nil")
    func batchRead() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let inbox = try await Self.aliceInbox(
            store, count: 6, size: { 90 + $0 }, flags: { $0 == 3 ? ["\\Deleted"] : [] }, date: { _ in 1000 })
        #expect(try await store.expunge(mailboxID: inbox.id) == [4])
        #expect(try await store.messageBytes(mailboxID: inbox.id, uids: []).isEmpty)
        let read = try await store.messageBytes(mailboxID: inbox.id, uids: [6, 1, 4, 1, 99, 3])
        #expect(read == [Self.message(5, size: 95), Self.message(0, size: 90), nil, Self.message(0, size: 90), nil,
                         Self.message(2, size: 92)])
    }

    @Test("append, snapshot and bytes round-trip; UIDs ascend")
    func appendRoundTrip() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        let inbox = try #require(try await store.mailbox(user: "alice", named: "INBOX"))
        var results: [AppendResult] = []
        for index in 0..<5 {
            results.append(
                try await store.append(
                    user: "alice", mailbox: "inbox", message: Self.message(index, size: 100 + index),
                    flags: MessageFlags(index == 2 ? ["\\seen", "$Forwarded"] : []), internalDate: Int64(1000 + index)))
        }
        #expect(results.map(\.uid) == [1, 2, 3, 4, 5])
        #expect(results.allSatisfy { $0.uidValidity == inbox.uidValidity })
        let snapshot = try await store.snapshot(mailboxID: inbox.id)
        #expect(snapshot.mailbox.uidNext == 6)
        #expect(snapshot.messages.map(\.uid) == [1, 2, 3, 4, 5])
        #expect(snapshot.messages.map(\.size) == [100, 101, 102, 103, 104])
        #expect(snapshot.messages.map(\.internalDate) == [1000, 1001, 1002, 1003, 1004])
        #expect(snapshot.messages[2].flags.sorted == ["\\Seen", "$Forwarded"])
        #expect(snapshot.messages[0].flags.flags.isEmpty)
        for index in 0..<5 {
            #expect(try await store.messageBytes(mailboxID: inbox.id, uid: UInt32(index + 1)) == Self.message(index, size: 100 + index))
        }
        await expectMailError(.noSuchMessage(9)) { _ = try await store.messageBytes(mailboxID: inbox.id, uid: 9) }
        let status = try await store.status(mailboxID: inbox.id)
        #expect(status == MailboxStatus(messages: 5, unseen: 4, recent: 0, uidNext: 6, uidValidity: inbox.uidValidity, size: 510))
        // Every append bumped the modification counter.
        #expect(snapshot.modificationSequence == 6)
        await expectMailError(.noSuchMailbox("Nope")) {
            _ = try await store.append(user: "alice", mailbox: "Nope", message: [1], flags: MessageFlags(), internalDate: 0)
        }
        await expectMailError(.noSuchMailbox("INBOX")) {
            _ = try await store.append(user: "bob", mailbox: "INBOX", message: [1], flags: MessageFlags(), internalDate: 0)
        }
    }

    @Test("concurrent appends get distinct ascending UIDs")
    func concurrentAppends() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        let uids = try await withThrowingTaskGroup(of: UInt32.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await store.append(
                        user: "alice", mailbox: "INBOX", message: Self.message(index), flags: MessageFlags(),
                        internalDate: Int64(index)
                    ).uid
                }
            }
            var uids: [UInt32] = []
            for try await uid in group { uids.append(uid) }
            return uids
        }
        #expect(uids.sorted() == Array(1...20))
        let inbox = try #require(try await store.mailbox(user: "alice", named: "INBOX"))
        let snapshot = try await store.snapshot(mailboxID: inbox.id)
        for message in snapshot.messages {
            let index = Int(message.internalDate)
            #expect(try await store.messageBytes(mailboxID: inbox.id, uid: message.uid) == Self.message(index))
        }
    }

    @Test("a message over the limit is refused before anything is written")
    func tooLarge() async throws {
        let fixture = try MailStoreFixture(maximumMessageSize: 1000)
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        await expectMailError(.messageTooLarge(size: 1001, limit: 1000)) {
            _ = try await store.append(
                user: "alice", mailbox: "INBOX", message: Self.message(0, size: 1001), flags: MessageFlags(),
                internalDate: 0)
        }
        await expectMailError(.messageTooLarge(size: 1001, limit: 1000)) {
            _ = try await store.deliver(to: "carol", message: Self.message(0, size: 1001), internalDate: 0)
        }
        #expect(try await store.mailboxes(user: "carol").isEmpty)
        let exact = try await store.append(
            user: "alice", mailbox: "INBOX", message: Self.message(0, size: 1000), flags: MessageFlags(), internalDate: 0)
        #expect(exact.uid == 1)
    }

    @Test("invalid flags are refused; \\Recent is never stored")
    func invalidFlags() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        await expectMailError(.invalidFlags(String(repeating: "k", count: 129))) {
            _ = try await store.append(
                user: "alice", mailbox: "INBOX", message: [1], flags: MessageFlags([String(repeating: "k", count: 129)]),
                internalDate: 0)
        }
        await expectMailError(.invalidFlags("more than 64 flags")) {
            _ = try await store.append(
                user: "alice", mailbox: "INBOX", message: [1], flags: MessageFlags((0..<65).map { "k\($0)" }),
                internalDate: 0)
        }
        await expectMailError(.invalidFlags("a b")) {
            _ = try await store.append(
                user: "alice", mailbox: "INBOX", message: [1], flags: MessageFlags(["a b"]), internalDate: 0)
        }
        let result = try await store.append(
            user: "alice", mailbox: "INBOX", message: [1], flags: MessageFlags(["\\Recent", "\\Draft"]), internalDate: 0)
        let inbox = try #require(try await store.mailbox(user: "alice", named: "INBOX"))
        let messages = try await store.snapshot(mailboxID: inbox.id).messages
        #expect(messages.map(\.uid) == [result.uid])
        #expect(messages.first?.flags == MessageFlags(["\\Draft"]))
    }

    @Test("deliver prepares the user and appends to INBOX")
    func deliver() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let first = try await store.deliver(to: "dave", message: Self.message(1), internalDate: 5)
        let second = try await store.deliver(to: "dave", message: Self.message(2), internalDate: 6)
        #expect([first.uid, second.uid] == [1, 2])
        #expect(try await store.mailboxes(user: "dave").count == 1 + SpecialUse.allCases.count)
        let inbox = try #require(try await store.mailbox(user: "dave", named: "INBOX"))
        #expect(try await store.messageBytes(mailboxID: inbox.id, uid: 2) == Self.message(2))
    }

    @Test("flags: add, remove, replace; missing UIDs skipped; no-op changes do not bump the counter")
    func flags() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let inbox = try await Self.aliceInbox(store, count: 3)
        let added = try await store.updateFlags(mailboxID: inbox.id, uids: [3, 1, 99], .add(MessageFlags(["\\Seen", "$Work"])))
        #expect(added.map(\.uid) == [1, 3])
        #expect(added.allSatisfy { $0.flags == MessageFlags(["\\Seen", "$Work"]) })
        let removed = try await store.updateFlags(mailboxID: inbox.id, uids: [1], .remove(MessageFlags(["$work", "\\SEEN"])))
        // Keywords are case-sensitive as stored; system flags are not.
        #expect(removed.first?.flags == MessageFlags(["$Work"]))
        let replaced = try await store.updateFlags(mailboxID: inbox.id, uids: [1, 2], .replace(MessageFlags(["\\Flagged"])))
        #expect(replaced.map(\.flags) == [MessageFlags(["\\Flagged"]), MessageFlags(["\\Flagged"])])
        let before = try await store.snapshot(mailboxID: inbox.id)
        _ = try await store.updateFlags(mailboxID: inbox.id, uids: [1, 2], .add(MessageFlags(["\\Flagged"])))
        let after = try await store.snapshot(mailboxID: inbox.id)
        #expect(after.modificationSequence == before.modificationSequence)
        #expect(after.messages.map(\.flags) == [
            MessageFlags(["\\Flagged"]), MessageFlags(["\\Flagged"]), MessageFlags(["\\Seen", "$Work"]),
        ])
        #expect(try await store.status(mailboxID: inbox.id).unseen == 2)
    }

    @Test("copy keeps flags, dates and bytes and reports COPYUID pairs")
    func copy() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let inbox = try await Self.aliceInbox(
            store, count: 4, flags: { $0 == 1 ? ["\\Answered"] : [] }, date: { Int64($0) })
        let archive = try #require(try await store.mailbox(user: "alice", named: "Archive"))
        _ = try await store.append(user: "alice", mailbox: "Archive", message: [1], flags: MessageFlags(), internalDate: 0)
        let result = try await store.copy(mailboxID: inbox.id, uids: [4, 2, 77], to: "Archive", user: "alice")
        #expect(result == CopyResult(uidValidity: archive.uidValidity, sourceUIDs: [2, 4], destinationUIDs: [2, 3]))
        let copied = try await store.snapshot(mailboxID: archive.id).messages
        #expect(copied.map(\.uid) == [1, 2, 3])
        #expect(copied[1].flags == MessageFlags(["\\Answered"]))
        #expect(copied[1].internalDate == 1 && copied[2].internalDate == 3)
        #expect(try await store.messageBytes(mailboxID: archive.id, uid: 3) == Self.message(3))
        // The originals are untouched; removing one copy leaves the other's bytes.
        #expect(try await store.snapshot(mailboxID: inbox.id).messages.count == 4)
        _ = try await store.updateFlags(mailboxID: inbox.id, uids: [4], .add(MessageFlags(["\\Deleted"])))
        #expect(try await store.expunge(mailboxID: inbox.id) == [4])
        #expect(try await store.messageBytes(mailboxID: archive.id, uid: 3) == Self.message(3))
        // Copy into the same mailbox, and of nothing.
        let again = try await store.copy(mailboxID: inbox.id, uids: [1], to: "INBOX", user: "alice")
        #expect(again.sourceUIDs == [1] && again.destinationUIDs == [5])
        let none = try await store.copy(mailboxID: inbox.id, uids: [42], to: "Archive", user: "alice")
        #expect(none.sourceUIDs.isEmpty && none.destinationUIDs.isEmpty)
        await expectMailError(.noSuchMailbox("Nope")) {
            _ = try await store.copy(mailboxID: inbox.id, uids: [1], to: "Nope", user: "alice")
        }
    }

    @Test("copy of many messages (scan path)")
    func copyMany() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let inbox = try await Self.aliceInbox(store, count: 100)
        let result = try await store.copy(mailboxID: inbox.id, uids: Array(1...100).reversed(), to: "Trash", user: "alice")
        #expect(result.sourceUIDs == Array(1...100))
        #expect(result.destinationUIDs == Array(1...100))
        let trash = try #require(try await store.mailbox(user: "alice", named: "Trash"))
        #expect(try await store.messageBytes(mailboxID: trash.id, uid: 57) == Self.message(56))
    }

    @Test("move is one step: originals gone, COPYUID pairs, bytes intact")
    func move() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let inbox = try await Self.aliceInbox(store, count: 3, flags: { _ in ["\\Seen"] }, date: { Int64($0) })
        let junk = try #require(try await store.mailbox(user: "alice", named: "Junk"))
        let before = try await store.snapshot(mailboxID: inbox.id).modificationSequence
        let result = try await store.move(mailboxID: inbox.id, uids: [1, 3], to: "Junk", user: "alice")
        #expect(result == CopyResult(uidValidity: junk.uidValidity, sourceUIDs: [1, 3], destinationUIDs: [1, 2]))
        let left = try await store.snapshot(mailboxID: inbox.id)
        #expect(left.messages.map(\.uid) == [2])
        #expect(left.modificationSequence > before)
        #expect(try await store.modificationSequence(mailboxID: inbox.id) == left.modificationSequence)
        #expect(try await store.modificationSequence(mailboxID: 9_999) == nil)
        let moved = try await store.snapshot(mailboxID: junk.id).messages
        #expect(moved.map(\.internalDate) == [0, 2])
        #expect(try await store.messageBytes(mailboxID: junk.id, uid: 2) == Self.message(2))
        await expectMailError(.noSuchMessage(1)) { _ = try await store.messageBytes(mailboxID: inbox.id, uid: 1) }
        // New messages in INBOX never reuse the moved UIDs.
        let next = try await store.append(user: "alice", mailbox: "INBOX", message: [1], flags: MessageFlags(), internalDate: 0)
        #expect(next.uid == 4)
    }

    @Test("expunge removes only \\Deleted messages, only among the given UIDs, and their blobs")
    func expunge() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let inbox = try await Self.aliceInbox(store, count: 6)
        _ = try await store.updateFlags(mailboxID: inbox.id, uids: [2, 3, 5], .add(MessageFlags(["\\Deleted"])))
        _ = try await store.updateFlags(mailboxID: inbox.id, uids: [4], .add(MessageFlags(["$Deleted", "\\DeletedX"])))
        #expect(try await store.expunge(mailboxID: inbox.id, uids: [1, 3, 4]) == [3])
        #expect(try await store.expunge(mailboxID: inbox.id) == [2, 5])
        #expect(try await store.expunge(mailboxID: inbox.id) == [])
        #expect(try await store.snapshot(mailboxID: inbox.id).messages.map(\.uid) == [1, 4, 6])
        let blobFiles = try FileManager.default.subpathsOfDirectory(atPath: fixture.directory.path + "/blobs")
            .filter { $0.count > 3 && !$0.hasPrefix("tmp") }
        #expect(blobFiles.count == 3)
    }

    @Test("changes() yields to every stream after an append from another task; a cancelled consumer ends")
    func changes() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        let inbox = try #require(try await store.mailbox(user: "alice", named: "INBOX"))
        let stream = store.changes()
        let other = store.changes()
        let received = try await withThrowingTaskGroup(of: Int64?.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                _ = try await store.deliver(to: "alice", message: Self.message(1), internalDate: 0)
                return nil
            }
            var received: [Int64] = []
            for try await value in group { if let value { received.append(value) } }
            return received
        }
        #expect(received == [inbox.id])
        var iterator = other.makeAsyncIterator()
        #expect(await iterator.next() == inbox.id)
        // A cancelled consumer ends its stream.
        let consumer = Task {
            for await _ in store.changes() {}
            return true
        }
        consumer.cancel()
        #expect(await consumer.value)
    }

    @Test("open sweeps blobs no row references")
    func sweepOnOpen() async throws {
        var fixture = try MailStoreFixture()
        defer { fixture.remove() }
        try await fixture.store.prepareUser("alice")
        _ = try await fixture.store.append(user: "alice", mailbox: "INBOX", message: [1, 2], flags: MessageFlags(), internalDate: 0)
        let blobs = fixture.directory.path + "/blobs"
        let orphanID = String(repeating: "ab", count: 16)
        try FileManager.default.createDirectory(atPath: blobs + "/ab", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: blobs + "/ab/" + orphanID, contents: Data([9])))
        #expect(FileManager.default.createFile(atPath: blobs + "/tmp/" + orphanID, contents: Data([9])))
        try fixture.reopen()
        #expect(!FileManager.default.fileExists(atPath: blobs + "/ab/" + orphanID))
        #expect(!FileManager.default.fileExists(atPath: blobs + "/tmp/" + orphanID))
        let inbox = try #require(try await fixture.store.mailbox(user: "alice", named: "INBOX"))
        #expect(try await fixture.store.messageBytes(mailboxID: inbox.id, uid: 1) == [1, 2])
    }
}
