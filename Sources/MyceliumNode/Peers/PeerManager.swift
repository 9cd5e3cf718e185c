import Logging
import MyceliumCore
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Keeps the node connected to its peers (spec §2.5): dials static and link-local peers and redials them every
/// `reconnectInterval` while they are down, accepts inbound peers on a dual-stack TCP listener, and reports every
/// link to the router through its `PeerLinkDelegate`.
///
/// Run it as a `Service`: `run()` binds the listener, then works until graceful shutdown (or cancellation), then
/// closes the listener and every link. Only `tcp://` peers are supported so far; `tcp://hostname:port` is resolved
/// at every dial (IPv6 and IPv4 results, happy eyeballs), beyond upstream which only takes literals (issue #163).
public final class PeerManager: Service, Sendable {
    /// Why `listeningPort()` has no port to give.
    public enum ListenerError: Error, Hashable, Sendable {
        /// The manager went away without its listener ever being bound.
        case notRunning
    }

    public let configuration: Configuration
    let delegate: any PeerLinkDelegate
    let dataReceiver: (any PeerDataReceiver)?
    let group: any EventLoopGroup
    let logger: Logger
    let table = Mutex(PeerTable<ChannelPeerLink>())
    private let running = Mutex(false)
    private let listening: EventLoopPromise<Int>
    let droppedData = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - delegate: the router; sees every link's `linkUp`, control packets and `linkDown`.
    ///   - dataReceiver: the data plane; until there is one, data packets are counted and dropped.
    public init(
        configuration: Configuration,
        delegate: any PeerLinkDelegate,
        dataReceiver: (any PeerDataReceiver)? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.delegate = delegate
        self.dataReceiver = dataReceiver
        self.group = eventLoopGroup
        self.logger = logger
        self.listening = eventLoopGroup.any().makePromise(of: Int.self)
        let now = NIODeadline.now()
        self.table.withLock { table in
            for endpoint in configuration.staticPeers {
                do throws(PeerManagementError) {
                    try Self.checkSupported(endpoint)
                    try table.addStatic(endpoint, now: now)
                } catch {
                    logger.error("skipping configured peer", metadata: ["peer": "\(endpoint)", "reason": "\(error)"])
                }
            }
        }
    }

    deinit {
        // Completing an already completed promise is a no-op; this only wakes waiters if `run()` never bound.
        self.listening.fail(ListenerError.notRunning)
    }

    /// Binds the listener, dials the peers, and keeps them connected until graceful shutdown or cancellation;
    /// then closes the listener and all links. Throws if the listener cannot be bound. Call it once.
    public func run() async throws {
        let listener: any Channel
        do {
            listener = try await self.makeServerBootstrap()
                .bind(host: self.configuration.listenHost, port: self.configuration.tcpListenPort)
                .get()
        } catch {
            self.listening.fail(error)
            throw error
        }
        let port = listener.localAddress?.port ?? self.configuration.tcpListenPort
        self.logger.info(
            "listening for peers", metadata: ["address": "\(listener.localAddress?.upstreamDescription ?? "?")"])
        self.running.withLock { $0 = true }
        self.listening.succeed(port)

        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    self.dialDuePeers()
                    try await Task.sleep(for: self.configuration.reconnectInterval)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown or cancellation: fall through to closing everything.
        }
        await self.shutDown(listener: listener)
    }

    /// The port the listener is bound to (useful with `tcpListenPort` 0); waits until `run()` has bound it.
    public func listeningPort() async throws -> Int {
        try await self.listening.futureResult.get()
    }

    /// Adds a static peer at runtime and dials it right away (if running).
    /// - Throws: `.unsupportedTransport` for `quic://`, `tls://`, `vsock://`; `.alreadyExists` if it is known.
    public func addPeer(_ endpoint: PeerEndpoint) throws(PeerManagementError) {
        try Self.checkSupported(endpoint)
        try self.table.withLock { (table) throws(PeerManagementError) in try table.addStatic(endpoint, now: .now()) }
        self.logger.info("peer added", metadata: ["peer": "\(endpoint)"])
        self.dialIfIdle(endpoint)
    }

    /// Forgets a peer of any kind: closes its link and stops redialling it.
    /// - Throws: `.notFound` if it is not known.
    public func removePeer(_ endpoint: PeerEndpoint) throws(PeerManagementError) {
        let link = try self.table.withLock { (table) throws(PeerManagementError) in try table.remove(endpoint) }
        self.logger.info("peer removed", metadata: ["peer": "\(endpoint)"])
        link?.close(reason: "peer removed")
    }

    /// Every known peer with its state and traffic, sorted by endpoint (`GET /api/v1/admin/peers`).
    public func statuses() -> [PeerStatus] {
        let now = NIODeadline.now()
        return self.table.withLock { $0.statuses(now: now) }
    }

    /// Data packets received while no `PeerDataReceiver` was plugged in.
    public var droppedDataPackets: UInt64 { self.droppedData.load(ordering: .relaxed) }

    /// Refuses the transports this implementation cannot dial yet.
    public static func checkSupported(_ endpoint: PeerEndpoint) throws(PeerManagementError) {
        switch (endpoint.transport, endpoint.host) {
        case (.tcp, .ipv4), (.tcp, .ipv6), (.tcp, .name):
            return
        case (.tcp, .vsockContext):
            throw .invalidEndpoint("\(endpoint): a tcp:// peer needs an IP address or a host name")
        case (.quic, _):
            throw .unsupportedTransport(endpoint, reason: "QUIC is not supported yet; use tcp://")
        case (.tls, _):
            throw .unsupportedTransport(endpoint, reason: "TLS (private networks) is not supported yet; use tcp://")
        case (.vsock, _):
            throw .unsupportedTransport(endpoint, reason: "vsock is not supported yet; use tcp://")
        }
    }

    var isRunning: Bool { self.running.withLock { $0 } }

    private func shutDown(listener: any Channel) async {
        self.running.withLock { $0 = false }
        let links = self.table.withLock { $0.shutDown() }
        self.logger.info("peer manager stopping", metadata: ["links": "\(links.count)"])
        try? await listener.close()
        for link in links {
            link.close(reason: "node shutting down")
        }
        for link in links {
            try? await link.closeFuture.get()
        }
    }
}

extension PeerManager: DiscoveredPeerSink {
    /// Adds a peer found by link-local discovery (spec §2.4) unless it, or a peer with its address, is known; dials
    /// it right away. Returns whether it was new.
    public func addDiscoveredPeer(_ endpoint: PeerEndpoint) -> Bool {
        guard (try? Self.checkSupported(endpoint)) != nil else { return false }
        let added = self.table.withLock { $0.addDiscovered(endpoint, now: .now()) }
        guard added else { return false }
        self.logger.info("discovered link-local peer", metadata: ["peer": "\(endpoint)"])
        self.dialIfIdle(endpoint)
        return true
    }
}
