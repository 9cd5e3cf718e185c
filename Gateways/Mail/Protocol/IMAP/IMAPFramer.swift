import NIOCore

/// Splits the client's byte stream into complete commands (RFC 3501 §2.2): a command is one or more lines, each
/// line but the last ending in a literal announcement `{n}` (synchronising: the server must answer `+` first) or
/// `{n+}` (RFC 7888 LITERAL+: the bytes follow at once), followed by the literal's `n` bytes.
///
/// The framer does no I/O: feed it bytes with `append`, then call `next()` until it returns `nil` ("need more").
/// Every size is bounded before anything is buffered beyond it.
public struct IMAPFramer: Sendable {
    /// Longest command text (all lines of one command, without its literals), RFC 7162 §4 recommends ≥ 8 KiB.
    public static let maximumLineLength = 64 * 1024
    /// Largest total literal size of a command other than APPEND (a login, a search string, a mailbox name).
    public static let maximumCommandLiteralSize = 64 * 1024
    /// Most literals in one command.
    public static let maximumLiteralCount = 1_000
    /// Longest number in a literal announcement.
    static let maximumLiteralDigits = 10

    /// What the framer found.
    public enum Frame: Sendable, Equatable {
        /// The bytes of one whole command, from its tag up to and including the final line end.
        case command(ByteBuffer)
        /// The client announced a synchronising literal: the server must send a continuation request
        /// (`+ Ready for literal data`) before the client sends it.
        case continuationRequest
        /// A framing error; the bytes of the offending command have been skipped.
        case error(IMAPFramingError)
    }

    private enum State: Sendable {
        /// Scanning the current line for its end.
        case line
        /// Inside a literal, this many bytes still to come.
        case literal(remaining: Int)
        /// Dropping everything up to the next line end (after a line that was too long).
        case skippingLine
    }

    private var buffer: ByteBuffer
    private var state: State = .line
    /// Bytes of the current command already scanned, from `buffer.readerIndex`.
    private var scanned = 0
    /// Where the current line starts, from `buffer.readerIndex`.
    private var lineStart = 0
    private var textBytes = 0
    private var literalBytes = 0
    private var literalCount = 0
    /// The largest APPEND literal accepted (the store's maximum message size).
    public let maximumAppendLiteralSize: Int

    public init(maximumAppendLiteralSize: Int, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.maximumAppendLiteralSize = maximumAppendLiteralSize
        self.buffer = allocator.buffer(capacity: 1024)
    }

    /// Adds bytes received from the client.
    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        self.buffer.writeBuffer(&bytes)
    }

    /// Bytes buffered but not yet returned.
    public var bufferedByteCount: Int { self.buffer.readableBytes }

    /// Returns one line (without its CRLF) as is, for the AUTHENTICATE continuation and the IDLE `DONE`; `nil` if no
    /// whole line is buffered yet. Only call between commands. A line over `maximumLineLength` throws `lineTooLong`
    /// and is skipped.
    public mutating func nextLine() throws(IMAPFramingError) -> ByteBuffer? {
        if case .skippingLine = self.state {
            guard self.skipToLineEnd() else { return nil }
        }
        let view = self.buffer.readableBytesView
        guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > Self.maximumLineLength {
                self.state = .skippingLine
                self.buffer.moveReaderIndex(forwardBy: view.count)
                self.resetCommand()
                throw .lineTooLong(tag: nil)
            }
            return nil
        }
        let length = lf - view.startIndex
        guard var line = self.buffer.readSlice(length: length + 1) else { return nil }
        line.moveWriterIndex(to: line.writerIndex - 1)
        if line.getInteger(at: line.writerIndex &- 1, as: UInt8.self) == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        self.compact()
        return line
    }

    /// The next frame, or `nil` when more bytes are needed.
    public mutating func next() -> Frame? {
        while true {
            switch self.state {
            case .skippingLine:
                guard self.skipToLineEnd() else { return nil }
            case .literal(let remaining):
                let available = self.buffer.readableBytes - self.scanned
                if available < remaining {
                    self.scanned += available
                    self.state = .literal(remaining: remaining - available)
                    return nil
                }
                self.scanned += remaining
                self.lineStart = self.scanned
                self.state = .line
            case .line:
                switch self.scanLine() {
                case .frame(let frame): return frame
                case .needMore: return nil
                case .again: continue
                }
            }
        }
    }

    // MARK: - Lines

    private enum Step {
        case frame(Frame)
        case needMore
        case again
    }

    private mutating func scanLine() -> Step {
        let view = self.buffer.readableBytesView
        let searchStart = view.startIndex + self.scanned
        guard let lf = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            let pending = view.count - self.lineStart
            if self.textBytes + pending > Self.maximumLineLength {
                let tag = self.currentTag()
                self.state = .skippingLine
                self.buffer.moveReaderIndex(forwardBy: view.count)
                self.resetCommand()
                self.compact()
                return .frame(.error(.lineTooLong(tag: tag)))
            }
            self.scanned = view.count
            return .needMore
        }
        let lineEnd = lf - view.startIndex  // offset of LF
        self.textBytes += lineEnd + 1 - self.lineStart
        if self.textBytes > Self.maximumLineLength {
            let tag = self.currentTag()
            self.buffer.moveReaderIndex(forwardBy: lineEnd + 1)
            self.resetCommand()
            self.compact()
            return .frame(.error(.lineTooLong(tag: tag)))
        }
        guard let announcement = self.literalAnnouncement(lineEndOffset: lineEnd) else {
            guard let command = self.buffer.readSlice(length: lineEnd + 1) else { return .needMore }
            self.resetCommand()
            self.compact()
            return .frame(.command(command))
        }
        let tag = self.currentTag()
        let isAppend = self.currentCommandName() == "APPEND"
        let limit = isAppend ? self.maximumAppendLiteralSize : Self.maximumCommandLiteralSize
        self.literalCount += 1
        var failure: IMAPFramingError?
        if announcement.isBinary {
            failure = .literal8NotSupported(tag: tag, nonSynchronizing: announcement.nonSynchronizing)
        } else if announcement.size > limit - self.literalBytes || self.literalCount > Self.maximumLiteralCount {
            failure = .literalTooLarge(tag: tag, isAppend: isAppend, nonSynchronizing: announcement.nonSynchronizing)
        }
        if let failure {
            // RFC 7888 §4: refuse a synchronising literal without sending "+", so the client never sends it.
            self.buffer.moveReaderIndex(forwardBy: lineEnd + 1)
            self.resetCommand()
            self.compact()
            return .frame(.error(failure))
        }
        self.literalBytes += announcement.size
        self.scanned = lineEnd + 1
        self.state = .literal(remaining: announcement.size)
        return announcement.nonSynchronizing ? .again : .frame(.continuationRequest)
    }

    private struct Announcement {
        var size: Int
        var nonSynchronizing: Bool
        var isBinary: Bool
    }

    /// `{n}` / `{n+}` / `~{n}` just before the line end at `lineEndOffset` (the LF).
    private func literalAnnouncement(lineEndOffset: Int) -> Announcement? {
        let base = self.buffer.readerIndex
        var index = lineEndOffset - 1
        if index >= self.lineStart, self.buffer.getInteger(at: base + index, as: UInt8.self) == UInt8(ascii: "\r") {
            index -= 1
        }
        guard index >= self.lineStart, self.buffer.getInteger(at: base + index, as: UInt8.self) == UInt8(ascii: "}")
        else { return nil }
        index -= 1
        var nonSynchronizing = false
        if index >= self.lineStart, self.buffer.getInteger(at: base + index, as: UInt8.self) == UInt8(ascii: "+") {
            nonSynchronizing = true
            index -= 1
        }
        var size = 0
        var digits = 0
        var multiplier = 1
        while index >= self.lineStart, let byte = self.buffer.getInteger(at: base + index, as: UInt8.self),
            byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9")
        {
            digits += 1
            guard digits <= Self.maximumLiteralDigits else { return nil }
            size += Int(byte - UInt8(ascii: "0")) * multiplier
            multiplier *= 10
            index -= 1
        }
        guard digits > 0, index >= self.lineStart,
            self.buffer.getInteger(at: base + index, as: UInt8.self) == UInt8(ascii: "{")
        else { return nil }
        let isBinary =
            index > self.lineStart && self.buffer.getInteger(at: base + index - 1, as: UInt8.self) == UInt8(ascii: "~")
        return Announcement(size: size, nonSynchronizing: nonSynchronizing, isBinary: isBinary)
    }

    /// The tag at the start of the current command, if it looks like one.
    private func currentTag() -> String? {
        self.token(number: 0).flatMap { bytes in
            bytes.allSatisfy { IMAPGrammar.isAtomChar($0) && $0 != UInt8(ascii: "+") }
                ? String(decoding: bytes, as: UTF8.self) : nil
        }
    }

    private func currentCommandName() -> String? {
        self.token(number: 1).map { String(decoding: $0, as: UTF8.self).uppercased() }
    }

    /// The `number`th space-separated token of the command's first line (at most 64 bytes).
    private func token(number: Int) -> [UInt8]? {
        let view = self.buffer.readableBytesView.prefix(256)
        var tokens: [[UInt8]] = [[]]
        for byte in view {
            if byte == UInt8(ascii: " ") {
                if tokens.count > number { break }
                tokens.append([])
            } else if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                break
            } else {
                tokens[tokens.count - 1].append(byte)
            }
        }
        guard tokens.count > number, !tokens[number].isEmpty, tokens[number].count <= 64 else { return nil }
        return tokens[number]
    }

    /// Drops bytes up to and including the next LF; `false` if none is buffered yet (all is dropped).
    private mutating func skipToLineEnd() -> Bool {
        let view = self.buffer.readableBytesView
        guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else {
            self.buffer.moveReaderIndex(forwardBy: view.count)
            self.compact()
            return false
        }
        self.buffer.moveReaderIndex(forwardBy: lf - view.startIndex + 1)
        self.resetCommand()
        self.state = .line
        return true
    }

    private mutating func resetCommand() {
        self.scanned = 0
        self.lineStart = 0
        self.textBytes = 0
        self.literalBytes = 0
        self.literalCount = 0
    }

    private mutating func compact() {
        if self.buffer.readerIndex > 64 * 1024 || self.buffer.readableBytes == 0 {
            self.buffer.discardReadBytes()
        }
    }
}

/// Why the framer refused a command.
public enum IMAPFramingError: Error, Hashable, Sendable {
    /// The command text went over `IMAPFramer.maximumLineLength`; the rest of the line is skipped.
    case lineTooLong(tag: String?)
    /// A literal over the limit; for a synchronising one no `+` was sent.
    case literalTooLarge(tag: String?, isAppend: Bool, nonSynchronizing: Bool)
    /// `~{n}` (RFC 3516 BINARY), which this server does not offer.
    case literal8NotSupported(tag: String?, nonSynchronizing: Bool)

    /// A non-synchronising literal that was refused is already on its way: the connection must close
    /// (RFC 7888 §4).
    public var closesConnection: Bool {
        switch self {
        case .lineTooLong: false
        case .literalTooLarge(_, _, let nonSynchronizing): nonSynchronizing
        case .literal8NotSupported(_, let nonSynchronizing): nonSynchronizing
        }
    }
}
