import GRDB

extension MailStore {
    /// Schema versions, oldest first. Add a migration for every change; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: MailStoreSQL.schemaV1)
        }
        return migrator
    }
}

/// The mail store's SQL, in one place.
enum MailStoreSQL {
    /// `mailboxes`: one row per mailbox; ids are never reused (a session holding the id of a deleted mailbox must not
    /// see another). `messages`: one row per message, clustered by (mailbox, uid) so a mailbox's
    /// messages are read in UID order from one B-tree range. `storeState`: counters of the whole store.
    static let schemaV1 = """
        CREATE TABLE mailboxes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user TEXT NOT NULL,
            name TEXT NOT NULL,
            uidValidity INTEGER NOT NULL,
            uidNext INTEGER NOT NULL,
            specialUse TEXT,
            subscribed INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            UNIQUE (user, name)
        );
        CREATE TABLE messages (
            mailbox INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL,
            flags TEXT NOT NULL,
            internalDate INTEGER NOT NULL,
            size INTEGER NOT NULL,
            blob TEXT NOT NULL,
            PRIMARY KEY (mailbox, uid)
        ) WITHOUT ROWID;
        CREATE TABLE storeState (
            key TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        """

    static let mailboxColumns = "id, name, uidValidity, uidNext, specialUse, subscribed, modseq"
    static let mailboxByName = "SELECT \(mailboxColumns) FROM mailboxes WHERE user = ? AND name = ?"
    static let mailboxByID = "SELECT \(mailboxColumns) FROM mailboxes WHERE id = ?"
    static let mailboxesOfUser = "SELECT \(mailboxColumns) FROM mailboxes WHERE user = ? ORDER BY name"
    static let mailboxCount = "SELECT COUNT(*) FROM mailboxes WHERE user = ?"
    static let insertMailbox = """
        INSERT INTO mailboxes (user, name, uidValidity, uidNext, specialUse, subscribed, modseq)
        VALUES (?, ?, ?, 1, ?, ?, 1)
        """
    static let renameMailbox = "UPDATE mailboxes SET name = ?, modseq = modseq + 1 WHERE id = ?"
    static let deleteMailbox = "DELETE FROM mailboxes WHERE id = ?"
    static let setSubscribed = "UPDATE mailboxes SET subscribed = ? WHERE id = ?"
    static let mailboxModseq = "SELECT modseq FROM mailboxes WHERE id = ?"
    static let bumpModseq = "UPDATE mailboxes SET modseq = modseq + 1 WHERE id = ?"
    static let setUIDNext = "UPDATE mailboxes SET uidNext = ?, modseq = modseq + 1 WHERE id = ?"

    static let lastUIDValidity = "SELECT value FROM storeState WHERE key = 'lastUIDValidity'"
    static let setLastUIDValidity = "INSERT OR REPLACE INTO storeState (key, value) VALUES ('lastUIDValidity', ?)"

    static let messageColumns = "uid, flags, internalDate, size, blob"
    static let messagesOfMailbox = "SELECT uid, flags, internalDate, size FROM messages WHERE mailbox = ? ORDER BY uid"
    static let fullMessagesOfMailbox = "SELECT \(messageColumns) FROM messages WHERE mailbox = ? ORDER BY uid"
    static let message = "SELECT \(messageColumns) FROM messages WHERE mailbox = ? AND uid = ?"
    static let messageBlob = "SELECT blob FROM messages WHERE mailbox = ? AND uid = ?"
    static let blobsOfMailbox = "SELECT blob FROM messages WHERE mailbox = ?"
    static let allBlobs = "SELECT blob FROM messages"
    static let insertMessage = """
        INSERT INTO messages (mailbox, uid, flags, internalDate, size, blob) VALUES (?, ?, ?, ?, ?, ?)
        """
    static let setFlags = "UPDATE messages SET flags = ? WHERE mailbox = ? AND uid = ?"
    static let moveMessage = "UPDATE messages SET mailbox = ?, uid = ? WHERE mailbox = ? AND uid = ?"
    static let deleteMessage = "DELETE FROM messages WHERE mailbox = ? AND uid = ?"
    static let deletedMessages = """
        SELECT uid, blob FROM messages WHERE mailbox = ? AND instr(' ' || flags || ' ', ' \\Deleted ') > 0 ORDER BY uid
        """
    static let status = """
        SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(instr(' ' || flags || ' ', ' \\Seen ') = 0), 0)
        FROM messages WHERE mailbox = ?
        """
}
