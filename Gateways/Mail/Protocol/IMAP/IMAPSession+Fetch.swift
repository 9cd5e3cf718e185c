import NIOCore

extension IMAPSession {
    /// RFC 3501 §6.4.5 FETCH / §6.4.8 UID FETCH. Metadata items come from the view without touching the disk;
    /// `BODY[]`/`RFC822` read the blob but never parse it; only ENVELOPE, BODYSTRUCTURE and section parts parse MIME.
    mutating func fetch(
        _ set: IMAPSequenceSet,
        _ requested: [IMAPFetchAttribute],
        uid: Bool,
        writer: inout IMAPResponseWriter
    ) async throws -> Outcome {
        let (user, current) = try self.requireSelected()
        var selected = current
        guard let indices = selected.indices(of: set, uid: uid) else { return .bad("Invalid message sequence number") }
        // Each item once, in the client's order.
        var unique = Set<IMAPFetchAttribute>()
        var attributes = requested.filter { unique.insert($0).inserted }
        // RFC 3501 §6.4.8: UID FETCH always returns the UID.
        if uid, !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        let needsBytes = attributes.contains { Self.needsBytes($0) }
        let needsMIME = attributes.contains { Self.needsMIME($0) }
        let setsSeen = !selected.readOnly && attributes.contains { Self.setsSeen($0) }
        // RFC 3501 §6.4.5: a fetch that sets \Seen reports the new flags (before the data, as Dovecot does).
        if setsSeen, !attributes.contains(.flags) { attributes.insert(.flags, at: uid ? 1 : 0) }
        if setsSeen {
            // One transaction for the whole set, before anything is written (a BODY[] of 10,000 messages is one
            // commit, not 10,000).
            let unseen = indices.map { selected.messages[$0] }.filter { !$0.flags.contains(MessageFlags.seen) }
            if !unseen.isEmpty {
                let updated = try await self.store.updateFlags(
                    mailboxID: selected.mailbox.id,
                    uids: unseen.map(\.uid),
                    .add(MessageFlags([MessageFlags.seen]))
                )
                var flagsByUID: [UInt32: MessageFlags] = [:]
                for message in updated { flagsByUID[message.uid] = message.flags }
                for index in indices {
                    if let flags = flagsByUID[selected.messages[index].uid] { selected.messages[index].flags = flags }
                }
                self.state = .selected(user: user, selected)
            }
        }
        var reader = IMAPMessageReader(
            store: self.store, mailboxID: selected.mailbox.id,
            messages: needsBytes ? indices.map { selected.messages[$0] } : [])
        defer { reader.cancel() }
        for index in indices {
            let message = selected.messages[index]
            var bytes: [UInt8] = []
            if needsBytes {
                // Expunged by someone else (reported later): skipped.
                guard let stored = try await reader.next() else { continue }
                bytes = stored
            }
            let mime = needsMIME ? MIMEMessage(bytes) : nil
            Self.writeFetch(
                sequenceNumber: index + 1,
                message: message,
                attributes: attributes,
                bytes: bytes,
                mime: mime,
                into: &writer.buffer
            )
            try await writer.flushIfNeeded()
        }
        return .ok(code: nil, uid ? "UID FETCH completed" : "FETCH completed")
    }

    static func needsBytes(_ attribute: IMAPFetchAttribute) -> Bool {
        switch attribute {
        case .flags, .uid, .internalDate, .rfc822Size: false
        case .rfc822, .rfc822Header, .rfc822Text, .envelope, .bodyStructure, .section: true
        }
    }

    static func needsMIME(_ attribute: IMAPFetchAttribute) -> Bool {
        switch attribute {
        case .flags, .uid, .internalDate, .rfc822Size, .rfc822: false
        case .rfc822Header, .rfc822Text, .envelope, .bodyStructure: true
        case .section(let section, _, _): !(section.part.isEmpty && section.kind == .full)
        }
    }

    static func setsSeen(_ attribute: IMAPFetchAttribute) -> Bool {
        switch attribute {
        case .rfc822, .rfc822Text: true
        case .section(_, _, let peek): !peek
        case .flags, .uid, .internalDate, .rfc822Size, .rfc822Header, .envelope, .bodyStructure: false
        }
    }

    /// One `* n FETCH (…)` line (RFC 3501 §7.4.2).
    static func writeFetch(
        sequenceNumber: Int,
        message: StoredMessage,
        attributes: [IMAPFetchAttribute],
        bytes: [UInt8],
        mime: MIMEMessage?,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeString("* \(sequenceNumber) FETCH (")
        var first = true
        for attribute in attributes {
            if !first { buffer.writeInteger(UInt8(ascii: " ")) }
            first = false
            switch attribute {
            case .flags:
                buffer.writeString("FLAGS ")
                buffer.writeIMAPFlags(message.flags)
            case .uid:
                buffer.writeString("UID \(message.uid)")
            case .internalDate:
                buffer.writeString("INTERNALDATE ")
                buffer.writeIMAPDateTime(message.internalDate)
            case .rfc822Size:
                buffer.writeString("RFC822.SIZE \(message.size)")
            case .rfc822:
                buffer.writeString("RFC822 ")
                buffer.writeIMAPLiteral(bytes)
            case .rfc822Header:
                buffer.writeString("RFC822.HEADER ")
                buffer.writeIMAPLiteral(mime?.section(MessageSection(kind: .header)) ?? [])
            case .rfc822Text:
                buffer.writeString("RFC822.TEXT ")
                buffer.writeIMAPLiteral(mime?.section(MessageSection(kind: .text)) ?? [])
            case .envelope:
                buffer.writeString("ENVELOPE ")
                mime?.writeEnvelope(into: &buffer)
            case .bodyStructure(let extensible):
                buffer.writeString(extensible ? "BODYSTRUCTURE " : "BODY ")
                mime?.writeBodyStructure(into: &buffer, extensible: extensible)
            case .section(let section, let partial, _):
                buffer.writeString("BODY")
                buffer.writeIMAPSection(section)
                let data: ArraySlice<UInt8>
                if let mime {
                    data = mime.section(section) ?? []
                } else {
                    data = bytes[...]
                }
                if let partial {
                    // RFC 3501 §6.4.5: `<origin.count>` → labelled `<origin>`; past the end is an empty string.
                    buffer.writeString("<\(partial.origin)> ")
                    let start = min(data.startIndex + min(partial.origin, data.count), data.endIndex)
                    let end = min(start + partial.count, data.endIndex)
                    buffer.writeIMAPLiteral(data[start..<end])
                } else {
                    buffer.writeInteger(UInt8(ascii: " "))
                    buffer.writeIMAPLiteral(data)
                }
            }
        }
        buffer.writeString(")\r\n")
    }
}
