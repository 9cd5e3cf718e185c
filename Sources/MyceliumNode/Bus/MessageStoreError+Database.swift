import GRDB

extension MessageStoreError {
    /// What the store was doing when an error happened.
    enum Access: Sendable {
        case open(path: String)
        case read
        case write
    }

    /// Maps any error thrown inside a database access to a `MessageStoreError`, in one place.
    init(_ error: any Error, during access: Access) {
        if let error = error as? MessageStoreError {
            self = error
            return
        }
        let reason: String
        if let error = error as? DatabaseError {
            let primary = error.resultCode.primaryResultCode
            if primary == .SQLITE_NOTADB || primary == .SQLITE_CORRUPT {
                self = .corrupt(reason: error.message ?? error.description)
                return
            }
            reason = error.description
        } else if error is RowDecodingError {
            self = .corrupt(reason: String(describing: error))
            return
        } else {
            reason = String(describing: error)
        }
        switch access {
        case .open(let path): self = .cannotOpen(path: path, reason: reason)
        case .read: self = .readFailed(reason: reason)
        case .write: self = .writeFailed(reason: reason)
        }
    }
}
