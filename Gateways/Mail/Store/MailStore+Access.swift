import GRDB
import MyceliumGatewayKit
import NIOPosix

extension MailStore {
    /// A read on one of GRDB's reader queues; every error becomes a `MailStoreError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(MailStoreError) -> T {
        do {
            return try await self.pool.read(body)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// One transaction on GRDB's writer queue, committed (and fsync'd) when this returns.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(MailStoreError) -> T {
        do {
            return try await self.pool.write(body)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Blocking file work on NIO's thread pool.
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(MailStoreError) -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(body)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Removes blobs whose rows are gone (committed); a failure leaves them to the next sweep.
    func removeBlobs(_ ids: [BlobID]) async {
        guard !ids.isEmpty else { return }
        let blobs = self.blobs
        _ = try? await self.offload {
            for id in ids { try? blobs.remove(id) }
        }
    }

    /// Removes the blob files no message row references (crash leftovers); at open, before anything is written.
    func sweepBlobs() throws(MailStoreError) {
        do {
            let referenced = try self.pool.read { db in
                try String.fetchAll(db.cachedStatement(sql: MailStoreSQL.allBlobs))
            }
            try self.blobs.sweep(keeping: Set(referenced.compactMap(BlobID.init)))
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Every error met inside the store, as the one `MailStoreError` the servers map to replies.
    static func mapped(_ error: any Error) -> MailStoreError {
        switch error {
        case let error as MailStoreError: error
        case let error as BlobStoreError: .storage(error.description)
        case let error as DatabaseError: .storage(error.description)
        default: .storage(String(describing: error))
        }
    }
}
