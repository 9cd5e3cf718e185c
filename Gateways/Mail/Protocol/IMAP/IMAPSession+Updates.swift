extension IMAPSession {
    /// RFC 3501 §7.4.1 / §5.5: EXPUNGE must not be sent during FETCH, STORE or SEARCH (the sequence-number forms),
    /// so changes are folded in after every other command.
    mutating func reportChangesIfAllowed(after kind: IMAPCommand.Kind, writer: inout IMAPResponseWriter) async throws {
        switch kind {
        case .fetch(_, _, uid: false), .store(_, _, uid: false), .search(_, uid: false):
            return
        default:
            try await self.reportChanges(writer: &writer)
        }
    }

    /// The driver saw a change notification for these mailboxes; during IDLE the changes are sent at once.
    public mutating func mailboxesChanged(_ ids: Set<Int64>, writer: inout IMAPResponseWriter) async throws {
        guard let selectedID = self.selectedMailboxID, ids.contains(selectedID) else { return }
        self.markSelectedForRefresh()
        if self.isIdling {
            try await self.reportChanges(writer: &writer)
        }
    }

    /// Compares the view with a fresh snapshot and writes `* n EXPUNGE` (highest first, so each number is right
    /// when it is read), `* n FETCH (UID u FLAGS (…))` for flag changes and `* n EXISTS` for new messages.
    mutating func reportChanges(writer: inout IMAPResponseWriter) async throws {
        guard case .selected(let user, var selected) = self.state, selected.needsRefresh else { return }
        selected.needsRefresh = false
        let store = self.store
        let mailboxID = selected.mailbox.id
        // Unchanged since the view was taken (NOOP's poll, mostly): no need to read every message again.
        let counter = await Self.result({ () async throws(MailStoreError) in
            try await store.modificationSequence(mailboxID: mailboxID)
        })
        if case .success(selected.modificationSequence) = counter {
            self.state = .selected(user: user, selected)
            return
        }
        let snapshot: MailboxSnapshot
        switch await Self.result({ () async throws(MailStoreError) in try await store.snapshot(mailboxID: mailboxID) })
        {
        case .success(let value): snapshot = value
        case .failure(.noSuchMailbox):
            // Deleted under us: everything is gone.
            snapshot = MailboxSnapshot(
                mailbox: selected.mailbox,
                messages: [],
                modificationSequence: selected.modificationSequence + 1
            )
        case .failure(let error): throw error
        }
        guard
            snapshot.modificationSequence != selected.modificationSequence
                || snapshot.messages.count != selected.messages.count
        else {
            self.state = .selected(user: user, selected)
            return
        }
        let old = selected.messages
        let new = snapshot.messages
        // Expunged: in the view but not in the snapshot.
        var newIndex = 0
        var survivors: [StoredMessage] = []
        var expungedIndices: [Int] = []
        survivors.reserveCapacity(old.count)
        for (index, message) in old.enumerated() {
            while newIndex < new.count, new[newIndex].uid < message.uid { newIndex += 1 }
            if newIndex < new.count, new[newIndex].uid == message.uid {
                survivors.append(new[newIndex])
            } else {
                expungedIndices.append(index)
            }
        }
        for index in expungedIndices.reversed() {
            writer.untagged("\(index + 1) EXPUNGE")
        }
        var oldSurvivorIndex = 0
        for (index, message) in survivors.enumerated() {
            while oldSurvivorIndex < old.count, old[oldSurvivorIndex].uid != message.uid { oldSurvivorIndex += 1 }
            if oldSurvivorIndex < old.count, old[oldSurvivorIndex].flags != message.flags {
                writer.buffer.writeString("* \(index + 1) FETCH (UID \(message.uid) FLAGS ")
                writer.buffer.writeIMAPFlags(message.flags)
                writer.buffer.writeString(")\r\n")
            }
        }
        // Messages added since: every UID above the view's last one (UIDs only grow).
        let lastKnown = old.last?.uid ?? 0
        let added = new.filter { $0.uid > lastKnown }
        var messages = survivors
        messages.append(contentsOf: added)
        if !added.isEmpty || messages.count != old.count - expungedIndices.count {
            writer.untagged("\(messages.count) EXISTS")
        }
        selected.messages = messages
        selected.mailbox = snapshot.mailbox
        selected.modificationSequence = snapshot.modificationSequence
        self.state = .selected(user: user, selected)
        try await writer.flushIfNeeded()
    }

    /// RFC 2177 IDLE: pending changes, then `+ idling`; changes are pushed until `DONE`.
    mutating func startIdle(tag: String, writer: inout IMAPResponseWriter) async throws -> Outcome {
        try self.requireAuthenticated()
        self.markSelectedForRefresh()
        try await self.reportChanges(writer: &writer)
        writer.continuation("idling")
        self.pending = .idle(tag: tag)
        return .handled(.line)
    }

    /// Removes the messages with `uids` from the view, writing `* n EXPUNGE` highest first.
    mutating func removeFromView(uids: [UInt32], writer: inout IMAPResponseWriter) {
        guard case .selected(let user, var selected) = self.state else { return }
        let gone = Set(uids)
        for index in selected.messages.indices.reversed() where gone.contains(selected.messages[index].uid) {
            writer.untagged("\(index + 1) EXPUNGE")
        }
        selected.messages.removeAll { gone.contains($0.uid) }
        self.state = .selected(user: user, selected)
    }

    /// RFC 3501 §6.4.3 EXPUNGE and RFC 4315 §2.1 UID EXPUNGE.
    mutating func expunge(uids set: IMAPSequenceSet?, writer: inout IMAPResponseWriter) async throws -> Outcome {
        let (_, selected) = try self.requireSelected()
        guard !selected.readOnly else { return .no(code: "READ-ONLY", "Mailbox is read-only") }
        var uids: [UInt32]?
        if let set {
            guard let indices = selected.indices(of: set, uid: true) else { return .bad("Invalid message set") }
            uids = indices.map { selected.messages[$0].uid }
            if uids?.isEmpty == true { return .ok(code: nil, "UID EXPUNGE completed") }
        }
        let removed = try await self.store.expunge(mailboxID: selected.mailbox.id, uids: uids)
        self.removeFromView(uids: removed, writer: &writer)
        return .ok(code: nil, set == nil ? "EXPUNGE completed" : "UID EXPUNGE completed")
    }

    /// RFC 3501 §6.4.6 STORE.
    mutating func storeFlags(
        _ set: IMAPSequenceSet,
        _ action: IMAPStoreAction,
        uid: Bool,
        writer: inout IMAPResponseWriter
    )
        async throws -> Outcome
    {
        let (user, current) = try self.requireSelected()
        var selected = current
        guard !selected.readOnly else { return .no(code: "READ-ONLY", "Mailbox is read-only") }
        guard let indices = selected.indices(of: set, uid: uid) else { return .bad("Invalid message sequence number") }
        if indices.isEmpty { return .ok(code: nil, "STORE completed") }
        if action.flags.contains(where: { $0.lowercased() == "\\recent" || $0 == "\\*" }) {
            return .bad("Cannot store \\Recent")
        }
        let uids = indices.map { selected.messages[$0].uid }
        let updated = try await self.store.updateFlags(mailboxID: selected.mailbox.id, uids: uids, action.operation)
        for message in updated {
            guard let index = selected.index(ofUID: message.uid) else { continue }
            selected.messages[index].flags = message.flags
            if !action.silent {
                writer.buffer.writeString("* \(index + 1) FETCH (")
                if uid { writer.buffer.writeString("UID \(message.uid) ") }
                writer.buffer.writeString("FLAGS ")
                writer.buffer.writeIMAPFlags(message.flags)
                writer.buffer.writeString(")\r\n")
            }
        }
        self.state = .selected(user: user, selected)
        try await writer.flushIfNeeded()
        return .ok(code: nil, "STORE completed")
    }

    /// RFC 3501 §6.4.7 COPY and RFC 6851 MOVE, with RFC 4315 COPYUID.
    mutating func copy(
        _ set: IMAPSequenceSet,
        to destination: String,
        uid: Bool,
        move: Bool,
        writer: inout IMAPResponseWriter
    ) async throws -> Outcome {
        let (user, selected) = try self.requireSelected()
        try Self.checkName(destination)
        if move, selected.readOnly { return .no(code: "READ-ONLY", "Mailbox is read-only") }
        guard let indices = selected.indices(of: set, uid: uid) else { return .bad("Invalid message sequence number") }
        let name = move ? "MOVE" : "COPY"
        if indices.isEmpty { return .ok(code: nil, "\(name) completed") }
        let uids = indices.map { selected.messages[$0].uid }
        let store = self.store
        let mailboxID = selected.mailbox.id
        let outcome = await Self.result { () async throws(MailStoreError) in
            move
                ? try await store.move(mailboxID: mailboxID, uids: uids, to: destination, user: user)
                : try await store.copy(mailboxID: mailboxID, uids: uids, to: destination, user: user)
        }
        let result: CopyResult
        switch outcome {
        case .success(let value): result = value
        case .failure(.noSuchMailbox): return .no(code: "TRYCREATE", "Mailbox doesn't exist")
        case .failure(let error): throw error
        }
        let copyUID =
            result.sourceUIDs.isEmpty
            ? nil
            : "COPYUID \(result.uidValidity) \(IMAPSequenceSet.compactDescription(of: result.sourceUIDs)) "
                + IMAPSequenceSet.compactDescription(of: result.destinationUIDs)
        if IMAPParser.normalizedMailbox(destination) == selected.mailbox.name { self.markSelectedForRefresh() }
        guard move else { return .ok(code: copyUID, "COPY completed") }
        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
        if let copyUID { writer.untagged("OK [\(copyUID)] Moved UIDs") }
        self.removeFromView(uids: result.sourceUIDs, writer: &writer)
        return .ok(code: nil, "MOVE completed")
    }
}
