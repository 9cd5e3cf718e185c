import MyceliumCore
import MyceliumCrypto

/// Which remote nodes a gateway accepts, from configuration strings (e.g. `allow_nodes = ["*"]`).
///
/// Each entry is one of:
/// - `*`: any node;
/// - 64 hex characters: the node with that public key;
/// - an overlay address (inside `400::/7`): the node with that address;
/// - an overlay subnet `address/length` (inside `400::/7`, length 7–128): the nodes whose address lies in it.
///
/// A node is allowed if any entry matches it; an empty list allows nobody.
public struct NodeAllowList: Hashable, Sendable {
    /// One parsed entry.
    public enum Entry: Hashable, Sendable {
        case anyNode
        case publicKey(X25519.PublicKey)
        case subnet(Subnet)
    }

    /// Longest entry text accepted, in characters.
    public static let maximumEntryLength = 128

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses configuration strings; the error names the first bad entry.
    public init(entries: [String]) throws(NodeAllowListError) {
        var parsed: [Entry] = []
        parsed.reserveCapacity(entries.count)
        for text in entries { parsed.append(try Self.parse(text)) }
        self.entries = parsed
    }

    /// Every node.
    public static let everyone = NodeAllowList(entries: [Entry.anyNode])
    /// No node.
    public static let nobody = NodeAllowList(entries: [Entry]())

    /// Whether the node with public key `key` (and so address `key.overlayAddress`) is allowed.
    public func allows(_ key: X25519.PublicKey) -> Bool {
        guard !self.entries.isEmpty else { return false }
        let address = key.overlayAddress
        return self.entries.contains { entry in
            switch entry {
            case .anyNode: true
            case .publicKey(let allowed): allowed == key
            case .subnet(let subnet): subnet.contains(address)
            }
        }
    }

    /// Parses one entry.
    static func parse(_ raw: String) throws(NodeAllowListError) -> Entry {
        let text = raw.trimmingASCIIWhitespace
        guard !text.isEmpty, text.utf8.count <= Self.maximumEntryLength else {
            throw NodeAllowListError(entry: raw, reason: "expected '*', a public key, an overlay address or subnet")
        }
        if text == "*" { return .anyNode }
        if text.utf8.count == 2 * X25519.keyByteCount, text.utf8.allSatisfy(\.isASCIIHexDigit) {
            guard let key = try? X25519.PublicKey(hexString: text) else {
                throw NodeAllowListError(entry: raw, reason: "not a public key")
            }
            return .publicKey(key)
        }
        guard let subnet = Subnet(text) else {
            throw NodeAllowListError(
                entry: raw, reason: "expected '*', 64 hex characters, an IPv6 address or an IPv6 subnet")
        }
        guard Subnet.overlay.contains(subnet) else {
            throw NodeAllowListError(entry: raw, reason: "not inside the overlay range \(Subnet.overlay)")
        }
        return .subnet(subnet)
    }
}

/// A bad node allow-list entry in the configuration.
public struct NodeAllowListError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The entry as written.
    public var entry: String
    public var reason: String

    public init(entry: String, reason: String) {
        self.entry = entry
        self.reason = reason
    }

    public var description: String { "invalid node allow-list entry '\(self.entry)': \(self.reason)" }
}

extension UInt8 {
    fileprivate var isASCIIHexDigit: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default: false
        }
    }
}

extension String {
    fileprivate var trimmingASCIIWhitespace: String {
        let bytes = Array(self.utf8)
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[start...end], as: UTF8.self)
    }
}
