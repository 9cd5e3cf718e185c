/// A `search-key` (RFC 3501 §6.4.4). Dates are days since 1970-01-01 (the time of day and zone are ignored, as
/// the RFC says); strings are matched as case-insensitive substrings.
public indirect enum IMAPSearchKey: Hashable, Sendable {
    case all
    case answered, deleted, draft, flagged, seen, recent, new, old
    case unanswered, undeleted, undraft, unflagged, unseen
    case keyword(String)
    case unkeyword(String)
    case bcc(String), cc(String), from(String), to(String), subject(String)
    case body(String)
    case text(String)
    case header(String, String)
    case before(day: Int64), on(day: Int64), since(day: Int64)
    case sentBefore(day: Int64), sentOn(day: Int64), sentSince(day: Int64)
    case larger(Int), smaller(Int)
    case uid(IMAPSequenceSet)
    case sequenceNumbers(IMAPSequenceSet)
    case not(IMAPSearchKey)
    case or(IMAPSearchKey, IMAPSearchKey)
    /// A parenthesised list or the top-level list: every key must match.
    case and([IMAPSearchKey])

    /// Deepest nesting of `NOT`, `OR` and parentheses the parser accepts.
    public static let maximumDepth = 32

    /// Whether evaluating the key needs the message's bytes (headers or text), not just its metadata.
    public var needsMessageBytes: Bool {
        switch self {
        case .bcc, .cc, .from, .to, .subject, .body, .text, .header, .sentBefore, .sentOn, .sentSince: true
        case .not(let key): key.needsMessageBytes
        case .or(let a, let b): a.needsMessageBytes || b.needsMessageBytes
        case .and(let keys): keys.contains { $0.needsMessageBytes }
        case .all, .answered, .deleted, .draft, .flagged, .seen, .recent, .new, .old, .unanswered, .undeleted,
            .undraft, .unflagged, .unseen, .keyword, .unkeyword, .before, .on, .since, .larger, .smaller, .uid,
            .sequenceNumbers:
            false
        }
    }
}
