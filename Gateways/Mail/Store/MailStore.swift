/// The mail gateway's store: every user's mailboxes and messages. Metadata lives in SQLite (`mail.sqlite`, WAL,
/// `synchronous=FULL`) and each message's bytes in a blob file beside it (`blobs/`), fsync'd before the row that names
/// it is committed, so a message the store has acknowledged survives a crash.
///
/// All methods are safe to call from any task; writes are serialised by the database.
/// (Signatures fixed; bodies being written by the store helper.)
public final class MailStore: Sendable {
    /// The largest message `append` accepts, in bytes.
    public let maximumMessageSize: Int

    /// Opens (creating if needed, mode 0700/0600) the store in `directory`.
    public init(directory: String, maximumMessageSize: Int = 50 << 20) throws(MailStoreError) {
        self.maximumMessageSize = maximumMessageSize
        throw .storage("not implemented")
    }

    // MARK: Users

    /// Creates INBOX and the special-use mailboxes (Sent, Drafts, Trash, Junk, Archive), all subscribed, for a user
    /// that has none; does nothing for a user that has them.
    public func prepareUser(_ user: String) async throws(MailStoreError) {
        throw .storage("not implemented")
    }

    // MARK: Mailboxes

    /// The user's mailboxes, ordered by name.
    public func mailboxes(user: String) async throws(MailStoreError) -> [Mailbox] {
        throw .storage("not implemented")
    }

    /// The mailbox called `name` (`INBOX` in any case), or `nil`.
    public func mailbox(user: String, named name: String) async throws(MailStoreError) -> Mailbox? {
        throw .storage("not implemented")
    }

    public func createMailbox(user: String, name: String, specialUse: SpecialUse? = nil) async throws(MailStoreError)
        -> Mailbox
    {
        throw .storage("not implemented")
    }

    /// Deletes the mailbox and its messages (INBOX cannot be deleted); inferior mailboxes stay.
    public func deleteMailbox(user: String, name: String) async throws(MailStoreError) {
        throw .storage("not implemented")
    }

    /// Renames the mailbox and its inferiors. Renaming INBOX moves its messages to a new mailbox and leaves INBOX
    /// empty (RFC 3501 §6.3.5).
    public func renameMailbox(user: String, from: String, to: String) async throws(MailStoreError) {
        throw .storage("not implemented")
    }

    public func setSubscribed(user: String, name: String, _ subscribed: Bool) async throws(MailStoreError) {
        throw .storage("not implemented")
    }

    public func status(mailboxID: Int64) async throws(MailStoreError) -> MailboxStatus {
        throw .storage("not implemented")
    }

    // MARK: Messages

    /// Every message of the mailbox, UID-ascending, with the mailbox's modification counter.
    public func snapshot(mailboxID: Int64) async throws(MailStoreError) -> MailboxSnapshot {
        throw .storage("not implemented")
    }

    /// Adds a message; it is on disk when this returns.
    public func append(
        user: String, mailbox name: String, message: [UInt8], flags: MessageFlags, internalDate: Int64
    ) async throws(MailStoreError) -> AppendResult {
        throw .storage("not implemented")
    }

    /// The message's bytes exactly as appended.
    public func messageBytes(mailboxID: Int64, uid: UInt32) async throws(MailStoreError) -> [UInt8] {
        throw .storage("not implemented")
    }

    /// Changes the flags of the messages with these UIDs (missing UIDs are skipped) and returns those messages as they
    /// are afterwards, UID-ascending.
    public func updateFlags(mailboxID: Int64, uids: [UInt32], _ operation: FlagOperation) async throws(MailStoreError)
        -> [StoredMessage]
    {
        throw .storage("not implemented")
    }

    /// Copies the messages (missing UIDs skipped) into the user's mailbox `destination`, keeping flags and dates.
    public func copy(mailboxID: Int64, uids: [UInt32], to destination: String, user: String)
        async throws(MailStoreError) -> CopyResult
    {
        throw .storage("not implemented")
    }

    /// Like `copy`, then removes the originals — one transaction.
    public func move(mailboxID: Int64, uids: [UInt32], to destination: String, user: String)
        async throws(MailStoreError) -> CopyResult
    {
        throw .storage("not implemented")
    }

    /// Removes the messages flagged `\Deleted` (only those among `uids`, if given) and returns their UIDs ascending.
    public func expunge(mailboxID: Int64, uids: [UInt32]? = nil) async throws(MailStoreError) -> [UInt32] {
        throw .storage("not implemented")
    }

    // MARK: Changes

    /// Yields a mailbox id after every committed change to that mailbox (by any session, delivery or APPEND), so
    /// IDLE can push EXISTS/EXPUNGE/FETCH at once. Ends when the consuming task is cancelled.
    public func changes() -> AsyncStream<Int64> {
        AsyncStream { $0.finish() }
    }
}
