import NIOCore

extension IMAPSession {
    /// RFC 3501 §6.3.1 SELECT / §6.3.2 EXAMINE.
    mutating func select(_ name: String, readOnly: Bool, writer: inout IMAPResponseWriter) async throws -> Outcome {
        let user = try self.requireAuthenticated()
        // A SELECT, even a failing one, deselects the current mailbox.
        self.state = .authenticated(user: user)
        try Self.checkName(name)
        guard let mailbox = try await self.store.mailbox(user: user, named: name) else {
            throw MailStoreError.noSuchMailbox(name)
        }
        let snapshot = try await self.store.snapshot(mailboxID: mailbox.id)
        var keywords = Set<String>()
        var firstUnseen: Int?
        for (index, message) in snapshot.messages.enumerated() {
            for flag in message.flags.flags where !flag.hasPrefix("\\") { keywords.insert(flag) }
            if firstUnseen == nil, !message.flags.contains(MessageFlags.seen) { firstUnseen = index + 1 }
        }
        let flags = (MessageFlags.systemFlags + keywords.sorted()).joined(separator: " ")
        writer.untagged("FLAGS (\(flags))")
        if readOnly {
            writer.untagged("OK [PERMANENTFLAGS ()] Read-only mailbox")
        } else {
            writer.untagged("OK [PERMANENTFLAGS (\(flags) \\*)] Flags permitted")
        }
        writer.untagged("\(snapshot.messages.count) EXISTS")
        writer.untagged("0 RECENT")
        if let firstUnseen { writer.untagged("OK [UNSEEN \(firstUnseen)] First unseen") }
        writer.untagged("OK [UIDVALIDITY \(snapshot.mailbox.uidValidity)] UIDs valid")
        writer.untagged("OK [UIDNEXT \(snapshot.mailbox.uidNext)] Predicted next UID")
        self.state = .selected(user: user, IMAPSelectedMailbox(snapshot: snapshot, readOnly: readOnly))
        return .ok(
            code: readOnly ? "READ-ONLY" : "READ-WRITE",
            readOnly ? "EXAMINE completed" : "SELECT completed"
        )
    }

    /// RFC 3501 §6.3.10 STATUS.
    mutating func status(_ name: String, items: [IMAPStatusItem], writer: inout IMAPResponseWriter) async throws
        -> Outcome
    {
        let user = try self.requireAuthenticated()
        try Self.checkName(name)
        guard let mailbox = try await self.store.mailbox(user: user, named: name) else {
            throw MailStoreError.noSuchMailbox(name)
        }
        let status = try await self.store.status(mailboxID: mailbox.id)
        Self.writeStatus(mailbox.name, status, items: items, into: &writer.buffer)
        return .ok(code: nil, "STATUS completed")
    }

    static func writeStatus(
        _ name: String,
        _ status: MailboxStatus,
        items: [IMAPStatusItem],
        into buffer: inout ByteBuffer
    ) {
        buffer.writeString("* STATUS ")
        buffer.writeIMAPAString(name)
        buffer.writeString(" (")
        var seen = Set<IMAPStatusItem>()
        var first = true
        for item in items where seen.insert(item).inserted {
            if !first { buffer.writeString(" ") }
            first = false
            let value: String =
                switch item {
                case .messages: String(status.messages)
                case .recent: String(status.recent)
                case .uidNext: String(status.uidNext)
                case .uidValidity: String(status.uidValidity)
                case .unseen: String(status.unseen)
                case .size: String(status.size)
                }
            buffer.writeString("\(item.rawValue) \(value)")
        }
        buffer.writeString(")\r\n")
    }

    /// RFC 3501 §6.3.11 APPEND with RFC 4315 APPENDUID.
    mutating func append(_ name: String, flags: [String], date: Int64, message: [UInt8]) async throws -> Outcome {
        let user = try self.requireAuthenticated()
        try Self.checkName(name)
        let outcome = await Self.result { () async throws(MailStoreError) in
            try await self.store.append(
                user: user,
                mailbox: name,
                message: message,
                flags: MessageFlags(flags),
                internalDate: date
            )
        }
        let result: AppendResult
        switch outcome {
        case .success(let value): result = value
        case .failure(.noSuchMailbox):
            // RFC 3501 §6.3.11: the client may create the mailbox and retry.
            return .no(code: "TRYCREATE", "Mailbox doesn't exist")
        case .failure(let error): throw error
        }
        if case .selected(_, let selected) = self.state, selected.mailbox.name == IMAPParser.normalizedMailbox(name) {
            self.markSelectedForRefresh()
        }
        return .ok(code: "APPENDUID \(result.uidValidity) \(result.uid)", "APPEND completed")
    }

    /// Runs `body`, capturing its error.
    static func result<T>(_ body: () async throws(MailStoreError) -> T) async -> Result<T, MailStoreError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    /// RFC 3501 §6.3.8 LIST with RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 5819 LIST-STATUS.
    mutating func list(_ command: IMAPListCommand, writer: inout IMAPResponseWriter) async throws -> Outcome {
        let user = try self.requireAuthenticated()
        if command.patterns == [""] {
            // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root name.
            writer.untagged("LIST (\\Noselect) \"/\" \"\"")
            return .ok(code: nil, "LIST completed")
        }
        let mailboxes = try await self.store.mailboxes(user: user)
        let patterns = command.patterns.map { IMAPMailboxPattern(reference: command.reference, pattern: $0) }
        let tree = IMAPMailboxTree(mailboxes)
        for entry in tree.entries {
            guard patterns.contains(where: { $0.matches(entry.name) }) else { continue }
            if command.selectSubscribed, !(entry.mailbox?.isSubscribed ?? false) { continue }
            var attributes: [String] = []
            if entry.mailbox == nil { attributes.append(command.selectSubscribed ? "\\NonExistent" : "\\Noselect") }
            attributes.append(entry.hasChildren ? "\\HasChildren" : "\\HasNoChildren")
            if command.returnSubscribed || command.selectSubscribed, entry.mailbox?.isSubscribed == true {
                attributes.append("\\Subscribed")
            }
            if let use = entry.mailbox?.specialUse { attributes.append(use.rawValue) }
            writer.buffer.writeString("* LIST (\(attributes.joined(separator: " "))) \"/\" ")
            writer.buffer.writeIMAPAString(entry.name)
            writer.buffer.writeString("\r\n")
            if let items = command.returnStatus, let mailbox = entry.mailbox {
                let status = try await self.store.status(mailboxID: mailbox.id)
                Self.writeStatus(mailbox.name, status, items: items, into: &writer.buffer)
            }
        }
        return .ok(code: nil, "LIST completed")
    }

    /// RFC 3501 §6.3.9 LSUB.
    mutating func lsub(reference: String, pattern: String, writer: inout IMAPResponseWriter) async throws -> Outcome {
        let user = try self.requireAuthenticated()
        let mailboxes = try await self.store.mailboxes(user: user)
        let matcher = IMAPMailboxPattern(reference: reference, pattern: pattern)
        for mailbox in mailboxes where mailbox.isSubscribed && matcher.matches(mailbox.name) {
            writer.buffer.writeString("* LSUB () \"/\" ")
            writer.buffer.writeIMAPAString(mailbox.name)
            writer.buffer.writeString("\r\n")
        }
        return .ok(code: nil, "LSUB completed")
    }
}

/// The mailboxes of a user plus the parents they imply (`a/b` implies `a`), sorted, with child information.
struct IMAPMailboxTree {
    struct Entry {
        var name: String
        /// `nil` for a parent that does not exist itself.
        var mailbox: Mailbox?
        var hasChildren: Bool
    }

    var entries: [Entry]

    init(_ mailboxes: [Mailbox]) {
        var byName: [String: Mailbox] = [:]
        for mailbox in mailboxes { byName[mailbox.name] = mailbox }
        var names = Set(byName.keys)
        var parents = Set<String>()
        for name in byName.keys {
            var components = name.split(separator: "/", omittingEmptySubsequences: false)
            while components.count > 1 {
                components.removeLast()
                let parent = components.joined(separator: "/")
                parents.insert(parent)
                names.insert(parent)
            }
        }
        self.entries = names.sorted { a, b in
            if a == "INBOX" { return b != "INBOX" }
            if b == "INBOX" { return false }
            return a < b
        }.map { name in
            Entry(name: name, mailbox: byName[name], hasChildren: parents.contains(name))
        }
    }
}
