/// A LIST/LSUB pattern (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the hierarchy delimiter. The
/// reference name is prefixed to the pattern; `INBOX` matches case-insensitively.
public struct IMAPMailboxPattern: Sendable {
    /// Longest pattern accepted; patterns are matched in O(pattern × name).
    public static let maximumLength = 1_024

    let pattern: [UInt8]
    let delimiter = UInt8(ascii: "/")

    public init(reference: String, pattern: String) {
        // RFC 3501 §6.3.8: the reference and the pattern are interpreted together (concatenated).
        let full = reference + pattern
        self.pattern = Array(IMAPParser.normalizedMailbox(full).utf8.prefix(Self.maximumLength))
    }

    /// Whether `name` matches.
    public func matches(_ name: String) -> Bool {
        let name = Array(name.utf8)
        // Dynamic programming over (pattern position, name position); `reachable[j]`: name[..<j] matched so far.
        var reachable = [Bool](repeating: false, count: name.count + 1)
        reachable[0] = true
        for symbol in self.pattern {
            var next = [Bool](repeating: false, count: name.count + 1)
            switch symbol {
            case UInt8(ascii: "*"):
                var on = false
                for j in 0...name.count {
                    on = on || reachable[j]
                    next[j] = on
                }
            case UInt8(ascii: "%"):
                var on = false
                for j in 0...name.count {
                    if j > 0, name[j - 1] == self.delimiter { on = false }
                    on = on || reachable[j]
                    next[j] = on
                }
            default:
                for j in 0..<name.count where reachable[j] && name[j] == symbol {
                    next[j + 1] = true
                }
            }
            reachable = next
            guard reachable.contains(true) else { return false }
        }
        return reachable[name.count]
    }
}
