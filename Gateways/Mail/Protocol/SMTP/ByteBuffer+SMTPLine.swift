import NIOCore

extension ByteBuffer {
    /// Reads the next SMTP line, or `nil` (reading nothing) when more bytes are needed.
    ///
    /// RFC 5321 §2.3.8: lines end with CRLF; a bare LF is accepted as a line end too (smtplib and others send one in
    /// bodies, which the session normalises to CRLF). A line whose content exceeds `maximumLength` bytes is returned
    /// in ``SMTPLine/part(_:)`` pieces of at most `maximumLength` bytes — never ending in CR, so a CRLF is never split
    /// — and its end as a ``SMTPLine/complete(_:)``. So at most `maximumLength + 2` bytes are ever looked at and the
    /// caller's buffer never has to hold more than that.
    public mutating func readSMTPLine(maximumLength: Int) -> SMTPLine? {
        let limit = Swift.max(maximumLength, 2)
        let view = self.readableBytesView
        let window = view.prefix(limit + 2)
        if let newline = window.firstIndex(of: UInt8(ascii: "\n")) {
            let length = view.distance(from: view.startIndex, to: newline)
            var contentLength = length
            if contentLength > 0, view[view.index(view.startIndex, offsetBy: contentLength - 1)] == UInt8(ascii: "\r") {
                contentLength -= 1
            }
            guard let content = self.readBytes(length: contentLength) else { return nil }
            self.moveReaderIndex(forwardBy: length - contentLength + 1)
            return .complete(content)
        }
        guard self.readableBytes >= limit + 2 else { return nil }
        var partLength = limit
        if view[view.index(view.startIndex, offsetBy: partLength - 1)] == UInt8(ascii: "\r") { partLength -= 1 }
        guard let part = self.readBytes(length: partLength) else { return nil }
        return .part(part)
    }
}
