import NIOCore

extension MIMEMessage {
    /// Writes the ENVELOPE of the message whose header is `header` (RFC 3501 §7.4.2):
    ///
    ///     envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP env-cc SP
    ///                env-bcc SP env-in-reply-to SP env-message-id ")"
    ///
    /// The string fields are the raw, unfolded header values (encoded words are not decoded); as in Dovecot 2.3, the
    /// last occurrence of a repeated field wins and the subject and display names have whitespace runs collapsed to
    /// one space.
    /// "If the Sender or Reply-To lines are absent in the [RFC-2822] header, or are present but empty, the server
    /// sets the corresponding member of the envelope to be the same value as the from member."
    static func writeEnvelope(bytes: [UInt8], header: MIMEHeader, into buffer: inout ByteBuffer) {
        func raw(_ name: String) -> [UInt8]? {
            header.last(name, in: bytes).map { $0.valueBytes(in: bytes) }
        }
        func addresses(_ name: String) -> [MIMEAddress] {
            guard let value = raw(name) else { return [] }
            return MIMEAddress.parseList(value)
        }
        let from = addresses("from")
        var sender = addresses("sender")
        if sender.isEmpty { sender = from }
        var replyTo = addresses("reply-to")
        if replyTo.isEmpty { replyTo = from }
        buffer.writeInteger(UInt8(ascii: "("))
        buffer.writeIMAPNString(raw("date"))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeIMAPNString(raw("subject").map(MIMEMessage.collapsingWhitespace))
        for list in [from, sender, replyTo, addresses("to"), addresses("cc"), addresses("bcc")] {
            buffer.writeInteger(UInt8(ascii: " "))
            MIMEMessage.writeAddressList(list, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeIMAPNString(raw("in-reply-to"))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeIMAPNString(raw("message-id"))
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// RFC 3501 §7.4.2: `"(" 1*address ")" / nil`, each `address = "(" addr-name SP addr-adl SP addr-mailbox SP
    /// addr-host ")"`; a group is `(NIL NIL "name" NIL)` … `(NIL NIL NIL NIL)`.
    static func writeAddressList(_ list: [MIMEAddress], into buffer: inout ByteBuffer) {
        guard !list.isEmpty else {
            buffer.writeString("NIL")
            return
        }
        buffer.writeInteger(UInt8(ascii: "("))
        for address in list {
            switch address {
            case .mailbox(let name, let route, let mailbox, let host):
                buffer.writeInteger(UInt8(ascii: "("))
                buffer.writeIMAPNString(name.map(MIMEMessage.collapsingWhitespace))
                buffer.writeInteger(UInt8(ascii: " "))
                buffer.writeIMAPNString(route)
                buffer.writeInteger(UInt8(ascii: " "))
                buffer.writeIMAPString(mailbox)
                buffer.writeInteger(UInt8(ascii: " "))
                buffer.writeIMAPString(host)
                buffer.writeInteger(UInt8(ascii: ")"))
            case .groupStart(let name):
                buffer.writeString("(NIL NIL ")
                buffer.writeIMAPString(name)
                buffer.writeString(" NIL)")
            case .groupEnd:
                buffer.writeString("(NIL NIL NIL NIL)")
            }
        }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// Tabs become spaces, runs of spaces one space, and leading / trailing spaces are dropped.
    static func collapsingWhitespace(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            let isSpace = byte == 32 || byte == 9
            if isSpace {
                if let last = out.last, last != 32 { out.append(32) }
            } else {
                out.append(byte)
            }
        }
        if out.last == 32 { out.removeLast() }
        return out
    }
}
