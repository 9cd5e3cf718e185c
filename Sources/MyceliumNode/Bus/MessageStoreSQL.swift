/// The message store's schema and statements, in one place.
///
/// Encoding: message ids are their 8 wire bytes (BLOB, so every UInt64 round-trips and ordering by id is
/// unsigned); addresses are 16 bytes, public keys 32 bytes; lengths are UInt64 bit patterns in an INTEGER;
/// times are unix seconds. Empty topics and payloads are zero-length BLOBs, never NULL.
enum MessageStoreSQL {
    /// Schema version 1. Migrations are registered in `MessageStore.migrator`; never edit a shipped one.
    static let schemaV1 = """
        CREATE TABLE outbox (
            id BLOB NOT NULL PRIMARY KEY CHECK (typeof(id) = 'blob' AND length(id) = 8),
            is_reply INTEGER NOT NULL CHECK (is_reply IN (0, 1)),
            destination BLOB NOT NULL CHECK (typeof(destination) = 'blob' AND length(destination) = 16),
            topic BLOB NOT NULL CHECK (typeof(topic) = 'blob' AND length(topic) <= 255),
            payload BLOB CHECK (payload IS NULL OR typeof(payload) = 'blob'),
            length INTEGER NOT NULL,
            created INTEGER NOT NULL,
            deadline INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'received', 'read', 'aborted')),
            CHECK (payload IS NULL OR state IN ('pending', 'sending'))
        );
        CREATE INDEX outbox_by_created ON outbox (created, id);
        CREATE INDEX outbox_by_deadline ON outbox (deadline);

        CREATE TABLE inbox (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            id BLOB NOT NULL CHECK (typeof(id) = 'blob' AND length(id) = 8),
            source BLOB NOT NULL CHECK (typeof(source) = 'blob' AND length(source) = 16),
            source_key BLOB NOT NULL CHECK (typeof(source_key) = 'blob' AND length(source_key) = 32),
            destination BLOB NOT NULL CHECK (typeof(destination) = 'blob' AND length(destination) = 16),
            destination_key BLOB NOT NULL CHECK (typeof(destination_key) = 'blob' AND length(destination_key) = 32),
            topic BLOB NOT NULL CHECK (typeof(topic) = 'blob' AND length(topic) <= 255),
            payload BLOB NOT NULL CHECK (typeof(payload) = 'blob'),
            is_reply INTEGER NOT NULL CHECK (is_reply IN (0, 1)),
            received_at INTEGER NOT NULL
        );
        CREATE INDEX inbox_by_delivery_key ON inbox (source, id, is_reply);

        CREATE TABLE delivered (
            source BLOB NOT NULL CHECK (typeof(source) = 'blob' AND length(source) = 16),
            id BLOB NOT NULL CHECK (typeof(id) = 'blob' AND length(id) = 8),
            is_reply INTEGER NOT NULL CHECK (is_reply IN (0, 1)),
            recorded_at INTEGER NOT NULL,
            PRIMARY KEY (source, id, is_reply)
        ) WITHOUT ROWID;
        CREATE INDEX delivered_by_recorded_at ON delivered (recorded_at);
        """

    // MARK: - Writes

    /// Arguments: id, is_reply, destination, topic, has_payload, payload, length, created, deadline, state.
    static let saveOutgoing = """
        INSERT OR REPLACE INTO outbox (id, is_reply, destination, topic, payload, length, created, deadline, state)
        VALUES (?, ?, ?, coalesce(?, x''), CASE WHEN ? THEN coalesce(?, x'') END, ?, ?, ?, ?)
        """
    /// Arguments: state, id.
    static let updateOutgoing = "UPDATE outbox SET state = ? WHERE id = ?"
    /// Arguments: state (a final one), id.
    static let finishOutgoing = "UPDATE outbox SET state = ?, payload = NULL WHERE id = ?"
    /// Arguments: id.
    static let deleteOutgoing = "DELETE FROM outbox WHERE id = ?"
    /// Arguments: source, id, is_reply, recorded_at. Changes no row when the key is already recorded.
    static let recordDeliveryKey = """
        INSERT INTO delivered (source, id, is_reply, recorded_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (source, id, is_reply) DO NOTHING
        """
    /// Arguments: id, source, source_key, destination, destination_key, topic, payload, is_reply, received_at.
    static let saveIncoming = """
        INSERT INTO inbox (id, source, source_key, destination, destination_key, topic, payload, is_reply, received_at)
        VALUES (?, ?, ?, ?, ?, coalesce(?, x''), coalesce(?, x''), ?, ?)
        """
    /// Arguments: sequence.
    static let deleteIncoming = "DELETE FROM inbox WHERE sequence = ?"
    /// Arguments: before. Keys of messages still in the inbox stay.
    static let pruneDelivered = """
        DELETE FROM delivered WHERE recorded_at < ? AND NOT EXISTS (
            SELECT 1 FROM inbox
            WHERE inbox.source = delivered.source AND inbox.id = delivered.id AND inbox.is_reply = delivered.is_reply
        )
        """
    /// Arguments: finished_before.
    static let pruneOutgoing = """
        DELETE FROM outbox WHERE deadline < ? AND state IN ('received', 'read', 'aborted')
        """

    // MARK: - Reads (column order is what `Row+MessageStore` decodes)

    static let loadOutbox = """
        SELECT id, is_reply, destination, topic, payload, length, created, deadline, state
        FROM outbox ORDER BY created, id
        """
    static let loadInbox = """
        SELECT sequence, id, source, source_key, destination, destination_key, topic, payload, is_reply, received_at
        FROM inbox ORDER BY sequence
        """
    static let loadDeliveryKeys = """
        SELECT source, id, is_reply, recorded_at FROM delivered ORDER BY recorded_at, source, id, is_reply
        """
    static let inboxUsage = "SELECT count(*), coalesce(sum(length(payload)), 0) FROM inbox"
}
