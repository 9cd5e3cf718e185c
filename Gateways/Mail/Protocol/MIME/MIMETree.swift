/// The MIME tree of a message, built in one bounded pass without recursion: every multipart body is scanned once for
/// its own boundary lines (so the work is at most `maxDepth` times the message size), at most `maxParts` nodes are
/// created and nodes deeper than `maxDepth` are left opaque.
struct MIMETree: Sendable {
    /// Deeper multiparts and embedded messages are treated as opaque `application/octet-stream` leaves.
    static let maxDepth = 32
    /// At most this many nodes (parts and embedded messages) per message; after that, bodies are not split further.
    static let maxParts = 1_000
    /// RFC 2046 §5.1.1: boundaries are at most 70 characters; longer ones are still accepted up to this length.
    static let maxBoundaryLength = 200

    /// The nodes; index 0 is the top-level message.
    private(set) var parts: [MIMEPart] = []

    init(bytes: [UInt8], topHeader: MIMEHeader) {
        let bodyRange = topHeader.bodyStart..<bytes.count
        self.parts.append(
            MIMETree.makePart(bytes: bytes, header: topHeader, bodyRange: bodyRange, depth: 0, digest: false)
        )
        var pending = [0]
        while let index = pending.popLast() {
            let part = self.parts[index]
            if part.kind != .leaf, self.parts.count >= MIMETree.maxParts {
                self.parts[index].kind = .leaf
                self.parts[index].type = Array("application".utf8)
                self.parts[index].subtype = Array("octet-stream".utf8)
                self.parts[index].writtenType = self.parts[index].type
                self.parts[index].writtenSubtype = self.parts[index].subtype
                continue
            }
            switch part.kind {
            case .leaf:
                continue
            case .message:
                let header = MIMEHeader(parsing: bytes, in: part.bodyRange)
                let child = MIMETree.makePart(
                    bytes: bytes,
                    header: header,
                    bodyRange: header.bodyStart..<part.bodyRange.upperBound,
                    depth: part.depth + 1,
                    digest: false
                )
                self.parts[index].children = [self.parts.count]
                pending.append(self.parts.count)
                self.parts.append(child)
            case .multipart:
                var boundary = part.contentType?.parameter("boundary") ?? []
                if boundary.count > MIMETree.maxBoundaryLength { boundary = [] }
                let ranges = MIMETree.bodyParts(
                    bytes: bytes,
                    in: part.bodyRange,
                    boundary: boundary,
                    limit: MIMETree.maxParts - self.parts.count
                )
                let digest = part.subtype == Array("digest".utf8)
                var children: [Int] = []
                for range in ranges {
                    let header = MIMEHeader(parsing: bytes, in: range)
                    children.append(self.parts.count)
                    self.parts.append(
                        MIMETree.makePart(
                            bytes: bytes,
                            header: header,
                            bodyRange: header.bodyStart..<range.upperBound,
                            depth: part.depth + 1,
                            digest: digest
                        )
                    )
                }
                // Children are pushed in reverse so they are opened in order (only matters for the part budget).
                pending.append(contentsOf: children.reversed())
                self.parts[index].children = children
            }
        }
    }

    /// Builds a node from its header: RFC 2045 §5.2 default `text/plain` (RFC 2046 §5.1.5: `message/rfc822` inside
    /// `multipart/digest`), also for a malformed `Content-Type`. A multipart without a boundary stays a multipart
    /// with no parts (as in Dovecot).
    static func makePart(bytes: [UInt8], header: MIMEHeader, bodyRange: Range<Int>, depth: Int, digest: Bool) -> MIMEPart {
        let contentType = header.first("content-type", in: bytes).map {
            MIMEParameterizedValue(parsing: $0.valueBytes(in: bytes))
        }
        var writtenType = Array((digest ? "message" : "text").utf8)
        var writtenSubtype = Array((digest ? "rfc822" : "plain").utf8)
        if let value = contentType?.value, let slash = value.firstIndex(of: UInt8(ascii: "/")) {
            let major = Array(value[..<slash])
            let minor = Array(value[(slash + 1)...])
            if !major.isEmpty, !minor.isEmpty, MIMETree.isToken(major), MIMETree.isToken(minor) {
                writtenType = major
                writtenSubtype = minor
            }
        }
        var type = writtenType.map(MIMEHeader.lower)
        var subtype = writtenSubtype.map(MIMEHeader.lower)
        var kind = MIMEPart.Kind.leaf
        if type == MIMETree.multipartType {
            kind = .multipart
        } else if type == MIMETree.messageType, subtype == MIMETree.rfc822Subtype {
            kind = .message
        }
        if kind != .leaf, depth >= MIMETree.maxDepth {
            kind = .leaf
            type = Array("application".utf8)
            subtype = Array("octet-stream".utf8)
            writtenType = type
            writtenSubtype = subtype
        }
        return MIMEPart(
            header: header,
            bodyRange: bodyRange,
            type: type,
            subtype: subtype,
            writtenType: writtenType,
            writtenSubtype: writtenSubtype,
            contentType: contentType,
            kind: kind,
            depth: depth
        )
    }

    /// RFC 2045 §5.1 token: no controls, spaces or tspecials.
    static func isToken(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { byte in byte > 32 && byte < 127 && !MIMETree.tspecials.contains(byte) }
    }

    static let multipartType = Array("multipart".utf8)
    static let messageType = Array("message".utf8)
    static let rfc822Subtype = Array("rfc822".utf8)
    static let tspecials = Array("()<>@,;:\\\"/[]?=".utf8)

    /// RFC 2046 §5.1.1: splits a multipart body at its delimiter lines (`--boundary`, the close delimiter
    /// `--boundary--`, optional trailing whitespace). The line break before a delimiter belongs to the delimiter;
    /// the preamble and epilogue are dropped. Without any delimiter line the body has no parts. At most `limit`
    /// parts: after that the last part runs to the end of the body.
    static func bodyParts(bytes: [UInt8], in body: Range<Int>, boundary: [UInt8], limit: Int) -> [Range<Int>] {
        guard limit > 0, !boundary.isEmpty else { return [] }
        var parts: [Range<Int>] = []
        var partStart: Int?
        var lineStart = body.lowerBound
        let end = body.upperBound
        while lineStart < end {
            let lineEnd = MIMEHeader.lineEnd(bytes, from: lineStart, end: end)
            if let isClose = MIMETree.delimiter(bytes, at: lineStart, lineEnd: lineEnd, boundary: boundary) {
                if let start = partStart {
                    if parts.count + 1 >= limit, !isClose {
                        parts.append(start..<end)
                        return parts
                    }
                    var contentEnd = lineStart
                    if contentEnd > start, bytes[contentEnd - 1] == 10 { contentEnd -= 1 }
                    if contentEnd > start, bytes[contentEnd - 1] == 13 { contentEnd -= 1 }
                    parts.append(start..<contentEnd)
                }
                if isClose { return parts }
                partStart = lineEnd
            }
            lineStart = lineEnd
        }
        if let start = partStart { parts.append(start..<end) }
        return parts
    }

    /// Whether the line is a delimiter for `boundary`: `nil` if not, `true` for the close delimiter.
    static func delimiter(_ bytes: [UInt8], at lineStart: Int, lineEnd: Int, boundary: [UInt8]) -> Bool? {
        let length = boundary.count + 2
        guard lineEnd - lineStart >= length, bytes[lineStart] == UInt8(ascii: "-"), bytes[lineStart + 1] == UInt8(ascii: "-")
        else { return nil }
        var index = lineStart + 2
        for byte in boundary {
            if bytes[index] != byte { return nil }
            index += 1
        }
        var isClose = false
        if index + 1 < lineEnd, bytes[index] == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: "-") {
            isClose = true
            index += 2
        }
        while index < lineEnd {
            let byte = bytes[index]
            guard byte == 32 || byte == 9 || byte == 13 || byte == 10 else { return nil }
            index += 1
        }
        return isClose
    }
}
