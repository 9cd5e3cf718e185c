/// A `section` of a `BODY[section]<partial>` fetch (RFC 3501 §6.4.5, RFC 9051 §6.4.5): a part path and what to take
/// from that part.
public struct MessageSection: Hashable, Sendable {
    /// What to take from the part.
    public enum Kind: Hashable, Sendable {
        /// `BODY[]` / `BODY[1.2]`: the whole message, or the part's body (a `message/rfc822` part's whole message).
        case full
        /// `HEADER`: the header, including the blank line that ends it.
        case header
        /// `HEADER.FIELDS (A B)`: only the named fields (case-insensitive), in message order, plus the blank line.
        case headerFields([String])
        /// `HEADER.FIELDS.NOT (A B)`: every field but the named ones, plus the blank line.
        case headerFieldsNot([String])
        /// `TEXT`: the body after the header.
        case text
        /// `1.MIME`: the MIME header of a part (only with a non-empty part path).
        case mime
    }

    /// 1-based part numbers; empty for the top level.
    public var part: [Int]
    public var kind: Kind

    public init(part: [Int] = [], kind: Kind = .full) {
        self.part = part
        self.kind = kind
    }
}

/// `<origin.count>` after a section: a byte range of the section's content.
public struct MessagePartial: Hashable, Sendable {
    public var origin: Int
    public var count: Int

    public init(origin: Int, count: Int) {
        self.origin = origin
        self.count = count
    }
}
