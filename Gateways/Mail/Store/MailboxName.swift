/// The store's rules for mailbox names. RFC 3501 §5.1: "The case-insensitive mailbox name INBOX is a special name
/// reserved to mean 'the primary mailbox for this user on this server'"; every other name is kept byte for byte, with
/// `/` as the hierarchy delimiter.
enum MailboxName {
    /// Longest name in UTF-8 bytes.
    static let maximumByteCount = 255
    /// The primary mailbox, always spelled in capitals.
    static let inbox = "INBOX"

    /// `inbox` in any ASCII case becomes `INBOX`; every other name is returned as given (no validation: for looking up).
    static func normalized(_ name: String) -> String {
        Self.isInbox(name) ? Self.inbox : name
    }

    /// Whether the name is INBOX in any ASCII case.
    static func isInbox(_ name: String) -> Bool {
        let bytes = name.utf8
        return bytes.count == 5 && zip(bytes, Self.inbox.utf8).allSatisfy { ($0 & ~0x20) == $1 }
    }

    /// The normalized name if the store accepts it for a new mailbox, else `.invalidMailboxName`: not empty, at most
    /// `maximumByteCount` bytes, no control characters, no `*` or `%` (RFC 3501 §6.3.8 wildcards), no leading or
    /// trailing `/`, and no empty, `.` or `..` component.
    static func validated(_ name: String) throws(MailStoreError) -> String {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= Self.maximumByteCount else { throw .invalidMailboxName(name) }
        for scalar in name.unicodeScalars {
            let value = scalar.value
            guard value >= 0x20, value != 0x7f, !(0x80...0x9f).contains(value), scalar != "*", scalar != "%" else {
                throw .invalidMailboxName(name)
            }
        }
        for component in name.split(separator: Mailbox.delimiter, omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else { throw .invalidMailboxName(name) }
        }
        return Self.normalized(name)
    }

    /// Whether `name` is an inferior of `parent` (`parent/…`), comparing bytes.
    static func isInferior(_ name: String, of parent: String) -> Bool {
        let prefix = parent.utf8.count
        let bytes = name.utf8
        return bytes.count > prefix + 1 && bytes.starts(with: parent.utf8)
            && bytes[bytes.index(bytes.startIndex, offsetBy: prefix)] == UInt8(ascii: "/")
    }

    /// `name` with its leading `parent` replaced by `newParent` (for an inferior of `parent`).
    static func replacingParent(of name: String, _ parent: String, with newParent: String) -> String {
        newParent + String(decoding: name.utf8.dropFirst(parent.utf8.count), as: UTF8.self)
    }
}
