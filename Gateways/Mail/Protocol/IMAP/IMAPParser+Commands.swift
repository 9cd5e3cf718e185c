extension IMAPParser {
    /// `command` after `tag SP` (RFC 3501 §9 `command-any / command-auth / command-nonauth / command-select`).
    mutating func commandKind() throws(IMAPParseError.Reason) -> IMAPCommand.Kind {
        let name = try self.atom()
        switch name {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "NAMESPACE": return .namespace
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "IDLE": return .idle
        case "ID": return .id(try self.spaced { (p) throws(IMAPParseError.Reason) in try p.idParameters() })
        case "ENABLE":
            var capabilities: [String] = []
            while self.accept(UInt8(ascii: " ")) {
                capabilities.append(try self.atom())
                guard capabilities.count <= Self.maximumListCount else { throw .syntax("too many capabilities") }
            }
            guard !capabilities.isEmpty else { throw .syntax("ENABLE needs a capability") }
            return .enable(capabilities)
        case "LOGIN":
            try self.space()
            let user = try Self.text(try self.astring())
            try self.space()
            return .login(user: user, password: try self.astring())
        case "AUTHENTICATE":
            try self.space()
            let mechanism = try self.atom()
            var initial: [UInt8]?
            if self.accept(UInt8(ascii: " ")) {
                initial = try self.bytes(while: IMAPGrammar.isAtomChar, "an initial response")
            }
            return .authenticate(mechanism: mechanism, initialResponse: initial)
        case "SELECT":
            return .select(mailbox: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.selectMailbox() })
        case "EXAMINE":
            return .examine(mailbox: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.selectMailbox() })
        case "CREATE": return .create(mailbox: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.mailbox() })
        case "DELETE": return .delete(mailbox: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.mailbox() })
        case "SUBSCRIBE":
            return .subscribe(mailbox: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.mailbox() })
        case "UNSUBSCRIBE":
            return .unsubscribe(mailbox: try self.spaced { (p) throws(IMAPParseError.Reason) in try p.mailbox() })
        case "RENAME":
            try self.space()
            let from = try self.mailbox()
            try self.space()
            return .rename(from: from, to: try self.mailbox())
        case "LIST": return .list(try self.listArguments())
        case "LSUB":
            try self.space()
            let reference = try self.mailbox()
            try self.space()
            return .lsub(reference: reference, pattern: try self.listMailbox())
        case "STATUS":
            try self.space()
            let mailbox = try self.mailbox()
            try self.space()
            return .status(mailbox: mailbox, items: try self.statusItems())
        case "APPEND": return try self.appendArguments()
        case "SEARCH": return .search(try self.searchArguments(), uid: false)
        case "FETCH": return try self.fetchArguments(uid: false)
        case "STORE": return try self.storeArguments(uid: false)
        case "COPY", "MOVE":
            try self.space()
            let set = try self.sequenceSet()
            try self.space()
            let mailbox = try self.mailbox()
            return name == "COPY" ? .copy(set, mailbox: mailbox, uid: false) : .move(set, mailbox: mailbox, uid: false)
        case "UID": return try self.uidCommand()
        default: throw .unknownCommand(name)
        }
    }

    /// Runs `body` after a mandatory SP.
    mutating func spaced<T>(_ body: (inout IMAPParser) throws(IMAPParseError.Reason) -> T) throws(IMAPParseError.Reason)
        -> T
    {
        try self.space()
        return try body(&self)
    }

    /// SELECT/EXAMINE mailbox, ignoring RFC 4466 select parameters other than none (`(CONDSTORE)` is refused).
    mutating func selectMailbox() throws(IMAPParseError.Reason) -> String {
        let mailbox = try self.mailbox()
        if self.accept(UInt8(ascii: " ")) {
            try self.expect(UInt8(ascii: "("), "(")
            try self.expect(UInt8(ascii: ")"), "no select parameters")
        }
        return mailbox
    }

    /// `UID SP (copy / move / fetch / search / store / uid-expunge)`.
    mutating func uidCommand() throws(IMAPParseError.Reason) -> IMAPCommand.Kind {
        try self.space()
        let name = try self.atom()
        switch name {
        case "FETCH": return try self.fetchArguments(uid: true)
        case "STORE": return try self.storeArguments(uid: true)
        case "SEARCH": return .search(try self.searchArguments(), uid: true)
        case "EXPUNGE": return .uidExpunge(try self.spaced { (p) throws(IMAPParseError.Reason) in try p.sequenceSet() })
        case "COPY", "MOVE":
            try self.space()
            let set = try self.sequenceSet()
            try self.space()
            let mailbox = try self.mailbox()
            return name == "COPY" ? .copy(set, mailbox: mailbox, uid: true) : .move(set, mailbox: mailbox, uid: true)
        default: throw .unknownCommand("UID " + name)
        }
    }

    /// `id-params-list = "(" *(string SP nstring) ")" / nil`.
    mutating func idParameters() throws(IMAPParseError.Reason) -> [IMAPIDParameter]? {
        if self.acceptWord("NIL") { return nil }
        try self.expect(UInt8(ascii: "("), "(")
        var parameters: [IMAPIDParameter] = []
        if self.accept(UInt8(ascii: ")")) { return parameters }
        repeat {
            let key = try Self.text(try self.string())
            try self.space()
            let value = try self.nstring().map { String(decoding: $0, as: UTF8.self) }
            parameters.append(IMAPIDParameter(key: key, value: value))
            guard parameters.count <= 30 else { throw .syntax("too many ID parameters") }  // RFC 2971 §3.3
        } while self.accept(UInt8(ascii: " "))
        try self.expect(UInt8(ascii: ")"), ")")
        return parameters
    }

    /// `status-att-list = status-att *(SP status-att)` in parentheses.
    mutating func statusItems() throws(IMAPParseError.Reason) -> [IMAPStatusItem] {
        try self.expect(UInt8(ascii: "("), "(")
        var items: [IMAPStatusItem] = []
        repeat {
            let name = try self.atom()
            guard let item = IMAPStatusItem(rawValue: name) else { throw .syntax("unknown status item \(name)") }
            items.append(item)
            guard items.count <= Self.maximumListCount else { throw .syntax("too many status items") }
        } while self.accept(UInt8(ascii: " "))
        try self.expect(UInt8(ascii: ")"), ")")
        return items
    }

    /// RFC 5258: `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`.
    mutating func listArguments() throws(IMAPParseError.Reason) -> IMAPListCommand {
        try self.space()
        var command = IMAPListCommand(reference: "", patterns: [])
        if self.accept(UInt8(ascii: "(")) {
            if !self.accept(UInt8(ascii: ")")) {
                var count = 0
                repeat {
                    switch try self.atom() {
                    case "SUBSCRIBED": command.selectSubscribed = true
                    case "RECURSIVEMATCH": command.recursiveMatch = true
                    case "REMOTE", "SPECIAL-USE": break
                    case let other: throw .syntax("unknown LIST selection option \(other)")
                    }
                    count += 1
                    guard count <= Self.maximumListCount else { throw .syntax("too many options") }
                } while self.accept(UInt8(ascii: " "))
                try self.expect(UInt8(ascii: ")"), ")")
            }
            try self.space()
        }
        command.reference = try Self.text(try self.astring())
        try self.space()
        if self.accept(UInt8(ascii: "(")) {
            repeat {
                command.patterns.append(try self.listMailbox())
                guard command.patterns.count <= Self.maximumListCount else { throw .syntax("too many patterns") }
            } while self.accept(UInt8(ascii: " "))
            try self.expect(UInt8(ascii: ")"), ")")
        } else {
            command.patterns = [try self.listMailbox()]
        }
        if self.accept(UInt8(ascii: " ")) {
            guard self.acceptWord("RETURN") else { throw .syntax("expected RETURN") }
            try self.space()
            try self.expect(UInt8(ascii: "("), "(")
            if !self.accept(UInt8(ascii: ")")) {
                var count = 0
                repeat {
                    switch try self.atom() {
                    case "SUBSCRIBED": command.returnSubscribed = true
                    case "CHILDREN": command.returnChildren = true
                    case "SPECIAL-USE": command.returnSpecialUse = true
                    case "STATUS":
                        try self.space()
                        command.returnStatus = try self.statusItems()
                    case let other: throw .syntax("unknown LIST return option \(other)")
                    }
                    count += 1
                    guard count <= Self.maximumListCount else { throw .syntax("too many options") }
                } while self.accept(UInt8(ascii: " "))
                try self.expect(UInt8(ascii: ")"), ")")
            }
        }
        return command
    }

    /// `append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal`.
    mutating func appendArguments() throws(IMAPParseError.Reason) -> IMAPCommand.Kind {
        try self.space()
        let mailbox = try self.mailbox()
        try self.space()
        var flags: [String] = []
        var date: Int64?
        if self.peek == UInt8(ascii: "(") {
            flags = try self.flagList()
            try self.space()
        }
        if self.peek == UInt8(ascii: "\"") {
            date = try self.dateTime()
            try self.space()
        }
        guard self.peek == UInt8(ascii: "{") else { throw .syntax("APPEND needs a literal") }
        return .append(mailbox: mailbox, flags: flags, date: date, message: try self.literal())
    }

    /// `store = "STORE" SP sequence-set SP store-att-flags`.
    mutating func storeArguments(uid: Bool) throws(IMAPParseError.Reason) -> IMAPCommand.Kind {
        try self.space()
        let set = try self.sequenceSet()
        try self.space()
        let sign: UInt8? =
            self.accept(UInt8(ascii: "+"))
            ? UInt8(ascii: "+") : self.accept(UInt8(ascii: "-")) ? UInt8(ascii: "-") : nil
        let name = try self.atom()
        let silent: Bool
        switch name {
        case "FLAGS": silent = false
        case "FLAGS.SILENT": silent = true
        default: throw .syntax("expected FLAGS")
        }
        try self.space()
        var flags: [String]
        if self.peek == UInt8(ascii: "(") {
            flags = try self.flagList()
        } else {
            flags = [try self.flag()]
            while self.accept(UInt8(ascii: " ")) {
                flags.append(try self.flag())
                guard flags.count <= Self.maximumListCount else { throw .syntax("too many flags") }
            }
        }
        let set2 = MessageFlags(flags)
        let operation: FlagOperation =
            switch sign {
            case UInt8(ascii: "+"): .add(set2)
            case UInt8(ascii: "-"): .remove(set2)
            default: .replace(set2)
            }
        return .store(set, IMAPStoreAction(operation: operation, silent: silent, flags: flags), uid: uid)
    }
}
