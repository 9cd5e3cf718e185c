extension IMAPSession {
    /// Runs `command` in the current state (RFC 3501 §3: which commands each state allows).
    mutating func execute(_ command: IMAPCommand, now: Int64, writer: inout IMAPResponseWriter) async throws -> Outcome
    {
        let tag = command.tag
        switch command.kind {
        // Any state
        case .capability:
            writer.untagged("CAPABILITY \(self.capabilityText)")
            return .ok(code: nil, "CAPABILITY completed")
        case .noop:
            self.markSelectedForRefresh()
            return .ok(code: nil, "NOOP completed")
        case .logout:
            writer.untagged("BYE Logging out")
            writer.tagged(tag, .ok, "LOGOUT completed")
            self.state = .logout
            return .handled(.close)
        case .id:
            // RFC 2971 §3.2.
            writer.untagged("ID (\"name\" \"Mycelium\")")
            return .ok(code: nil, "ID completed")
        case .enable:
            try self.requireAuthenticated()
            // RFC 5161 §3.1: none of the requested capabilities is one this server can enable.
            writer.untagged("ENABLED")
            return .ok(code: nil, "ENABLE completed")

        // Not authenticated
        case .login(let user, let password):
            try self.requireNotAuthenticated()
            return try await self.login(user: user, password: password)
        case .authenticate(let mechanism, let initialResponse):
            try self.requireNotAuthenticated()
            return try await self.authenticate(
                tag: tag,
                mechanism: mechanism,
                initialResponse: initialResponse,
                writer: &writer
            )

        // Authenticated
        case .select(let name):
            return try await self.select(name, readOnly: false, writer: &writer)
        case .examine(let name):
            return try await self.select(name, readOnly: true, writer: &writer)
        case .create(let name):
            let user = try self.requireAuthenticated()
            try Self.checkName(name)
            var trimmed = name
            // RFC 3501 §6.3.3: a trailing delimiter only declares the intent to create inferiors.
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            if trimmed.uppercased() == "INBOX" { throw MailStoreError.mailboxExists("INBOX") }
            _ = try await self.store.createMailbox(user: user, name: trimmed)
            return .ok(code: nil, "CREATE completed")
        case .delete(let name):
            let user = try self.requireAuthenticated()
            try Self.checkName(name)
            if case .selected(_, let selected) = self.state, selected.mailbox.name == name {
                self.state = .authenticated(user: user)
            }
            try await self.store.deleteMailbox(user: user, name: name)
            return .ok(code: nil, "DELETE completed")
        case .rename(let from, let to):
            let user = try self.requireAuthenticated()
            try Self.checkName(from)
            try Self.checkName(to)
            try await self.store.renameMailbox(user: user, from: from, to: to)
            if case .selected(let user, var selected) = self.state, selected.mailbox.name == from {
                selected.mailbox.name = to
                self.state = .selected(user: user, selected)
            }
            return .ok(code: nil, "RENAME completed")
        case .subscribe(let name):
            let user = try self.requireAuthenticated()
            try Self.checkName(name)
            try await self.store.setSubscribed(user: user, name: name, true)
            return .ok(code: nil, "SUBSCRIBE completed")
        case .unsubscribe(let name):
            let user = try self.requireAuthenticated()
            try Self.checkName(name)
            try await self.store.setSubscribed(user: user, name: name, false)
            return .ok(code: nil, "UNSUBSCRIBE completed")
        case .list(let list):
            return try await self.list(list, writer: &writer)
        case .lsub(let reference, let pattern):
            return try await self.lsub(reference: reference, pattern: pattern, writer: &writer)
        case .namespace:
            try self.requireAuthenticated()
            // RFC 2342 §5: one personal namespace with prefix "" and delimiter "/", no others.
            writer.untagged("NAMESPACE ((\"\" \"/\")) NIL NIL")
            return .ok(code: nil, "NAMESPACE completed")
        case .status(let name, let items):
            return try await self.status(name, items: items, writer: &writer)
        case .append(let name, let flags, let date, let message):
            return try await self.append(name, flags: flags, date: date ?? now, message: message)

        // Selected
        case .check:
            _ = try self.requireSelected()
            self.markSelectedForRefresh()
            return .ok(code: nil, "CHECK completed")
        case .close:
            let (user, selected) = try self.requireSelected()
            if !selected.readOnly {
                _ = try await self.store.expunge(mailboxID: selected.mailbox.id)
            }
            self.state = .authenticated(user: user)
            return .ok(code: nil, "CLOSE completed")
        case .unselect:
            let (user, _) = try self.requireSelected()
            self.state = .authenticated(user: user)
            return .ok(code: nil, "UNSELECT completed")
        case .expunge:
            return try await self.expunge(uids: nil, writer: &writer)
        case .uidExpunge(let set):
            return try await self.expunge(uids: set, writer: &writer)
        case .search(let key, let uid):
            return try await self.search(key, uid: uid, writer: &writer)
        case .fetch(let set, let attributes, let uid):
            return try await self.fetch(set, attributes, uid: uid, writer: &writer)
        case .store(let set, let action, let uid):
            return try await self.storeFlags(set, action, uid: uid, writer: &writer)
        case .copy(let set, let mailbox, let uid):
            return try await self.copy(set, to: mailbox, uid: uid, move: false, writer: &writer)
        case .move(let set, let mailbox, let uid):
            return try await self.copy(set, to: mailbox, uid: uid, move: true, writer: &writer)
        case .idle:
            return try await self.startIdle(tag: tag, writer: &writer)
        }
    }

    // MARK: - State checks

    func requireNotAuthenticated() throws(IMAPCommandError) {
        guard case .notAuthenticated = self.state else { throw .wrongState("Already authenticated") }
    }

    @discardableResult
    func requireAuthenticated() throws(IMAPCommandError) -> String {
        guard let user = self.user else { throw .wrongState("Command requires authentication") }
        return user
    }

    func requireSelected() throws(IMAPCommandError) -> (String, IMAPSelectedMailbox) {
        guard case .selected(let user, let selected) = self.state else {
            throw .wrongState(self.user == nil ? "Command requires authentication" : "No mailbox selected")
        }
        return (user, selected)
    }

    /// RFC 3501 §5.1: names are the store's business, but a path-like name never reaches it.
    static func checkName(_ name: String) throws(MailStoreError) {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains(where: { $0 == "." || $0 == ".." }) || name.utf8.contains(0) {
            throw .invalidMailboxName(name)
        }
    }

    mutating func markSelectedForRefresh() {
        if case .selected(let user, var selected) = self.state {
            selected.needsRefresh = true
            self.state = .selected(user: user, selected)
        }
    }
}
