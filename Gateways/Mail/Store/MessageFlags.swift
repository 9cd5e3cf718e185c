/// A message's flags: the system flags of RFC 3501 §2.3.2 (`\Seen` `\Answered` `\Flagged` `\Deleted` `\Draft`,
/// spelled canonically whatever case the client used) and keywords (atoms such as `$Forwarded`, kept as given).
public struct MessageFlags: Hashable, Sendable {
    public private(set) var flags: Set<String>

    public static let seen = "\\Seen"
    public static let answered = "\\Answered"
    public static let flagged = "\\Flagged"
    public static let deleted = "\\Deleted"
    public static let draft = "\\Draft"
    public static let systemFlags = [seen, answered, flagged, deleted, draft]

    /// Most flags one message may carry; more are refused rather than stored.
    public static let maximumCount = 64
    /// Longest keyword in bytes.
    public static let maximumFlagByteCount = 128

    public init(_ flags: some Sequence<String> = []) {
        self.flags = Set(flags.map(Self.canonical))
    }

    /// `\seen` → `\Seen`; keywords unchanged.
    public static func canonical(_ flag: String) -> String {
        Self.systemFlags.first { $0.lowercased() == flag.lowercased() } ?? flag
    }

    public func contains(_ flag: String) -> Bool { self.flags.contains(Self.canonical(flag)) }
    public mutating func insert(_ flag: String) { self.flags.insert(Self.canonical(flag)) }
    public mutating func remove(_ flag: String) { self.flags.remove(Self.canonical(flag)) }
    public mutating func formUnion(_ other: MessageFlags) { self.flags.formUnion(other.flags) }
    public mutating func subtract(_ other: MessageFlags) { self.flags.subtract(other.flags) }

    /// System flags first in RFC order, then keywords sorted: a stable order for FETCH responses and storage.
    public var sorted: [String] {
        Self.systemFlags.filter { self.flags.contains($0) }
            + self.flags.filter { !Self.systemFlags.contains($0) }.sorted()
    }

    /// The flags as stored: space-separated in `sorted` order.
    public var storageString: String { self.sorted.joined(separator: " ") }

    public init(storageString: String) {
        self.init(storageString.split(separator: " ").map(String.init))
    }
}

/// How `STORE` changes flags.
public enum FlagOperation: Hashable, Sendable {
    case add(MessageFlags)
    case remove(MessageFlags)
    case replace(MessageFlags)
}
