import Foundation
import MyceliumCore
import MyceliumCrypto
import Testing

@testable import MyceliumNode

@Suite("MessageStore (durable outbox, inbox and delivery keys)")
struct MessageStoreTests {
    // MARK: - Fixtures

    static let sourceA = IPv6Address("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e") ?? .unspecified
    static let sourceB = IPv6Address("4ff:1::1") ?? .unspecified
    static let local = IPv6Address("5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e") ?? .unspecified

    /// Runs `body` with a fresh directory under the system's temporary directory, removed afterwards.
    func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("MessageStoreTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    static func key(_ byte: UInt8) throws -> X25519.PublicKey {
        try X25519.PublicKey(rawBytes: [UInt8](repeating: byte, count: X25519.keyByteCount))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next() as UInt64
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }

    static func outgoing(
        _ id: UInt64,
        created: Int64 = 1_700_000_000,
        state: StoredMessageState = .pending,
        topic: [UInt8] = Array("chat".utf8),
        payload: [UInt8]? = Array("hello".utf8),
        isReply: Bool = false
    ) -> StoredOutgoingMessage {
        StoredOutgoingMessage(
            id: MessageID(rawValue: id), isReply: isReply, destination: Self.sourceB, topic: topic,
            payload: payload, length: UInt64(payload?.count ?? 0), created: created, deadline: created + 300,
            state: state
        )
    }

    static func incoming(
        _ id: UInt64,
        from source: IPv6Address = Self.sourceA,
        isReply: Bool = false,
        receivedAt: Int64 = 1_700_000_000,
        topic: [UInt8] = Array("chat".utf8),
        payload: [UInt8] = Array("hi there".utf8)
    ) throws -> StoredIncomingMessage {
        StoredIncomingMessage(
            sequence: 0,
            message: ReceivedMessage(
                id: MessageID(rawValue: id), source: source, sourceKey: try Self.key(0xA1), destination: Self.local,
                destinationKey: try Self.key(0xB2), topic: topic, payload: payload
            ),
            isReply: isReply,
            receivedAt: receivedAt
        )
    }

    /// `message` with the sequence the store assigned.
    static func sequenced(_ message: StoredIncomingMessage, _ result: MessageStoreWriteResult?) -> StoredIncomingMessage {
        var message = message
        if case .stored(let sequence) = result { message.sequence = sequence }
        return message
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    // MARK: - Outbox

    @Test("saved outgoing messages survive reopening, byte-identical, ordered by created then id")
    func outgoingSurvivesReopen() throws {
        try self.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("messages.sqlite").path
            let messages = [
                Self.outgoing(9, created: 1_700_000_100, payload: Self.randomBytes(3000)),
                Self.outgoing(7, created: 1_700_000_000, topic: [], payload: [], isReply: true),
                Self.outgoing(3, created: 1_700_000_100, topic: Self.randomBytes(255), payload: [0, 255, 0]),
                Self.outgoing(5, created: 1_700_000_050, state: .sending, payload: Self.randomBytes(1301)),
            ]
            do {
                let store = try MessageStore(path: path)
                let results = try store.apply(messages.map { .saveOutgoing($0) })
                #expect(results == Array(repeating: .done, count: messages.count))
            }
            let reopened = try MessageStore(path: path)
            let loaded = try reopened.loadOutbox()
            #expect(loaded == [messages[1], messages[3], messages[2], messages[0]])
            // Empty topic and payload stay empty (not NULL, not nil).
            #expect(loaded.first?.topic == [])
            #expect(loaded.first?.payload == [])
        }
    }

    @Test("saveOutgoing replaces by id")
    func saveOutgoingReplaces() throws {
        let store = try MessageStore.inMemory()
        _ = try store.apply([.saveOutgoing(Self.outgoing(1, payload: [1, 2, 3]))])
        let replacement = Self.outgoing(1, created: 1_800_000_000, payload: [4, 5])
        _ = try store.apply([.saveOutgoing(replacement)])
        #expect(try store.loadOutbox() == [replacement])
    }

    @Test("a final state drops the payload; other updates keep it; unknown ids are a no-op")
    func finalStateDropsPayload() throws {
        let store = try MessageStore.inMemory()
        let message = Self.outgoing(42, payload: Self.randomBytes(5000))
        _ = try store.apply([.saveOutgoing(message), .updateOutgoing(id: message.id, state: .sending)])
        var expected = message
        expected.state = .sending
        #expect(try store.loadOutbox() == [expected])

        let results = try store.apply([
            .updateOutgoing(id: message.id, state: .received),
            .updateOutgoing(id: MessageID(rawValue: 999), state: .aborted),
        ])
        #expect(results == [.done, .done])
        expected.state = .received
        expected.payload = nil
        #expect(try store.loadOutbox() == [expected])
        #expect(expected.length == 5000)  // the length is kept for the status API

        // Saving a message that is already final stores it without payload too.
        _ = try store.apply([.saveOutgoing(Self.outgoing(43, state: .aborted, payload: [1, 2, 3]))])
        #expect(try store.loadOutbox().last?.payload == nil)
        #expect(try store.loadOutbox().last?.state == .aborted)

        _ = try store.apply([.deleteOutgoing(id: message.id), .deleteOutgoing(id: MessageID(rawValue: 12345))])
        #expect(try store.loadOutbox().map(\.id) == [MessageID(rawValue: 43)])
    }

    @Test("pruneOutgoing deletes only final rows whose deadline has passed")
    func pruneOutgoing() throws {
        let store = try MessageStore.inMemory()
        _ = try store.apply([
            .saveOutgoing(Self.outgoing(1, created: 100, state: .read)),  // deadline 400
            .saveOutgoing(Self.outgoing(2, created: 100, state: .aborted)),  // deadline 400
            .saveOutgoing(Self.outgoing(3, created: 100, state: .pending)),  // deadline 400, not final
            .saveOutgoing(Self.outgoing(4, created: 200, state: .received)),  // deadline 500
            .saveOutgoing(Self.outgoing(5, created: 100, state: .sending)),  // deadline 400, not final
        ])
        _ = try store.apply([.pruneOutgoing(finishedBefore: 401)])
        #expect(try store.loadOutbox().map(\.id.rawValue) == [3, 5, 4])
        _ = try store.apply([.pruneOutgoing(finishedBefore: 500)])
        #expect(try store.loadOutbox().map(\.id.rawValue) == [3, 5, 4])
        _ = try store.apply([.pruneOutgoing(finishedBefore: 501)])
        #expect(try store.loadOutbox().map(\.id.rawValue) == [3, 5])
    }

    // MARK: - Inbox and delivery keys

    @Test("saved incoming messages survive reopening, in arrival order with increasing sequences")
    func incomingSurvivesReopen() throws {
        try self.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("messages.sqlite").path
            let first = try Self.incoming(0xFFFF_0000, receivedAt: 50, payload: Self.randomBytes(2000))
            let second = try Self.incoming(1, from: Self.sourceB, receivedAt: 10, topic: [], payload: [])
            let third = try Self.incoming(0xFFFF_0000, isReply: true, receivedAt: 30)
            var expected: [StoredIncomingMessage] = []
            do {
                let store = try MessageStore(path: path)
                let results = try store.apply([.saveIncoming(first), .saveIncoming(second)])
                let more = try store.apply([.saveIncoming(third)])
                expected = zip([first, second, third], results + more).map { Self.sequenced($0, $1) }
                let sequences = expected.map(\.sequence)
                #expect(sequences.count == 3)
                #expect(sequences == sequences.sorted() && Set(sequences).count == 3)
                #expect(sequences.allSatisfy { $0 > 0 })
            }
            let reopened = try MessageStore(path: path)
            #expect(try reopened.loadInbox() == expected)

            // Sequences are never reused, even after the newest message is removed.
            let last = try #require(expected.last)
            _ = try reopened.apply([.deleteIncoming(sequence: last.sequence)])
            let fourth = try Self.incoming(77)
            let result = try reopened.apply([.saveIncoming(fourth)])
            guard case .stored(let sequence) = result.first else {
                Issue.record("expected .stored, got \(result)")
                return
            }
            #expect(sequence > last.sequence)
            #expect(try reopened.loadInbox().map(\.sequence) == expected.dropLast().map(\.sequence) + [sequence])
        }
    }

    @Test("the same (source, id, reply flag) is a duplicate: in one batch, after delete, after reopening")
    func duplicates() throws {
        try self.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("messages.sqlite").path
            let message = try Self.incoming(0xDEAD_BEEF, payload: [1, 2, 3])
            let resent = try Self.incoming(0xDEAD_BEEF, receivedAt: 1_800_000_000, payload: [9, 9])
            do {
                let store = try MessageStore(path: path)
                let results = try store.apply([.saveIncoming(message), .saveIncoming(resent)])
                #expect(results.count == 2)
                guard case .stored(let sequence) = results.first else {
                    Issue.record("expected .stored, got \(results)")
                    return
                }
                #expect(results.last == .duplicate)
                #expect(try store.loadInbox() == [Self.sequenced(message, .stored(sequence: sequence))])

                #expect(try store.apply([.deleteIncoming(sequence: sequence)]) == [.done])
                #expect(try store.loadInbox() == [])
                #expect(try store.apply([.saveIncoming(resent)]) == [.duplicate])
                #expect(try store.loadInbox() == [])
            }
            let reopened = try MessageStore(path: path)
            #expect(try reopened.apply([.saveIncoming(message)]) == [.duplicate])
            #expect(try reopened.loadInbox() == [])
            #expect(
                try reopened.loadDeliveryKeys()
                    == [
                        MessageDeliveryKey(
                            source: Self.sourceA, id: MessageID(rawValue: 0xDEAD_BEEF), isReply: false,
                            recordedAt: 1_700_000_000)
                    ])
        }
    }

    @Test("the same id with another reply flag or from another source is not a duplicate")
    func notDuplicates() throws {
        let store = try MessageStore.inMemory()
        let results = try store.apply([
            .saveIncoming(try Self.incoming(5)),
            .saveIncoming(try Self.incoming(5, isReply: true)),
            .saveIncoming(try Self.incoming(5, from: Self.sourceB)),
            .saveIncoming(try Self.incoming(5, from: Self.sourceB, isReply: true)),
            .saveIncoming(try Self.incoming(6)),
        ])
        #expect(results.allSatisfy { if case .stored = $0 { true } else { false } })
        #expect(try store.loadInbox().count == 5)
        #expect(try store.loadDeliveryKeys().count == 5)
    }

    @Test("pruneDelivered forgets old keys (the message can then be stored again) but keeps keys of inbox messages")
    func pruneDelivered() throws {
        let store = try MessageStore.inMemory()
        let old = try Self.incoming(1, receivedAt: 100)
        let oldStillQueued = try Self.incoming(2, receivedAt: 100)
        let recent = try Self.incoming(3, receivedAt: 300)
        let results = try store.apply([.saveIncoming(old), .saveIncoming(oldStillQueued), .saveIncoming(recent)])
        guard case .stored(let oldSequence) = results.first, case .stored(let recentSequence) = results.last else {
            Issue.record("expected .stored, got \(results)")
            return
        }
        _ = try store.apply([.deleteIncoming(sequence: oldSequence), .deleteIncoming(sequence: recentSequence)])
        #expect(try store.apply([.pruneDelivered(before: 200)]) == [.done])
        #expect(try store.loadDeliveryKeys().map(\.id.rawValue) == [2, 3])

        // The forgotten key can be stored again; the kept ones are still duplicates.
        let again = try store.apply([
            .saveIncoming(old), .saveIncoming(oldStillQueued), .saveIncoming(recent),
        ])
        #expect(again.count == 3)
        if case .stored = again[0] {} else { Issue.record("forgotten key should store again, got \(again[0])") }
        #expect(again[1] == .duplicate)
        #expect(again[2] == .duplicate)
    }

    @Test("inboxUsage counts undelivered messages and their payload bytes")
    func inboxUsage() throws {
        let store = try MessageStore.inMemory()
        #expect(try store.inboxUsage() == (0, 0))
        let results = try store.apply([
            .saveIncoming(try Self.incoming(1, payload: Self.randomBytes(10))),
            .saveIncoming(try Self.incoming(2, payload: [])),
            .saveIncoming(try Self.incoming(3, payload: Self.randomBytes(1000))),
            .saveIncoming(try Self.incoming(3, payload: Self.randomBytes(500))),  // duplicate: not stored
        ])
        #expect(results.last == .duplicate)
        #expect(try store.inboxUsage() == (3, 1010))
        guard case .stored(let first) = results.first else {
            Issue.record("expected .stored, got \(results)")
            return
        }
        _ = try store.apply([.deleteIncoming(sequence: first), .deleteIncoming(sequence: 999_999)])
        #expect(try store.inboxUsage() == (2, 1000))
    }

    // MARK: - Atomicity and failures

    @Test("a batch whose later write is rejected rolls back the earlier ones")
    func failedBatchRollsBack() throws {
        let store = try MessageStore.inMemory()
        let kept = Self.outgoing(1)
        _ = try store.apply([.saveOutgoing(kept)])
        let incoming = try Self.incoming(2)
        let batch: [MessageStoreWrite] = [
            .saveOutgoing(Self.outgoing(10)),
            .saveIncoming(incoming),
            .updateOutgoing(id: kept.id, state: .aborted),
            .deleteOutgoing(id: kept.id),
            .saveOutgoing(Self.outgoing(11, topic: Self.randomBytes(256))),  // topics are at most 255 bytes
        ]
        do throws(MessageStoreError) {
            _ = try store.apply(batch)
            Issue.record("a 256-byte topic should be rejected")
        } catch {
            guard case .invalidWrite(let index, _) = error else {
                Issue.record("expected .invalidWrite, got \(error)")
                return
            }
            #expect(index == 4)
        }
        #expect(try store.loadOutbox() == [kept])
        #expect(try store.loadInbox() == [])
        #expect(try store.loadDeliveryKeys() == [])
        // The delivery key was rolled back with the rest: the message stores now.
        let retry = try store.apply(Array(batch.dropLast()))
        if case .stored = retry[1] {} else { Issue.record("expected .stored, got \(retry[1])") }
        #expect(try store.loadOutbox().map(\.id.rawValue) == [10])
    }

    @Test("an empty batch is a no-op")
    func emptyBatch() throws {
        let store = try MessageStore.inMemory()
        #expect(try store.apply([]) == [])
    }

    @Test("rows with values of the wrong shape throw .corrupt instead of trapping")
    func damagedRows() throws {
        let store = try MessageStore.inMemory()
        try store.executeForTesting(
            """
            PRAGMA ignore_check_constraints = ON;
            INSERT INTO outbox VALUES (x'0102', 0, x'00', x'', NULL, 0, 0, 0, 'bogus');
            INSERT INTO inbox (id, source, source_key, destination, destination_key, topic, payload, is_reply, received_at)
                VALUES (x'0000000000000001', x'00', x'00', x'00', x'00', x'', x'', 0, 0);
            INSERT INTO delivered VALUES (x'00', 'text', 7, 'never');
            PRAGMA ignore_check_constraints = OFF;
            """)
        Self.expectCorrupt("outbox") { () throws(MessageStoreError) in _ = try store.loadOutbox() }
        Self.expectCorrupt("inbox") { () throws(MessageStoreError) in _ = try store.loadInbox() }
        Self.expectCorrupt("delivery keys") { () throws(MessageStoreError) in _ = try store.loadDeliveryKeys() }
    }

    static func expectCorrupt(_ what: String, _ body: () throws(MessageStoreError) -> Void) {
        do throws(MessageStoreError) {
            try body()
            Issue.record("\(what): a damaged row should not load")
        } catch {
            guard case .corrupt = error else {
                Issue.record("\(what): expected .corrupt, got \(error)")
                return
            }
        }
    }

    // MARK: - Files

    @Test("missing directories are created 0700, the file (and its WAL) 0600; WAL, synchronous=FULL, no foreign keys")
    func filePermissionsAndSettings() throws {
        try self.withTemporaryDirectory { directory in
            let state = directory.appendingPathComponent("state")
            let parent = state.appendingPathComponent("bus")
            let path = parent.appendingPathComponent("messages.sqlite").path
            let store = try MessageStore(path: path)
            _ = try store.apply([.saveOutgoing(Self.outgoing(1))])
            #expect(try Self.mode(state.path) == 0o700)
            #expect(try Self.mode(parent.path) == 0o700)
            #expect(try Self.mode(path) == 0o600)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(try Self.mode(path + "-wal") == 0o600)
            #expect(try Self.mode(path + "-shm") == 0o600)
            let settings = try store.settings()
            #expect(settings.journalMode == "wal")
            #expect(settings.synchronous == 2)  // FULL
            #expect(settings.foreignKeys == 0)
            #expect(store.path == path)
        }
    }

    @Test("an existing world-readable file is restricted to 0600; an existing directory is left alone")
    func existingFileIsRestricted() throws {
        try self.withTemporaryDirectory { directory in
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
            let path = directory.appendingPathComponent("messages.sqlite").path
            #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
            #expect(try Self.mode(path) == 0o644)
            let store = try MessageStore(path: path)
            #expect(try store.loadOutbox() == [])
            #expect(try Self.mode(path) == 0o600)
            #expect(try Self.mode(directory.path) == 0o755)
        }
    }

    @Test("a file that is not an SQLite database throws .corrupt and is left untouched")
    func garbageFile() throws {
        try self.withTemporaryDirectory { directory in
            for (name, contents) in [("random", Self.randomBytes(8192)), ("text", Array("hello, not a database\n".utf8))] {
                let path = directory.appendingPathComponent("\(name).sqlite").path
                #expect(FileManager.default.createFile(atPath: path, contents: Data(contents)))
                do throws(MessageStoreError) {
                    _ = try MessageStore(path: path)
                    Issue.record("\(name): opening garbage should fail")
                } catch {
                    guard case .corrupt = error else {
                        Issue.record("\(name): expected .corrupt, got \(error)")
                        continue
                    }
                }
                let after = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(after == Data(contents))
            }
        }
    }

    @Test("a database with a newer schema version throws .unsupportedSchema")
    func newerSchema() throws {
        try self.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("messages.sqlite").path
            do {
                let store = try MessageStore(path: path)
                try store.executeForTesting("INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
            }
            #expect(throws: MessageStoreError.unsupportedSchema(unknownVersions: ["v99"])) {
                _ = try MessageStore(path: path)
            }
        }
    }

    @Test("a path whose parent is a file throws .cannotOpen")
    func parentIsAFile() throws {
        try self.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("plain")
            #expect(FileManager.default.createFile(atPath: file.path, contents: Data([1])))
            do throws(MessageStoreError) {
                _ = try MessageStore(path: file.appendingPathComponent("messages.sqlite").path)
                Issue.record("opening below a file should fail")
            } catch {
                guard case .cannotOpen = error else {
                    Issue.record("expected .cannotOpen, got \(error)")
                    return
                }
            }
        }
    }

    // MARK: - Values

    @Test("a 10 MiB payload round-trips through the outbox and the inbox on disk")
    func largePayload() throws {
        try self.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("messages.sqlite").path
            let payload = Self.randomBytes(10 << 20)
            let outgoing = Self.outgoing(1, payload: payload)
            var incoming = try Self.incoming(2, payload: payload)
            do {
                let store = try MessageStore(path: path)
                let results = try store.apply([.saveOutgoing(outgoing), .saveIncoming(incoming)])
                incoming = Self.sequenced(incoming, results.last)
            }
            let reopened = try MessageStore(path: path)
            #expect(try reopened.loadOutbox() == [outgoing])
            #expect(try reopened.loadInbox() == [incoming])
            #expect(try reopened.inboxUsage() == (1, 10 << 20))
        }
    }

    @Test("edge ids (0, 2^63 - 1, 2^63, 2^64 - 1) and lengths round-trip; ids order as unsigned numbers")
    func edgeIDs() throws {
        let store = try MessageStore.inMemory()
        let ids: [UInt64] = [UInt64.max, 1 << 63, 0, (1 << 63) - 1]
        let outgoing = ids.map { id in
            var message = Self.outgoing(id, payload: nil)
            message.state = .sending
            message.length = id
            return message
        }
        let incoming = try ids.map { try Self.incoming($0) }
        let results = try store.apply(outgoing.map { .saveOutgoing($0) } + incoming.map { .saveIncoming($0) })
        #expect(try store.loadOutbox() == outgoing.sorted { $0.id.rawValue < $1.id.rawValue })
        #expect(try store.loadInbox() == zip(incoming, results.suffix(4)).map { Self.sequenced($0, $1) })
        #expect(Set(try store.loadDeliveryKeys().map(\.id.rawValue)) == Set(ids))
        #expect(try store.apply(incoming.map { .saveIncoming($0) }) == Array(repeating: .duplicate, count: 4))
        for id in ids {
            #expect(try store.apply([.updateOutgoing(id: MessageID(rawValue: id), state: .read)]) == [.done])
        }
        #expect(try store.loadOutbox().allSatisfy { $0.state == .read })
    }

    @Test("StoredMessageState.isFinal")
    func finalStates() {
        #expect(StoredMessageState.allCases.filter(\.isFinal) == [.received, .read, .aborted])
    }

    // MARK: - Timing (informational)

    @Test("timing: 1,000 single-message transactions vs one 1,000-message batch, on disk")
    func timing() throws {
        try self.withTemporaryDirectory { directory in
            let messages = try (0..<1000).map { try Self.incoming(UInt64($0), payload: Self.randomBytes(1024)) }
            let clock = ContinuousClock()

            let singles = try MessageStore(path: directory.appendingPathComponent("singles.sqlite").path)
            let singlesTime = try clock.measure {
                for message in messages {
                    _ = try singles.apply([.saveIncoming(message)])
                }
            }
            let batched = try MessageStore(path: directory.appendingPathComponent("batch.sqlite").path)
            let batchTime = try clock.measure {
                _ = try batched.apply(messages.map { .saveIncoming($0) })
            }
            #expect(try singles.inboxUsage().count == 1000)
            #expect(try batched.inboxUsage().count == 1000)

            func milliseconds(_ duration: Duration) -> String {
                let (seconds, attoseconds) = duration.components
                return String(format: "%.1f ms", Double(seconds) * 1e3 + Double(attoseconds) / 1e15)
            }
            print(
                "store: 1000 single-message transactions (1 KiB payloads, synchronous=FULL) took "
                    + "\(milliseconds(singlesTime)); one 1000-message batch took \(milliseconds(batchTime))"
            )
        }
    }
}
