import Foundation
import Logging
import MyceliumGatewayKit
import NIOCore
import ServiceLifecycle
import Synchronization

/// The IMAP4rev1 server's driver: turns a connection's bytes into `IMAPFramer` frames and `IMAPSession` calls, and
/// writes the session's responses (one write per command; a large FETCH in chunks of about 256 KiB).
///
/// Store change notifications are merged in, so IDLE pushes EXISTS/EXPUNGE/FETCH as soon as they happen.
public struct IMAPServer: Sendable {
    /// RFC 3501 §5.4: the autologout timer must be at least 30 minutes (clients re-issue IDLE every 29); the
    /// listener's idle timeout enforces it.
    public static let idleTimeout: Duration = .seconds(31 * 60)
    /// Written to a connection the autologout timer closes (RFC 3501 §7.1.5).
    public static let idleReply = Array("* BYE Autologout; idle for too long\r\n".utf8)
    /// Written to a connection over the listener's limit.
    public static let overloadReply = Array("* BYE Too many connections, try again later\r\n".utf8)

    public let store: MailStore
    public let authenticator: any MailAuthenticator
    public let logger: Logger

    public init(store: MailStore, authenticator: any MailAuthenticator, logger: Logger) {
        self.store = store
        self.authenticator = authenticator
        self.logger = logger
    }

    /// The listener settings for IMAP: the autologout timer and a `* BYE` for idle connections and those over the
    /// limit.
    public static func listenerConfiguration(host: String, port: Int, maximumConnections: Int = 256)
        -> ConnectionListener.Configuration
    {
        ConnectionListener.Configuration(
            host: host,
            port: port,
            maximumConnections: maximumConnections,
            idleTimeout: Self.idleTimeout,
            idleReply: Self.idleReply,
            overloadReply: Self.overloadReply
        )
    }

    /// Serves every connection `listener` accepts until cancelled.
    public func run(listener: ConnectionListener, onBound: @Sendable (SocketAddress) -> Void = { _ in }) async throws {
        try await listener.run(onBound: onBound) { connection in
            await self.serve(connection)
        }
    }

    /// Serves one connection until the client logs out or disconnects, or the server shuts down.
    public func serve(_ connection: GatewayConnection) async {
        let outbound = connection.outbound
        await self.serve(
            inbound: connection.inbound,
            remoteAddress: connection.remoteAddress,
            allocator: connection.allocator
        ) { bytes in
            try await outbound.write(bytes)
        }
    }

    private enum Event: Sendable {
        case bytes(ByteBuffer)
        case end
        case changed
        case shutdown
    }

    /// Serves one client given as a byte sequence and a write function (what `serve(_:)` uses; tests call it
    /// directly).
    public func serve<Inbound: AsyncSequence & Sendable>(
        inbound: Inbound,
        remoteAddress: SocketAddress?,
        allocator: ByteBufferAllocator,
        write: @escaping @Sendable (ByteBuffer) async throws -> Void
    ) async where Inbound.Element == ByteBuffer {
        let (events, eventSink) = AsyncStream<Event>.makeStream()
        let (acks, ackSink) = AsyncStream<Void>.makeStream()
        let changedIDs = PendingMailboxChanges()
        let store = self.store
        await withTaskGroup(of: Void.self) { group in
            // Reads the client; waits for each chunk to be processed before reading more (backpressure).
            group.addTask {
                var ackIterator = acks.makeAsyncIterator()
                do {
                    for try await chunk in inbound {
                        eventSink.yield(.bytes(chunk))
                        guard await ackIterator.next() != nil else { break }
                    }
                } catch {}
                eventSink.yield(.end)
            }
            // Coalesces store change notifications into one pending event.
            group.addTask {
                for await id in store.changes() {
                    if changedIDs.insert(id) { eventSink.yield(.changed) }
                }
            }
            await withGracefulShutdownHandler {
                do {
                    try await self.loop(
                        events: events,
                        acks: ackSink,
                        changedIDs: changedIDs,
                        remoteAddress: remoteAddress,
                        allocator: allocator,
                        write: write
                    )
                } catch {
                    self.logger.debug("IMAP connection ended", metadata: ["error": "\(error)"])
                }
            } onGracefulShutdown: {
                eventSink.yield(.shutdown)
            }
            ackSink.finish()
            eventSink.finish()
            group.cancelAll()
        }
    }

    private func loop(
        events: AsyncStream<Event>,
        acks: AsyncStream<Void>.Continuation,
        changedIDs: PendingMailboxChanges,
        remoteAddress: SocketAddress?,
        allocator: ByteBufferAllocator,
        write: @escaping @Sendable (ByteBuffer) async throws -> Void
    ) async throws {
        var framer = IMAPFramer(maximumAppendLiteralSize: self.store.maximumMessageSize, allocator: allocator)
        var session = IMAPSession(store: self.store, authenticator: self.authenticator, client: remoteAddress)
        var writer = IMAPResponseWriter(allocator: allocator) { bytes in try await write(bytes) }
        session.greeting(into: &writer)
        try await writer.flush()
        var expectation = IMAPSession.Expectation.command
        for await event in events {
            switch event {
            case .bytes(let chunk):
                framer.append(chunk)
                expectation = try await self.process(&framer, &session, expectation, writer: &writer)
                try await writer.flush()
                if expectation == .close { return }
                acks.yield(())
            case .changed:
                try await session.mailboxesChanged(changedIDs.take(), writer: &writer)
                try await writer.flush()
            case .end:
                return
            case .shutdown:
                session.shutdown(writer: &writer)
                try await writer.flush()
                return
            }
        }
        // Cancelled (the listener is closing): a best-effort goodbye.
        session.shutdown(writer: &writer)
        try? await writer.flush()
    }

    /// Runs every complete frame in the framer through the session.
    private func process(
        _ framer: inout IMAPFramer,
        _ session: inout IMAPSession,
        _ start: IMAPSession.Expectation,
        writer: inout IMAPResponseWriter
    ) async throws -> IMAPSession.Expectation {
        var expectation = start
        while true {
            switch expectation {
            case .close:
                return .close
            case .line:
                let line: ByteBuffer?
                do {
                    line = try framer.nextLine()
                } catch {
                    expectation = session.receive(error, writer: &writer)
                    continue
                }
                guard let line else { return .line }
                expectation = try await session.receive(line: line, writer: &writer)
            case .command:
                guard let frame = framer.next() else { return .command }
                switch frame {
                case .continuationRequest:
                    writer.continuation("Ready for literal data")
                    try await writer.flush()
                case .error(let error):
                    expectation = session.receive(error, writer: &writer)
                case .command(let bytes):
                    do {
                        let command = try IMAPParser.parseCommand(bytes)
                        let now = Int64(Date().timeIntervalSince1970)
                        expectation = try await session.receive(command, now: now, writer: &writer)
                    } catch let error as IMAPParseError {
                        expectation = session.receive(error, writer: &writer)
                    }
                }
                try await writer.flush()
            }
        }
    }
}

/// Mailbox ids changed since the connection's loop last looked, shared between the notification reader and the loop.
final class PendingMailboxChanges: Sendable {
    private let ids = Mutex<Set<Int64>>([])

    /// Adds `id`; `true` if the set was empty (so one event must be sent).
    func insert(_ id: Int64) -> Bool {
        self.ids.withLock { ids in
            let wasEmpty = ids.isEmpty
            ids.insert(id)
            return wasEmpty
        }
    }

    /// Takes and clears the set.
    func take() -> Set<Int64> {
        self.ids.withLock { ids in
            let taken = ids
            ids.removeAll()
            return taken
        }
    }
}
