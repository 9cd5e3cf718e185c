/// What one mail gateway sends another over the message bus, on the topic `mycelium-mail/1`: a message for some of the
/// destination node's users, or the destination's report on such a message. The version is the first byte, so a later
/// format can live beside this one. The sending node is not in the envelope: the bus proves it (the message decrypted
/// with its key), and the receiver names it `user@<its address as 32 hex digits>.mycelium`.
///
/// Layout (integers big-endian; every length is checked before use — see `ByteBuffer+MailEnvelope.swift`):
/// ```
/// u8 version = 1 · u8 kind (1 delivery, 2 report) · u64 envelope id
/// delivery: u8 n + sender user (UTF-8, 1…64) · u16 n + reverse path as the client gave it (0…256, empty = <>)
///           · u8 recipient count (1…100), each u8 n + the recipient's local part (1…64) · the message to the end
/// report:   u8 result count (1…100), each u8 n + local part · u16 SMTP code · u8 n + enhanced status (…16)
///           · u16 n + text (…512)
/// ```
public enum MailEnvelope: Hashable, Sendable {
    case delivery(MailDelivery)
    case report(MailDeliveryReport)

    /// The bus topic mail travels on.
    public static let topic: [UInt8] = Array("mycelium-mail/1".utf8)
    public static let version: UInt8 = 1

    public static let maximumUserByteCount = 64
    public static let maximumReversePathByteCount = 256
    public static let maximumRecipientCount = 100
    public static let maximumStatusByteCount = 16
    public static let maximumTextByteCount = 512
}

/// A message for users of the destination node.
public struct MailDelivery: Hashable, Sendable {
    /// Chosen by the sender; the receiver delivers each (sender node, id) once, and answers a repeat with the same
    /// report.
    public var id: UInt64
    /// The authenticated user who sent it, on the sending node.
    public var sender: String
    /// MAIL FROM as the client gave it (`""` for the null path): informational, the trustworthy sender is `sender` at
    /// the sending node.
    public var reversePath: String
    /// Local parts of the recipients on the destination node.
    public var recipients: [String]
    public var content: [UInt8]

    public init(id: UInt64, sender: String, reversePath: String, recipients: [String], content: [UInt8]) {
        self.id = id
        self.sender = sender
        self.reversePath = reversePath
        self.recipients = recipients
        self.content = content
    }
}

/// The destination's answer to a `MailDelivery`: one result per recipient.
public struct MailDeliveryReport: Hashable, Sendable {
    public struct Result: Hashable, Sendable {
        public var recipient: String
        /// An SMTP reply code: 250 delivered, 4xx try again later, 5xx failed for good.
        public var code: Int
        public var enhancedStatus: String
        public var text: String

        public init(recipient: String, code: Int, enhancedStatus: String, text: String) {
            self.recipient = recipient
            self.code = code
            self.enhancedStatus = enhancedStatus
            self.text = text
        }

        public var isDelivered: Bool { (200..<300).contains(self.code) }
        public var isPermanentFailure: Bool { self.code >= 500 }
    }

    public var id: UInt64
    public var results: [Result]

    public init(id: UInt64, results: [Result]) {
        self.id = id
        self.results = results
    }
}
