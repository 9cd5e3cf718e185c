import Synchronization

/// Fans a mailbox id out to every `MailStore.changes()` stream after a committed change. Each stream buffers the
/// newest `bufferLimit` ids (a slow reader loses old ids, never the fact that something changed), and leaves the
/// registry when its consumer stops.
final class MailChangeBroadcaster: Sendable {
    /// Ids buffered per stream before the oldest are dropped.
    static let bufferLimit = 256

    private struct Registry {
        var nextID: UInt64 = 0
        var continuations: [UInt64: AsyncStream<Int64>.Continuation] = [:]
    }

    private let registry = Mutex(Registry())

    /// A new stream of changed mailbox ids.
    func stream() -> AsyncStream<Int64> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Int64.self, bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        let id = self.registry.withLock { registry in
            registry.nextID += 1
            return registry.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.registry.withLock { $0.continuations.removeValue(forKey: id) }
        }
        self.registry.withLock { $0.continuations[id] = continuation }
        return stream
    }

    /// Tells every stream that these mailboxes changed.
    func yield(_ mailboxIDs: some Sequence<Int64>) {
        let continuations = self.registry.withLock { Array($0.continuations.values) }
        for mailboxID in mailboxIDs {
            for continuation in continuations { continuation.yield(mailboxID) }
        }
    }

    /// How many streams are registered (tests).
    var streamCount: Int { self.registry.withLock { $0.continuations.count } }

    /// Ends every stream (the store is going away).
    func finishAll() {
        let continuations = self.registry.withLock { registry in
            defer { registry.continuations.removeAll() }
            return Array(registry.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
