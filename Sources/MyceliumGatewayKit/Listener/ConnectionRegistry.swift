import NIOCore
import Synchronization

/// The open connections of one ``ConnectionListener``: enforces the connection limit and closes them all on
/// shutdown. A connection leaves the registry when its channel closes, whatever closed it.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var isShuttingDown = false
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether shutdown has begun (no connection is admitted any more).
    var isShuttingDown: Bool { self.state.withLock { $0.isShuttingDown } }

    /// The number of open connections.
    var count: Int { self.state.withLock { $0.channels.count } }

    /// Admits `channel` if the listener is below its limit and not shutting down.
    func admit(_ channel: any Channel) -> Bool {
        let admitted = self.state.withLock { state in
            guard !state.isShuttingDown, state.channels.count < self.limit else { return false }
            state.channels[ObjectIdentifier(channel)] = channel
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        return true
    }

    /// Refuses further connections.
    func stopAdmitting() {
        self.state.withLock { $0.isShuttingDown = true }
    }

    /// Refuses further connections and closes every open one.
    func closeAll() {
        let channels = self.state.withLock { state in
            state.isShuttingDown = true
            return Array(state.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }
}
