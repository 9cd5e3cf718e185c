extension IMAPSession {
    /// RFC 3501 §6.4.4 SEARCH / §6.4.8 UID SEARCH. Only keys that look at headers or text read the message.
    mutating func search(_ key: IMAPSearchKey, uid: Bool, writer: inout IMAPResponseWriter) async throws -> Outcome {
        let (_, selected) = try self.requireSelected()
        let needsBytes = key.needsMessageBytes
        let context = IMAPSearchContext(
            largestSequenceNumber: UInt32(clamping: selected.messages.count),
            largestUID: selected.messages.last?.uid ?? 0
        )
        var line = "SEARCH"
        var reader = IMAPMessageReader(
            store: self.store, mailboxID: selected.mailbox.id, messages: needsBytes ? selected.messages : [])
        defer { reader.cancel() }
        for (index, message) in selected.messages.enumerated() {
            var mime: MIMEMessage?
            if needsBytes {
                // Expunged by someone else (reported later): not a match.
                guard let bytes = try await reader.next() else { continue }
                mime = MIMEMessage(bytes)
            }
            if key.matches(message, sequenceNumber: UInt32(index + 1), mime: mime, context: context) {
                line += " \(uid ? message.uid : UInt32(index + 1))"
            }
        }
        writer.untagged(line)
        return .ok(code: nil, uid ? "UID SEARCH completed" : "SEARCH completed")
    }
}

/// What search keys with `*` need to know.
struct IMAPSearchContext {
    var largestSequenceNumber: UInt32
    var largestUID: UInt32
}

extension IMAPSearchKey {
    /// Whether the message matches (RFC 3501 §6.4.4); strings match as case-insensitive substrings.
    func matches(_ message: StoredMessage, sequenceNumber: UInt32, mime: MIMEMessage?, context: IMAPSearchContext)
        -> Bool
    {
        let flags = message.flags
        switch self {
        case .all: return true
        case .answered: return flags.contains(MessageFlags.answered)
        case .deleted: return flags.contains(MessageFlags.deleted)
        case .draft: return flags.contains(MessageFlags.draft)
        case .flagged: return flags.contains(MessageFlags.flagged)
        case .seen: return flags.contains(MessageFlags.seen)
        case .recent, .new: return false  // this server reports no message as \Recent
        case .old: return true
        case .unanswered: return !flags.contains(MessageFlags.answered)
        case .undeleted: return !flags.contains(MessageFlags.deleted)
        case .undraft: return !flags.contains(MessageFlags.draft)
        case .unflagged: return !flags.contains(MessageFlags.flagged)
        case .unseen: return !flags.contains(MessageFlags.seen)
        case .keyword(let keyword): return flags.contains(keyword)
        case .unkeyword(let keyword): return !flags.contains(keyword)
        case .bcc(let text): return Self.header("Bcc", contains: text, in: mime)
        case .cc(let text): return Self.header("Cc", contains: text, in: mime)
        case .from(let text): return Self.header("From", contains: text, in: mime)
        case .to(let text): return Self.header("To", contains: text, in: mime)
        case .subject(let text): return Self.header("Subject", contains: text, in: mime)
        case .header(let field, let text): return Self.header(field, contains: text, in: mime)
        case .body(let text):
            return Self.contains(mime?.searchableText ?? "", text)
        case .text(let text):
            guard let mime else { return false }
            return mime.headerFields.contains { Self.contains($0.value, text) }
                || Self.contains(mime.searchableText, text)
        case .before(let day): return IMAPGrammar.day(ofSeconds: message.internalDate) < day
        case .on(let day): return IMAPGrammar.day(ofSeconds: message.internalDate) == day
        case .since(let day): return IMAPGrammar.day(ofSeconds: message.internalDate) >= day
        case .sentBefore(let day): return Self.sentDay(mime).map { $0 < day } ?? false
        case .sentOn(let day): return Self.sentDay(mime).map { $0 == day } ?? false
        case .sentSince(let day): return Self.sentDay(mime).map { $0 >= day } ?? false
        case .larger(let size): return message.size > size
        case .smaller(let size): return message.size < size
        case .uid(let set): return set.contains(message.uid, largest: context.largestUID)
        case .sequenceNumbers(let set): return set.contains(sequenceNumber, largest: context.largestSequenceNumber)
        case .not(let key): return !key.matches(message, sequenceNumber: sequenceNumber, mime: mime, context: context)
        case .or(let a, let b):
            return a.matches(message, sequenceNumber: sequenceNumber, mime: mime, context: context)
                || b.matches(message, sequenceNumber: sequenceNumber, mime: mime, context: context)
        case .and(let keys):
            return keys.allSatisfy { $0.matches(message, sequenceNumber: sequenceNumber, mime: mime, context: context) }
        }
    }

    static func header(_ name: String, contains text: String, in mime: MIMEMessage?) -> Bool {
        guard let values = mime?.decodedHeaderValues(name), !values.isEmpty else { return false }
        return text.isEmpty || values.contains { Self.contains($0, text) }
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        needle.isEmpty || haystack.lowercased().contains(needle.lowercased())
    }

    static func sentDay(_ mime: MIMEMessage?) -> Int64? {
        mime?.sentDate.map(IMAPGrammar.day(ofSeconds:))
    }
}
