/// Where the SMTP server hands what clients submit: the gateway's router, which delivers to local users at once and
/// queues the rest for their nodes.
public protocol MailSubmission: Sendable {
    /// Whether a message from `user` may be addressed to `recipient`; `nil` accepts it, a rejection is answered to
    /// RCPT as is.
    func check(recipient: MailAddress, from user: String) async -> MailRejection?

    /// Takes responsibility for `mail`: when this returns, it is on disk (delivered or queued) and the server answers
    /// 250; when it throws, the server answers with the rejection and nothing was kept.
    func submit(_ mail: SubmittedMail) async throws(MailRejection)
}

/// A message accepted by SMTP: the authenticated user, the envelope and the content (CRLF line ends, dot-unstuffed).
public struct SubmittedMail: Sendable {
    public var user: String
    /// MAIL FROM's path; `nil` for the null path `<>`.
    public var reversePath: MailAddress?
    public var recipients: [MailAddress]
    public var content: [UInt8]
    /// The client's EHLO/HELO name, for the `Received:` trace field.
    public var clientName: String

    public init(user: String, reversePath: MailAddress?, recipients: [MailAddress], content: [UInt8], clientName: String)
    {
        self.user = user
        self.reversePath = reversePath
        self.recipients = recipients
        self.content = content
        self.clientName = clientName
    }
}

/// An SMTP rejection: reply code, RFC 3463 enhanced status and text, e.g. `550 5.1.1 No such user here`.
public struct MailRejection: Error, Hashable, Sendable {
    public var code: Int
    public var enhancedStatus: String
    public var text: String

    public init(code: Int, enhancedStatus: String, text: String) {
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.text = text
    }

    /// Permanent (5xx) or transient (4xx).
    public var isPermanent: Bool { self.code >= 500 }
}
