/// Why a `BlobStore` operation failed. A failed write leaves no blob behind (at most a temporary file that `sweep`
/// removes).
public enum BlobStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The store's directory could not be created or is not a directory.
    case cannotOpen(path: String, reason: String)
    /// No blob with that id.
    case notFound(BlobID)
    /// The blob is larger than the store reads into memory.
    case tooLarge(BlobID, size: Int, limit: Int)
    /// A system call failed (disk full, I/O error, permissions, …).
    case ioFailed(operation: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "blob store \(path): cannot open: \(reason)"
        case .notFound(let id): "blob \(id): not found"
        case .tooLarge(let id, let size, let limit): "blob \(id): \(size) bytes, more than the limit of \(limit)"
        case .ioFailed(let operation, let path, let reason): "blob store: \(operation) \(path) failed: \(reason)"
        }
    }
}
