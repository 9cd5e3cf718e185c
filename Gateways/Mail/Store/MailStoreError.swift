/// Why the mail store refused or failed; the IMAP and SMTP servers map each case once to their replies.
public enum MailStoreError: Error, Hashable, Sendable {
    /// No mailbox of that name (IMAP `NO [NONEXISTENT]`).
    case noSuchMailbox(String)
    /// A mailbox of that name exists already (`NO [ALREADYEXISTS]`).
    case mailboxExists(String)
    /// A name the store refuses: empty, over 255 bytes, a `.`/`..` or empty component, a control character
    /// (`NO [CANNOT]`).
    case invalidMailboxName(String)
    /// INBOX cannot be deleted; special folders cannot be deleted while in use… (`NO [CANNOT]`), with the reason.
    case notPermitted(String)
    /// A message over the size limit (IMAP `NO [TOOBIG]`, SMTP 552).
    case messageTooLarge(size: Int, limit: Int)
    /// Too many flags or a flag too long.
    case invalidFlags(String)
    /// A UID that is not in the mailbox any more (`NO` for a fetch of an expunged message).
    case noSuchMessage(UInt32)
    /// The disk or database failed; the operation had no effect (IMAP `NO [SERVERBUG]`, SMTP 451).
    case storage(String)
}
