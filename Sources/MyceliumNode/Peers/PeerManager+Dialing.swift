import Logging
import MyceliumCore
import NIOCore
import NIOPosix

extension PeerManager {
    /// Why a dial could not even start.
    enum DialError: Error, CustomStringConvertible {
        case unknownInterface(String)
        case unsupported(PeerEndpoint)

        var description: String {
            switch self {
            case .unknownInterface(let zone): "no network interface '\(zone)'"
            case .unsupported(let endpoint): "cannot dial \(endpoint)"
            }
        }
    }

    /// Where a dial goes: a literal socket address, or a name resolved now (AAAA and A, happy eyeballs).
    enum DialTarget {
        case address(NIOCore.SocketAddress)
        case host(String, port: Int)
    }

    static func dialTarget(for endpoint: PeerEndpoint) throws -> DialTarget {
        let port = Int(endpoint.port)
        switch (endpoint.transport, endpoint.host) {
        case (.tcp, .ipv4(let text)):
            return .address(try NIOCore.SocketAddress(ipAddress: text, port: port))
        case (.tcp, .ipv6(let address, let zone)):
            var scope: UInt32 = 0
            if let zone {
                guard let index = NetworkInterfaceName.index(forZone: zone) else {
                    throw DialError.unknownInterface(zone)
                }
                scope = index
            }
            return .address(NIOCore.SocketAddress(ipv6: address, scopeID: scope, port: port))
        case (.tcp, .name(let name)):
            return .host(name, port: port)
        case (.tcp, .vsockContext), (.quic, _), (.tls, _), (.vsock, _):
            throw DialError.unsupported(endpoint)
        }
    }

    func makeServerBootstrap() -> ServerBootstrap {
        ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                self.initializePipeline(channel, role: .inbound)
            }
    }

    private func initializePipeline(_ channel: any Channel, role: PeerChannelHandler.Role) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let handlers = PeerChannelHandler.pipeline(
                owner: self,
                role: role,
                limits: self.configuration.linkLimits,
                logger: self.logger
            )
            try channel.pipeline.syncOperations.addHandlers(handlers)
        }
    }

    /// One tick of the reconnect loop: dial every idle static and link-local peer.
    func dialDuePeers() {
        let due = self.table.withLock { $0.startDueDials() }
        for (endpoint, attempt) in due {
            self.dial(endpoint, attempt: attempt)
        }
    }

    /// Dials `endpoint` now if the manager runs and the peer is idle.
    func dialIfIdle(_ endpoint: PeerEndpoint) {
        guard self.isRunning, let attempt = self.table.withLock({ $0.startDial(endpoint) }) else { return }
        self.dial(endpoint, attempt: attempt)
    }

    private func dial(_ endpoint: PeerEndpoint, attempt: UInt64) {
        self.logger.debug("connecting to peer", metadata: ["peer": "\(endpoint)"])
        // One event loop for every candidate address, so happy eyeballs' attempts and their handlers stay ordered.
        let loop = self.group.next()
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(Int64(self.configuration.connectTimeout.nanoseconds)))
            .channelInitializer { channel in
                self.initializePipeline(channel, role: .outbound(endpoint, attempt: attempt))
            }
        let connected: EventLoopFuture<any Channel>
        do {
            switch try Self.dialTarget(for: endpoint) {
            case .address(let address): connected = bootstrap.connect(to: address)
            case .host(let name, let port): connected = bootstrap.connect(host: name, port: port)
            }
        } catch {
            connected = loop.makeFailedFuture(error)
        }
        connected.whenComplete { result in
            switch result {
            case .success(let channel):
                // Normally adopted on channelActive; if it closes without that, the peer must become idle again.
                channel.closeFuture.whenComplete { _ in
                    self.table.withLock { $0.dialEnded(endpoint, attempt: attempt) }
                }
            case .failure(let error):
                self.dialFailed(endpoint, attempt: attempt, error: error)
            }
        }
    }

    private func dialFailed(_ endpoint: PeerEndpoint, attempt: UInt64, error: any Error) {
        let outcome = self.table.withLock { $0.dialFailed(endpoint, attempt: attempt) }
        let metadata: Logger.Metadata = ["peer": "\(endpoint)", "error": "\(error)"]
        switch outcome {
        case .stale:
            break
        case .failed(attempts: 1):
            // Like upstream: one error line per outage, details of later attempts at debug level.
            self.logger.error("could not connect to peer, retrying", metadata: metadata)
        case .failed(let attempts):
            self.logger.debug(
                "could not connect to peer", metadata: metadata.merging(["attempt": "\(attempts)"]) { $1 })
        case .forgotten:
            self.logger.info("forgetting link-local peer after failed connection attempts", metadata: metadata)
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
