/// The DATA phase's accumulator (RFC 5321 §4.1.1.4, §4.5.2): undoes dot-stuffing, normalises line ends to CRLF,
/// counts the size and stops keeping bytes once the message is over the limit, reading on to the final dot.
struct SMTPMessageContent: Sendable {
    /// The message so far (CRLF line ends, dot-unstuffed); at most `maximumSize` bytes.
    private(set) var bytes: [UInt8] = []
    /// The content's size, counted on even after it went over the limit.
    private(set) var size = 0
    /// Whether the message is over `maximumSize`; its bytes are then no longer kept.
    private(set) var isOverLimit = false
    /// Whether the last input was a ``SMTPLine/part(_:)``: the next input continues that line (no dot handling).
    private var isInsideLine = false
    let maximumSize: Int

    init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    /// Adds one framed input; `true` when it was the final `.` line, which is not content.
    mutating func append(_ line: SMTPLine) -> Bool {
        switch line {
        case .part(let bytes):
            self.keep(self.unstuffed(bytes)[...], lineEnd: false)
            self.isInsideLine = true
        case .complete(let bytes):
            // RFC 5321 §4.1.1.4: "the end of mail data is indicated by a line containing only a period".
            if !self.isInsideLine, bytes == [UInt8(ascii: ".")] { return true }
            self.keep(self.unstuffed(bytes)[...], lineEnd: true)
            self.isInsideLine = false
        }
        return false
    }

    /// RFC 5321 §4.5.2: "If the first character is a period and there are other characters on the line, the first
    /// character is deleted."
    private func unstuffed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        if !self.isInsideLine, bytes.first == UInt8(ascii: ".") { return bytes.dropFirst() }
        return bytes[...]
    }

    private mutating func keep(_ bytes: ArraySlice<UInt8>, lineEnd: Bool) {
        let added = bytes.count + (lineEnd ? 2 : 0)
        self.size = self.size > Int.max - added ? Int.max : self.size + added
        if self.size > self.maximumSize {
            if !self.isOverLimit { self.bytes = [] }
            self.isOverLimit = true
            return
        }
        self.bytes.append(contentsOf: bytes)
        if lineEnd { self.bytes.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")]) }
    }
}
