import NIOCore

extension MIMEMessage {
    /// Writes the BODY / BODYSTRUCTURE of `tree.parts[index]` (RFC 3501 §7.4.2, §9 `body`).
    ///
    /// Output matches Dovecot 2.3 (checked byte for byte with `doveadm fetch imap.bodystructure`): every string is
    /// written as it appears in the message (no case change; RFC 3501 makes these case-insensitive), defaults are
    /// lower case (`"text" "plain"`, `"7bit"`), a text part without a charset gets `("charset" "us-ascii")` (RFC 2046
    /// §4.1.2), RFC 2231 continuations are merged, Content-Language is always a list and MD5 is always NIL. Sizes and
    /// line counts are of the stored bytes (a line is an LF), so they match what `section(_:)` returns.
    /// Recursion is bounded by `MIMETree.maxDepth`.
    static func writeBody(
        tree: MIMETree,
        index: Int,
        bytes: [UInt8],
        extensible: Bool,
        into buffer: inout ByteBuffer
    ) {
        let part = tree.parts[index]
        func field(_ name: String) -> [UInt8]? {
            part.header.first(name, in: bytes).map { $0.valueBytes(in: bytes) }
        }
        buffer.writeInteger(UInt8(ascii: "("))
        switch part.kind {
        case .multipart:
            // RFC 3501 §9: body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart].
            if part.children.isEmpty {
                // A multipart with no parts is not allowed; write one empty text/plain part, as Dovecot does.
                buffer.writeString("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0")
                buffer.writeString(extensible ? " NIL NIL NIL NIL)" : ")")
            }
            for child in part.children where part.depth < tree.parts[child].depth {
                MIMEMessage.writeBody(tree: tree, index: child, bytes: bytes, extensible: extensible, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeIMAPString(part.writtenSubtype)
            if extensible {
                // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
                buffer.writeInteger(UInt8(ascii: " "))
                MIMEMessage.writeParameters(part.contentType?.parameters ?? [], defaultCharset: false, into: &buffer)
                MIMEMessage.writeExtension(field: field, into: &buffer)
            }
        case .leaf, .message:
            // body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
            let isText = part.type == Array("text".utf8)
            buffer.writeIMAPString(part.writtenType)
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeIMAPString(part.writtenSubtype)
            buffer.writeInteger(UInt8(ascii: " "))
            MIMEMessage.writeParameters(part.contentType?.parameters ?? [], defaultCharset: isText, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeIMAPNString(field("content-id"))
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeIMAPNString(field("content-description"))
            buffer.writeInteger(UInt8(ascii: " "))
            var encoding = field("content-transfer-encoding") ?? []
            if encoding.isEmpty { encoding = Array("7bit".utf8) }
            buffer.writeIMAPString(encoding)
            buffer.writeString(" \(part.bodyRange.count)")
            if part.kind == .message, let child = part.children.first, part.depth < tree.parts[child].depth {
                // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
                buffer.writeInteger(UInt8(ascii: " "))
                MIMEMessage.writeEnvelope(bytes: bytes, header: tree.parts[child].header, into: &buffer)
                buffer.writeInteger(UInt8(ascii: " "))
                MIMEMessage.writeBody(tree: tree, index: child, bytes: bytes, extensible: extensible, into: &buffer)
                buffer.writeString(" \(MIMEMessage.lineCount(bytes, part.bodyRange))")
            } else if isText {
                // body-type-text = media-text SP body-fields SP body-fld-lines
                buffer.writeString(" \(MIMEMessage.lineCount(bytes, part.bodyRange))")
            }
            if extensible {
                // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
                buffer.writeString(" NIL")
                MIMEMessage.writeExtension(field: field, into: &buffer)
            }
        }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// ` body-fld-dsp SP body-fld-lang SP body-fld-loc` (RFC 3501 §9; RFC 2183 disposition, RFC 3282 language,
    /// RFC 2557 location).
    static func writeExtension(field: (String) -> [UInt8]?, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: " "))
        // body-fld-dsp = "(" string SP body-fld-param ")" / nil
        if let raw = field("content-disposition"), case let disposition = MIMEParameterizedValue(parsing: raw),
            let value = disposition.value
        {
            buffer.writeInteger(UInt8(ascii: "("))
            buffer.writeIMAPString(value)
            buffer.writeInteger(UInt8(ascii: " "))
            MIMEMessage.writeParameters(disposition.parameters, defaultCharset: false, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ")"))
        } else {
            buffer.writeString("NIL")
        }
        buffer.writeInteger(UInt8(ascii: " "))
        // body-fld-lang = nstring / "(" string *(SP string) ")" — always the list form, as Dovecot writes it.
        let languages = MIMEMessage.languages(field("content-language") ?? [])
        if languages.isEmpty {
            buffer.writeString("NIL")
        } else {
            buffer.writeInteger(UInt8(ascii: "("))
            for (offset, language) in languages.enumerated() {
                if offset > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
                buffer.writeIMAPString(language)
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        buffer.writeInteger(UInt8(ascii: " "))
        // body-fld-loc = nstring
        buffer.writeIMAPNString(field("content-location"))
    }

    /// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    static func writeParameters(
        _ parameters: [(name: [UInt8], value: [UInt8])],
        defaultCharset: Bool,
        into buffer: inout ByteBuffer
    ) {
        let hasCharset = parameters.contains { $0.name.map(MIMEHeader.lower) == Array("charset".utf8) }
        guard !parameters.isEmpty || defaultCharset else {
            buffer.writeString("NIL")
            return
        }
        buffer.writeInteger(UInt8(ascii: "("))
        for (offset, parameter) in parameters.enumerated() {
            if offset > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            buffer.writeIMAPString(parameter.name)
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeIMAPString(parameter.value)
        }
        if defaultCharset, !hasCharset {
            if !parameters.isEmpty { buffer.writeInteger(UInt8(ascii: " ")) }
            buffer.writeString("\"charset\" \"us-ascii\"")
        }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// RFC 3282 `Content-Language`: a comma-separated list of language tags (comments and whitespace dropped).
    static func languages(_ value: [UInt8]) -> [[UInt8]] {
        var scanner = MIMEScanner(value)
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        while let byte = scanner.peek, result.count < MIMEParameterizedValue.maxParameters {
            if byte == UInt8(ascii: "(") || byte == 32 || byte == 9 {
                scanner.skipCFWS()
            } else if byte == UInt8(ascii: ",") {
                if !current.isEmpty { result.append(current) }
                current = []
                scanner.advance()
            } else {
                current.append(byte)
                scanner.advance()
            }
        }
        if !current.isEmpty, result.count < MIMEParameterizedValue.maxParameters { result.append(current) }
        return result
    }

    /// The number of lines (LF bytes) in `range`.
    static func lineCount(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        var count = 0
        for index in range where bytes[index] == 10 { count += 1 }
        return count
    }
}
