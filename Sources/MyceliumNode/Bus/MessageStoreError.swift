/// Why the message store could not open, read or write its database.
public enum MessageStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The database file or its directory could not be created or opened.
    case cannotOpen(path: String, reason: String)
    /// The file is not an SQLite database, or the database is damaged.
    case corrupt(reason: String)
    /// The database was written by a newer version (it lists schema migrations this version does not know);
    /// it is left untouched.
    case unsupportedSchema(unknownVersions: [String])
    /// Write number `index` of a batch was rejected (it breaks a constraint of the schema, e.g. a topic longer
    /// than 255 bytes). The whole batch was rolled back.
    case invalidWrite(index: Int, reason: String)
    /// A batch could not be committed (disk full, I/O error, …). The whole batch was rolled back.
    case writeFailed(reason: String)
    /// Reading the database failed.
    case readFailed(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "message store: cannot open \(path): \(reason)"
        case .corrupt(let reason):
            "message store: database is corrupt or not an SQLite database: \(reason)"
        case .unsupportedSchema(let unknownVersions):
            "message store: database has a newer schema (unknown versions: "
                + unknownVersions.joined(separator: ", ") + ")"
        case .invalidWrite(let index, let reason):
            "message store: write \(index) of the batch was rejected (batch rolled back): \(reason)"
        case .writeFailed(let reason):
            "message store: write failed (batch rolled back): \(reason)"
        case .readFailed(let reason):
            "message store: read failed: \(reason)"
        }
    }
}
