import Logging
import MyceliumCore
import MyceliumCrypto
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing

@testable import MyceliumNode

/// Records what the peer layer tells the router, and checks the per-link call order.
final class RecordingDelegate: PeerLinkDelegate {
    enum Event: Sendable {
        case up(NeighbourID)
        case received(NeighbourID, ControlPacket)
        case down(NeighbourID)
    }

    private struct State {
        var events: [Event] = []
        var links: [NeighbourID: any PeerLink] = [:]
        var orderViolations: [String] = []

        func isUp(_ neighbour: NeighbourID) -> Bool {
            guard self.links[neighbour] != nil else { return false }
            return !self.events.contains { if case .down(let id) = $0 { id == neighbour } else { false } }
        }
    }

    private let state = Mutex(State())

    func linkUp(_ link: any PeerLink) {
        self.state.withLock { state in
            if state.links[link.neighbour] != nil {
                state.orderViolations.append("second linkUp for \(link.neighbour)")
            }
            state.links[link.neighbour] = link
            state.events.append(.up(link.neighbour))
        }
    }

    func link(_ link: any PeerLink, received packet: ControlPacket) {
        self.state.withLock { state in
            if !state.isUp(link.neighbour) { state.orderViolations.append("packet on \(link.neighbour) while not up") }
            state.events.append(.received(link.neighbour, packet))
        }
    }

    func linkDown(_ link: any PeerLink) {
        self.state.withLock { state in
            if !state.isUp(link.neighbour) {
                state.orderViolations.append("linkDown on \(link.neighbour) while not up")
            }
            state.events.append(.down(link.neighbour))
        }
    }

    var events: [Event] { self.state.withLock { $0.events } }
    var orderViolations: [String] { self.state.withLock { $0.orderViolations } }

    /// Links that are up now, oldest first.
    var liveLinks: [any PeerLink] {
        self.state.withLock { state in
            state.links.values.filter { state.isUp($0.neighbour) }.sorted { $0.neighbour < $1.neighbour }
        }
    }

    /// Every link ever reported up, oldest first.
    var allLinks: [any PeerLink] {
        self.state.withLock { $0.links.values.sorted { $0.neighbour < $1.neighbour } }
    }

    var upCount: Int { self.events.filter { if case .up = $0 { true } else { false } }.count }
    var downCount: Int { self.events.filter { if case .down = $0 { true } else { false } }.count }

    func received(on neighbour: NeighbourID) -> [ControlPacket] {
        self.events.compactMap { event in
            if case .received(let id, let packet) = event, id == neighbour { return packet }
            return nil
        }
    }

    func isDown(_ neighbour: NeighbourID) -> Bool {
        self.events.contains { if case .down(let id) = $0 { id == neighbour } else { false } }
    }
}

/// Log lines kept for assertions.
final class LogRecorder: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: String
    }

    private let lines = Mutex<[Line]>([])

    func append(_ line: Line) { self.lines.withLock { $0.append(line) } }
    var all: [Line] { self.lines.withLock { $0 } }

    func contains(_ level: Logger.Level, _ fragment: String) -> Bool {
        self.all.contains { $0.level == level && $0.message.contains(fragment) }
    }

    func logger(_ label: String = "peers-test") -> Logger {
        var logger = Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let text = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        self.recorder.append(.init(level: event.level, message: "\(event.message)", metadata: text))
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(self.what)" }
}

/// Polls `condition` every 10 ms until it holds, failing after `timeout`.
func eventually(
    _ what: String,
    timeout: Duration = .seconds(10),
    _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Runs each service in its own `ServiceGroup` (so one can be stopped alone) for the duration of `body`, then shuts
/// them all down gracefully and waits for them.
func withServices<Result: Sendable>(
    _ services: [any Service],
    logger: Logger,
    _ body: @Sendable ([ServiceGroup]) async throws -> Result
) async throws -> Result {
    let groups = services.map { ServiceGroup(services: [$0], logger: logger) }
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        for group in groups {
            tasks.addTask { try await group.run() }
        }
        do {
            let result = try await body(groups)
            for group in groups { await group.triggerGracefulShutdown() }
            try await tasks.waitForAll()
            return result
        } catch {
            for group in groups { await group.triggerGracefulShutdown() }
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// Two peer managers over loopback, as `withConnectedManagers` hands them to its body: A listens on `portA`, B dials
/// A as its static peer `peer`, and each side has its one link up.
struct ConnectedManagers: Sendable {
    var a: PeerManager
    var b: PeerManager
    /// A's own service group, to stop A alone.
    var groupA: ServiceGroup
    var portA: Int
    var peer: PeerEndpoint
    var linkA: any PeerLink
    var linkB: any PeerLink
}

/// Starts manager A (reporting to `delegateA`), then manager B (reporting to `delegateB`) with A at
/// `tcp://<peerHost>:<port of A>` as its static peer, waits until each side has exactly one live link, and runs `body`
/// with both managers still running.
func withConnectedManagers(
    peerHost: String = "127.0.0.1",
    logs: LogRecorder,
    delegateA: RecordingDelegate,
    delegateB: RecordingDelegate,
    _ body: @Sendable (ConnectedManagers) async throws -> Void
) async throws {
    let a = PeerManager(configuration: PeerFixtures.configuration(), delegate: delegateA, logger: logs.logger("a"))
    try await withServices([a], logger: logs.logger()) { groupsA in
        let portA = try await a.listeningPort()
        let peer = try PeerFixtures.endpoint("tcp://\(peerHost):\(portA)")
        let b = PeerManager(
            configuration: PeerFixtures.configuration(peers: [peer]), delegate: delegateB, logger: logs.logger("b"))
        try await withServices([b], logger: logs.logger()) { _ in
            try await eventually("links up") { delegateA.liveLinks.count == 1 && delegateB.liveLinks.count == 1 }
            try await body(
                ConnectedManagers(
                    a: a,
                    b: b,
                    groupA: groupsA[0],
                    portA: portA,
                    peer: peer,
                    linkA: try #require(delegateA.liveLinks.first),
                    linkB: try #require(delegateB.liveLinks.first)
                )
            )
        }
    }
}

enum PeerFixtures {
    static func routerID(_ seed: UInt8) throws -> RouterID {
        RouterID(publicKey: try X25519.PublicKey(rawBytes: (0..<32).map { UInt8($0) &+ seed }), tail: UInt64(seed))
    }

    static func hello(_ seqno: UInt16) -> ControlPacket {
        .hello(Hello(seqno: SeqNo(seqno), interval: 2000))
    }

    static func ihu() -> ControlPacket {
        .ihu(IHU(rxCost: Metric(10), interval: 6000))
    }

    static func endpoint(_ text: String) throws -> PeerEndpoint {
        try PeerEndpoint(parsing: text)
    }

    /// Fast timers for tests.
    static func configuration(
        peers: [PeerEndpoint] = [],
        port: Int = 0,
        limits: PeerLinkLimits = PeerLinkLimits()
    ) -> PeerManager.Configuration {
        PeerManager.Configuration(
            staticPeers: peers,
            tcpListenPort: port,
            reconnectInterval: .milliseconds(100),
            connectTimeout: .seconds(2),
            linkLimits: limits
        )
    }
}
