import MyceliumCore
import NIOCore

/// What the peer table needs to know of a live link.
protocol PeerTableLink: AnyObject {
    var txBytes: UInt64 { get }
    var rxBytes: UInt64 { get }
}

extension ChannelPeerLink: PeerTableLink {}

/// The peer manager's bookkeeping (spec §2.5), without I/O: which peers are known, how each was learned, whether it
/// is idle, being dialled or connected, and its traffic. Time comes in as an argument.
///
/// Rules kept from upstream (`peer_manager.rs`): static and link-local peers are redialled when idle; inbound peers
/// are never redialled and leave the table when their link goes down; a link-local peer is forgotten after
/// `maximumFailedLinkLocalAttempts` consecutive failed dials; a link-local discovery is ignored when a peer with the
/// same transport and IPv6 address is already known (e.g. its inbound connection); a new inbound connection from the
/// same socket address as an existing inbound entry replaces it.
struct PeerTable<Link: PeerTableLink> {
    /// Upstream's `MAX_FAILED_LOCAL_PEER_CONNECTION_ATTEMPTS`.
    static var maximumFailedLinkLocalAttempts: Int { 3 }

    enum Connection {
        case idle
        case connecting(attempt: UInt64)
        case alive(Link)
    }

    struct Entry {
        var origin: PeerStatus.Origin
        var added: NIODeadline
        var lastConnected: NIODeadline?
        var connection = Connection.idle
        /// Consecutive failed dials; reset by a successful one.
        var failedAttempts = 0
        /// Traffic of this entry's earlier (closed) links.
        var retiredTxBytes: UInt64 = 0
        var retiredRxBytes: UInt64 = 0
    }

    /// The outcome of a failed dial.
    enum DialFailure: Equatable {
        /// The dial no longer matters (peer removed, or a newer dial is running).
        case stale
        /// The peer stays; `attempts` consecutive dials have failed.
        case failed(attempts: Int)
        /// A link-local peer that failed too often and was removed.
        case forgotten
    }

    enum InboundAdoption {
        case accepted(replaced: Link?)
        case refused
    }

    private(set) var entries: [PeerEndpoint: Entry] = [:]
    private(set) var isShutDown = false
    private var lastAttempt: UInt64 = 0

    /// Adds a static peer (configuration or API).
    mutating func addStatic(_ endpoint: PeerEndpoint, now: NIODeadline) throws(PeerManagementError) {
        guard self.entries[endpoint] == nil else { throw .alreadyExists(endpoint) }
        self.entries[endpoint] = Entry(origin: .static, added: now)
    }

    /// Adds a peer found by link-local discovery; `false` if it (or its IPv6 address on the same transport) is known.
    mutating func addDiscovered(_ endpoint: PeerEndpoint, now: NIODeadline) -> Bool {
        guard self.entries[endpoint] == nil else { return false }
        if case .ipv6(let address, _) = endpoint.host {
            let known = self.entries.keys.contains { known in
                guard known.transport == endpoint.transport, case .ipv6(let other, _) = known.host else { return false }
                return other == address
            }
            guard !known else { return false }
        }
        self.entries[endpoint] = Entry(origin: .linkLocalDiscovery, added: now)
        return true
    }

    /// Forgets a peer; returns its live link, which the caller closes.
    mutating func remove(_ endpoint: PeerEndpoint) throws(PeerManagementError) -> Link? {
        guard let entry = self.entries.removeValue(forKey: endpoint) else { throw .notFound(endpoint) }
        if case .alive(let link) = entry.connection { return link }
        return nil
    }

    /// Marks every idle static and link-local peer as being dialled and returns them with their attempt ids.
    mutating func startDueDials() -> [(endpoint: PeerEndpoint, attempt: UInt64)] {
        let due = self.entries.compactMap { endpoint, entry in
            entry.origin != .inbound && entry.isIdle ? endpoint : nil
        }
        return due.compactMap { endpoint in self.startDial(endpoint).map { (endpoint, $0) } }
    }

    /// Marks one idle static or link-local peer as being dialled; `nil` if it is not idle, inbound or unknown.
    mutating func startDial(_ endpoint: PeerEndpoint) -> UInt64? {
        guard !self.isShutDown, let entry = self.entries[endpoint], entry.origin != .inbound, entry.isIdle else {
            return nil
        }
        self.lastAttempt += 1
        self.entries[endpoint]?.connection = .connecting(attempt: self.lastAttempt)
        return self.lastAttempt
    }

    /// A dialled connection came up; `false` if it is stale (peer removed or redialled meanwhile, or shut down).
    mutating func adoptOutbound(_ link: Link, endpoint: PeerEndpoint, attempt: UInt64, now: NIODeadline) -> Bool {
        guard !self.isShutDown, let entry = self.entries[endpoint], entry.isConnecting(attempt: attempt) else {
            return false
        }
        self.entries[endpoint]?.connection = .alive(link)
        self.entries[endpoint]?.lastConnected = now
        self.entries[endpoint]?.failedAttempts = 0
        return true
    }

    /// An accepted connection came up, listed under the remote's socket address.
    mutating func adoptInbound(_ link: Link, endpoint: PeerEndpoint, now: NIODeadline) -> InboundAdoption {
        guard !self.isShutDown else { return .refused }
        var replaced: Link?
        if let existing = self.entries[endpoint] {
            guard existing.origin == .inbound else { return .refused }
            if case .alive(let old) = existing.connection { replaced = old }
        }
        var entry = Entry(origin: .inbound, added: now, lastConnected: now)
        entry.connection = .alive(link)
        self.entries[endpoint] = entry
        return .accepted(replaced: replaced)
    }

    /// An adopted link closed: inbound entries go, others become idle (and are redialled).
    mutating func release(_ link: Link) {
        guard let (endpoint, entry) = self.entries.first(where: { $0.value.link === link }) else { return }
        if entry.origin == .inbound {
            self.entries[endpoint] = nil
            return
        }
        self.entries[endpoint]?.connection = .idle
        self.entries[endpoint]?.retiredTxBytes += link.txBytes
        self.entries[endpoint]?.retiredRxBytes += link.rxBytes
    }

    /// Dial `attempt` failed to connect.
    mutating func dialFailed(_ endpoint: PeerEndpoint, attempt: UInt64) -> DialFailure {
        guard let entry = self.entries[endpoint], entry.isConnecting(attempt: attempt) else { return .stale }
        let attempts = entry.failedAttempts + 1
        if entry.origin == .linkLocalDiscovery && attempts >= Self.maximumFailedLinkLocalAttempts {
            self.entries[endpoint] = nil
            return .forgotten
        }
        self.entries[endpoint]?.connection = .idle
        self.entries[endpoint]?.failedAttempts = attempts
        return .failed(attempts: attempts)
    }

    /// The connection of dial `attempt` closed; if it was never adopted, the peer becomes idle again.
    mutating func dialEnded(_ endpoint: PeerEndpoint, attempt: UInt64) {
        guard let entry = self.entries[endpoint], entry.isConnecting(attempt: attempt) else { return }
        self.entries[endpoint]?.connection = .idle
    }

    /// Refuses everything from now on; returns the live links, which the caller closes.
    mutating func shutDown() -> [Link] {
        self.isShutDown = true
        return self.entries.values.compactMap(\.link)
    }

    /// One status per peer, sorted by endpoint text.
    func statuses(now: NIODeadline) -> [PeerStatus] {
        self.entries.map { endpoint, entry in
            let state: PeerStatus.ConnectionState =
                switch entry.connection {
                case .idle: .dead
                case .connecting: .connecting
                case .alive: .alive
                }
            return PeerStatus(
                endpoint: endpoint,
                origin: entry.origin,
                connectionState: state,
                txBytes: entry.retiredTxBytes + (entry.link?.txBytes ?? 0),
                rxBytes: entry.retiredRxBytes + (entry.link?.rxBytes ?? 0),
                discovered: Self.seconds(from: entry.added, to: now),
                lastConnected: entry.lastConnected.map { Self.seconds(from: $0, to: now) }
            )
        }
        .sorted { $0.endpoint.description < $1.endpoint.description }
    }

    private static func seconds(from start: NIODeadline, to end: NIODeadline) -> UInt64 {
        end > start ? UInt64((end - start).nanoseconds / 1_000_000_000) : 0
    }
}

extension PeerTable.Entry {
    var isIdle: Bool {
        if case .idle = self.connection { return true }
        return false
    }

    var link: Link? {
        if case .alive(let link) = self.connection { return link }
        return nil
    }

    func isConnecting(attempt: UInt64) -> Bool {
        if case .connecting(let current) = self.connection { return current == attempt }
        return false
    }
}
