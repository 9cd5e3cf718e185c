import NIOCore

/// One header field as written: the name as it appears before the colon and the value unfolded (RFC 5322 §2.2.3:
/// CRLF removed, the folding whitespace kept), with leading and trailing whitespace trimmed. Encoded words are not
/// decoded.
public struct MIMEHeaderField: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A parsed RFC 5322 / MIME message over its raw bytes (never fails: anything malformed degrades to text/plain).
///
/// `init` only scans the top-level header (one pass, no copy of the bytes); the MIME tree is built on demand, in
/// one bounded linear pass, by the calls that need it (`writeBodyStructure`, `section` with a part path,
/// `searchableText`).
public struct MIMEMessage: Sendable {
    /// The raw message.
    public let bytes: [UInt8]
    /// The top-level header's fields and where it ends.
    let header: MIMEHeader

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.header = MIMEHeader(parsing: bytes, in: 0..<bytes.count)
    }

    /// The top-level header fields in order, unfolded values, names as written.
    public var headerFields: [MIMEHeaderField] {
        self.header.fields.map { MIMEHeaderField(name: $0.name(in: self.bytes), value: $0.value(in: self.bytes)) }
    }

    /// First value of a field (case-insensitive name), raw/unfolded.
    public func headerValue(_ name: String) -> String? {
        self.header.first(name, in: self.bytes).map { $0.value(in: self.bytes) }
    }

    /// RFC 3501 §7.4.2 ENVELOPE, written as IMAP syntax `("date" "subject" ((…)) …)`.
    public func writeEnvelope(into buffer: inout ByteBuffer) {
        MIMEMessage.writeEnvelope(bytes: self.bytes, header: self.header, into: &buffer)
    }

    /// RFC 3501 §7.4.2 BODYSTRUCTURE (`extensible: true`, with the extension data) or BODY (`false`).
    public func writeBodyStructure(into buffer: inout ByteBuffer, extensible: Bool) {
        let tree = MIMETree(bytes: self.bytes, topHeader: self.header)
        MIMEMessage.writeBody(tree: tree, index: 0, bytes: self.bytes, extensible: extensible, into: &buffer)
    }

    /// The bytes of `BODY[section]` (RFC 3501 §6.4.5); `nil` when the part does not exist (the server then returns
    /// an empty string). A part's `HEADER`, `HEADER.FIELDS[.NOT]` and `TEXT` exist only for `message/rfc822` parts;
    /// `MIME` only with a part number.
    public func section(_ section: MessageSection) -> ArraySlice<UInt8>? {
        if section.part.isEmpty {
            return self.messageSection(section.kind, header: self.header, end: self.bytes.count)
        }
        let tree = MIMETree(bytes: self.bytes, topHeader: self.header)
        guard let index = MIMEMessage.resolve(section.part, in: tree) else { return nil }
        let part = tree.parts[index]
        switch section.kind {
        case .full:
            return self.bytes[part.bodyRange]
        case .mime:
            return self.bytes[part.header.range]
        case .header, .text, .headerFields, .headerFieldsNot:
            guard part.kind == .message, let embedded = part.children.first else { return nil }
            let message = tree.parts[embedded]
            return self.messageSection(section.kind, header: message.header, end: message.bodyRange.upperBound)
        }
    }

    /// For SEARCH: every value of the field `name` (case-insensitive), unfolded, RFC 2047 encoded words decoded
    /// (UTF-8, ISO-8859-1/-15, Windows-1252, US-ASCII; Q and B).
    public func decodedHeaderValues(_ name: String) -> [String] {
        self.header.all(name, in: self.bytes).map { MIMEEncodedWord.decode($0.valueBytes(in: self.bytes)) }
    }

    /// For SEARCH BODY/TEXT: the decoded bodies of the text/* parts (quoted-printable and base64 decoded, charset
    /// converted as best effort), joined by newlines; at most `maxSearchableBytes` decoded bytes.
    public var searchableText: String {
        let tree = MIMETree(bytes: self.bytes, topHeader: self.header)
        var text = ""
        var budget = MIMEMessage.maxSearchableBytes
        for part in tree.parts where part.kind == .leaf && part.type == Array("text".utf8) && budget > 0 {
            let body = self.bytes[part.bodyRange.lowerBound..<min(part.bodyRange.upperBound, part.bodyRange.lowerBound + budget * 2)]
            let encoding = part.header.first("content-transfer-encoding", in: self.bytes)
                .map { $0.valueBytes(in: self.bytes).map(MIMEHeader.lower) } ?? []
            var decoded: [UInt8]
            switch String(decoding: encoding, as: UTF8.self) {
            case "quoted-printable": decoded = MIMETransferEncoding.decodeQuotedPrintable(body)
            case "base64": decoded = MIMETransferEncoding.decodeBase64(body)
            default: decoded = Array(body)
            }
            if decoded.count > budget { decoded.removeSubrange(budget...) }
            budget -= decoded.count
            let charset = part.contentType?.parameter("charset").map { MIMECharset(name: $0) } ?? .unknown
            if !text.isEmpty { text += "\n" }
            text += charset.decode(decoded)
        }
        return text
    }

    /// `searchableText` decodes at most this many bytes (1 MiB).
    public static let maxSearchableBytes = 1 << 20

    /// The Date header (RFC 5322 §3.3) as seconds since 1970 UTC (`nil` if absent or unparseable).
    public var sentDate: Int64? {
        guard let field = self.header.first("date", in: self.bytes) else { return nil }
        return MIMEDate.parse(field.valueBytes(in: self.bytes))
    }
}
