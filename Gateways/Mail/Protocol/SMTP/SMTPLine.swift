/// What the line framer (`ByteBuffer.readSMTPLine`) takes off the input.
public enum SMTPLine: Hashable, Sendable {
    /// A whole line without its terminator (CRLF, or a bare LF, which is tolerated).
    case complete([UInt8])
    /// The first bytes of a line longer than the framer's limit; more of the same line follows. In the command phase
    /// the session discards the line and answers `500 5.5.2`; in the data phase it is message content.
    case part([UInt8])
}
