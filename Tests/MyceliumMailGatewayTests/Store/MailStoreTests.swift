import Foundation
import MyceliumMailGateway
import Testing

/// A store in a fresh directory for one test.
struct MailStoreFixture {
    let directory: StoreTestDirectory
    var store: MailStore

    init(maximumMessageSize: Int = 50 << 20) throws {
        self.directory = try StoreTestDirectory("MailStore")
        self.store = try MailStore(directory: self.directory.path, maximumMessageSize: maximumMessageSize)
    }

    /// Opens the same directory again (after the old store is dropped).
    mutating func reopen() throws {
        self.store = try MailStore(directory: self.directory.path)
    }

    func remove() { self.directory.remove() }
}

/// Expects `body` to throw exactly `expected`.
func expectMailError(
    _ expected: MailStoreError, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected \(expected), nothing thrown", sourceLocation: sourceLocation)
    } catch {
        #expect(error as? MailStoreError == expected, sourceLocation: sourceLocation)
    }
}

@Suite("MailStore mailboxes")
struct MailStoreMailboxTests {
    @Test("prepareUser creates INBOX and the special-use mailboxes, subscribed, once")
    func defaultMailboxes() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        let mailboxes = try await store.mailboxes(user: "alice")
        #expect(Set(mailboxes.map(\.name)) == Set(["INBOX"] + SpecialUse.allCases.map(\.defaultMailboxName)))
        #expect(mailboxes.map(\.name) == mailboxes.map(\.name).sorted())
        #expect(mailboxes.allSatisfy { $0.isSubscribed })
        #expect(mailboxes.allSatisfy { $0.uidNext == 1 && $0.uidValidity > 0 })
        for use in SpecialUse.allCases {
            #expect(mailboxes.first { $0.name == use.defaultMailboxName }?.specialUse == use)
        }
        #expect(mailboxes.first { $0.name == "INBOX" }?.specialUse == nil)
        // Deleting Junk and preparing again does not bring it back; other users are separate.
        try await store.deleteMailbox(user: "alice", name: "Junk")
        try await store.prepareUser("alice")
        #expect(try await store.mailboxes(user: "alice").count == 5)
        #expect(try await store.mailboxes(user: "bob").isEmpty)
        // UIDVALIDITY values are all different.
        #expect(Set(mailboxes.map(\.uidValidity)).count == mailboxes.count)
    }

    @Test("INBOX is case-insensitive and stored as INBOX; it cannot be deleted or created twice")
    func inbox() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        #expect(try await store.mailbox(user: "alice", named: "inbox")?.name == "INBOX")
        #expect(try await store.mailbox(user: "alice", named: "InBoX")?.name == "INBOX")
        #expect(try await store.mailbox(user: "alice", named: "sent") == nil)
        await expectMailError(.mailboxExists("INBOX")) { _ = try await store.createMailbox(user: "alice", name: "inbox") }
        await expectMailError(.notPermitted("INBOX cannot be deleted")) {
            try await store.deleteMailbox(user: "alice", name: "Inbox")
        }
    }

    @Test("invalid names are refused", arguments: [
        "", "../x", "a/../b", "./a", "a/.", "/a", "a/", "a//b", "a*", "b%", "tab\there", "nul\u{0}", "del\u{7f}",
        "c1\u{85}", String(repeating: "x", count: 256), String(repeating: "é", count: 128),
    ])
    func invalidNames(name: String) async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        await expectMailError(.invalidMailboxName(name)) { _ = try await store.createMailbox(user: "alice", name: name) }
        await expectMailError(.invalidMailboxName(name)) {
            try await store.renameMailbox(user: "alice", from: "INBOX", to: name)
        }
    }

    @Test("valid unusual names are accepted")
    func validNames() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        for name in ["a.b", "..a", "Entw&APw-rfe", "Ünïcödé", "with space", String(repeating: "x", count: 255), "a/b/c"] {
            let mailbox = try await store.createMailbox(user: "alice", name: name)
            #expect(mailbox.name == name)
            #expect(!mailbox.isSubscribed)
        }
        await expectMailError(.mailboxExists("a.b")) { _ = try await store.createMailbox(user: "alice", name: "a.b") }
    }

    @Test("UIDVALIDITY changes after delete and create of the same name")
    func uidValidityAfterRecreate() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let first = try await store.createMailbox(user: "alice", name: "Work")
        try await store.deleteMailbox(user: "alice", name: "Work")
        let second = try await store.createMailbox(user: "alice", name: "Work")
        #expect(second.uidValidity > first.uidValidity)
        #expect(second.id != first.id)
        await expectMailError(.noSuchMailbox("Nope")) { try await store.deleteMailbox(user: "alice", name: "Nope") }
    }

    @Test("delete removes the messages and their blobs; inferiors stay")
    func deleteWithMessages() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let parent = try await store.createMailbox(user: "alice", name: "A")
        _ = try await store.createMailbox(user: "alice", name: "A/B")
        _ = try await store.append(user: "alice", mailbox: "A", message: Array("hello".utf8), flags: MessageFlags(), internalDate: 1)
        try await store.deleteMailbox(user: "alice", name: "A")
        #expect(try await store.mailboxes(user: "alice").map(\.name) == ["A/B"])
        await expectMailError(.noSuchMailbox("#\(parent.id)")) { _ = try await store.snapshot(mailboxID: parent.id) }
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: fixture.directory.path + "/blobs")
            .filter { $0.count > 3 && !$0.hasPrefix("tmp") }
        #expect(blobs.isEmpty)
    }

    @Test("rename moves inferiors, keeps ids and UIDVALIDITY, and refuses collisions")
    func renameWithInferiors() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let a = try await store.createMailbox(user: "alice", name: "A")
        let ab = try await store.createMailbox(user: "alice", name: "A/B")
        let abc = try await store.createMailbox(user: "alice", name: "A/B/C")
        let other = try await store.createMailbox(user: "alice", name: "AB")
        try await store.setSubscribed(user: "alice", name: "A/B", true)
        try await store.renameMailbox(user: "alice", from: "A", to: "Z/Y")
        let byName = Dictionary(uniqueKeysWithValues: try await store.mailboxes(user: "alice").map { ($0.name, $0) })
        #expect(Set(byName.keys) == ["Z/Y", "Z/Y/B", "Z/Y/B/C", "AB"])
        #expect(byName["Z/Y"]?.id == a.id && byName["Z/Y"]?.uidValidity == a.uidValidity)
        #expect(byName["Z/Y/B"]?.id == ab.id && byName["Z/Y/B"]?.isSubscribed == true)
        #expect(byName["Z/Y/B/C"]?.id == abc.id)
        #expect(byName["AB"]?.id == other.id)
        await expectMailError(.mailboxExists("AB")) { try await store.renameMailbox(user: "alice", from: "Z/Y", to: "AB") }
        _ = try await store.createMailbox(user: "alice", name: "Q/B")
        await expectMailError(.mailboxExists("Q/B")) { try await store.renameMailbox(user: "alice", from: "Z/Y", to: "Q") }
        await expectMailError(.noSuchMailbox("Nope")) { try await store.renameMailbox(user: "alice", from: "Nope", to: "X") }
        await expectMailError(.notPermitted("cannot rename a mailbox into its own hierarchy")) {
            try await store.renameMailbox(user: "alice", from: "Z/Y", to: "Z/Y/B/D")
        }
        // Renaming a parent onto a name inside its own subtree's old names works without constraint clashes.
        _ = try await store.createMailbox(user: "alice", name: "M/M")
        _ = try await store.createMailbox(user: "alice", name: "M/M/M")
        try await store.renameMailbox(user: "alice", from: "M/M", to: "M2")
        #expect(try await store.mailbox(user: "alice", named: "M2/M") != nil)
        _ = try await store.createMailbox(user: "alice", name: "N/B")
        let nbb = try await store.createMailbox(user: "alice", name: "N/B/B")
        try await store.renameMailbox(user: "alice", from: "N/B", to: "N")
        #expect(try await store.mailbox(user: "alice", named: "N/B")?.id == nbb.id)
    }

    @Test("renaming INBOX moves its messages to the new mailbox and INBOX stays, empty")
    func renameInbox() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.prepareUser("alice")
        for index in 0..<3 {
            _ = try await store.append(
                user: "alice", mailbox: "INBOX", message: Array("m\(index)".utf8), flags: MessageFlags(["\\Seen"]),
                internalDate: Int64(index))
        }
        let inboxBefore = try await store.mailbox(user: "alice", named: "INBOX")
        try await store.renameMailbox(user: "alice", from: "inbox", to: "Old")
        let inbox = try #require(try await store.mailbox(user: "alice", named: "INBOX"))
        let old = try #require(try await store.mailbox(user: "alice", named: "Old"))
        #expect(inbox.id == inboxBefore?.id)
        #expect(inbox.uidNext == 4)  // UIDs are never reused
        #expect(try await store.snapshot(mailboxID: inbox.id).messages.isEmpty)
        let moved = try await store.snapshot(mailboxID: old.id).messages
        #expect(moved.map(\.uid) == [1, 2, 3])
        #expect(moved.map(\.internalDate) == [0, 1, 2])
        #expect(moved.allSatisfy { $0.flags.contains("\\Seen") })
        #expect(try await store.messageBytes(mailboxID: old.id, uid: 3) == Array("m2".utf8))
        #expect(old.uidValidity != inbox.uidValidity)
    }

    @Test("subscriptions")
    func subscriptions() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        _ = try await store.createMailbox(user: "alice", name: "Lists")
        try await store.setSubscribed(user: "alice", name: "Lists", true)
        #expect(try await store.mailbox(user: "alice", named: "Lists")?.isSubscribed == true)
        try await store.setSubscribed(user: "alice", name: "Lists", false)
        #expect(try await store.mailbox(user: "alice", named: "Lists")?.isSubscribed == false)
        await expectMailError(.noSuchMailbox("Nope")) { try await store.setSubscribed(user: "alice", name: "Nope", true) }
    }

    @Test("reopening keeps mailboxes, messages, flags and UID counters")
    func reopen() async throws {
        var fixture = try MailStoreFixture()
        defer { fixture.remove() }
        try await fixture.store.prepareUser("alice")
        _ = try await fixture.store.createMailbox(user: "alice", name: "Work/2024", specialUse: .archive)
        let first = try await fixture.store.append(
            user: "alice", mailbox: "Work/2024", message: Array("one".utf8), flags: MessageFlags(["$Label1"]),
            internalDate: 1_700_000_000)
        let second = try await fixture.store.append(
            user: "alice", mailbox: "Work/2024", message: Array("two".utf8), flags: MessageFlags(), internalDate: 1_700_000_001)
        let mailboxBefore = try #require(try await fixture.store.mailbox(user: "alice", named: "Work/2024"))
        _ = try await fixture.store.updateFlags(mailboxID: mailboxBefore.id, uids: [second.uid], .add(MessageFlags(["\\Deleted"])))
        _ = try await fixture.store.expunge(mailboxID: mailboxBefore.id)
        try fixture.reopen()
        let store = fixture.store
        let mailbox = try #require(try await store.mailbox(user: "alice", named: "Work/2024"))
        #expect(mailbox == mailboxBefore)
        #expect(mailbox.specialUse == .archive)
        let snapshot = try await store.snapshot(mailboxID: mailbox.id)
        #expect(snapshot.messages.map(\.uid) == [first.uid])
        #expect(snapshot.messages.first?.flags == MessageFlags(["$Label1"]))
        #expect(snapshot.messages.first?.internalDate == 1_700_000_000)
        #expect(try await store.messageBytes(mailboxID: mailbox.id, uid: first.uid) == Array("one".utf8))
        let third = try await store.append(
            user: "alice", mailbox: "Work/2024", message: Array("three".utf8), flags: MessageFlags(), internalDate: 3)
        #expect(third.uid == 3)
        #expect(third.uidValidity == first.uidValidity)
        #expect(try await store.mailboxes(user: "alice").count == 7)
    }

    @Test("the database and the blob directory are private")
    func directoryModes() async throws {
        let fixture = try MailStoreFixture()
        defer { fixture.remove() }
        _ = fixture.store
        #expect(StoreTestDirectory.mode(of: fixture.directory.path + "/mail.sqlite") == 0o600)
        #expect(StoreTestDirectory.mode(of: fixture.directory.path + "/blobs") == 0o700)
    }
}
