import MyceliumCore

/// A message waiting for another node's gateway to report on it: one per destination node of a submission.
public struct QueuedMail: Hashable, Sendable {
    /// The envelope id (the `MailDelivery` id on the wire).
    public var id: UInt64
    public var destination: IPv6Address
    /// The authenticated user who sent it.
    public var sender: String
    /// MAIL FROM as given (`""` for `<>`).
    public var reversePath: String
    /// The recipients on `destination`, as the client addressed them.
    public var recipients: [MailAddress]
    public var content: [UInt8]
    /// Milliseconds since 1970.
    public var createdAt: Int64
    public var expiresAt: Int64
    public var nextAttemptAt: Int64
    /// How often it was handed to the bus.
    public var attempts: Int
    /// Why the last hand-over failed, if it did.
    public var lastError: String?

    public init(
        id: UInt64, destination: IPv6Address, sender: String, reversePath: String, recipients: [MailAddress],
        content: [UInt8], createdAt: Int64, expiresAt: Int64, nextAttemptAt: Int64, attempts: Int = 0,
        lastError: String? = nil
    ) {
        self.id = id
        self.destination = destination
        self.sender = sender
        self.reversePath = reversePath
        self.recipients = recipients
        self.content = content
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.nextAttemptAt = nextAttemptAt
        self.attempts = attempts
        self.lastError = lastError
    }

    /// The delivery as it goes on the wire.
    public var delivery: MailDelivery {
        MailDelivery(
            id: self.id, sender: self.sender, reversePath: self.reversePath,
            recipients: self.recipients.map(\.localPart), content: self.content
        )
    }
}
