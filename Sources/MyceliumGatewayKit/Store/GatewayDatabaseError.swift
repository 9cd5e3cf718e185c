/// Why a gateway's database could not be opened or migrated.
public enum GatewayDatabaseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file or its directory could not be created, opened or restricted to the owner.
    case cannotOpen(path: String, reason: String)
    /// The file is not an SQLite database, or the database is damaged.
    case corrupt(path: String, reason: String)
    /// The database was written by a newer version: it lists schema migrations the migrator does not know. It is left
    /// untouched.
    case unsupportedSchema(path: String, unknownVersions: [String])
    /// A migration failed (it was rolled back).
    case migrationFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "database \(path): cannot open: \(reason)"
        case .corrupt(let path, let reason):
            "database \(path): corrupt or not an SQLite database: \(reason)"
        case .unsupportedSchema(let path, let unknownVersions):
            "database \(path): written by a newer version (unknown schema versions: "
                + unknownVersions.joined(separator: ", ") + ")"
        case .migrationFailed(let path, let reason):
            "database \(path): migration failed: \(reason)"
        }
    }
}
