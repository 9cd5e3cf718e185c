import Logging
import MyceliumCore
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Link-local peer discovery (spec §2.4): a UDP socket on `[::]:port` that joins `ff02::cafe` on every eligible
/// interface (see `DiscoveryInterface.isEligible`), sends our 50-byte beacon to `[ff02::cafe%if]:port` on each one
/// every `beaconInterval` (interfaces are re-scanned at every beacon), and hands the peers that other nodes' beacons
/// announce to a `DiscoveredPeerSink` (the `PeerManager`), which dials them.
///
/// Run it as a `Service`. When disabled, or when the socket cannot be bound (logged, like upstream), it does nothing
/// until graceful shutdown.
public final class LinkLocalDiscovery: Service, Sendable {
    public struct Configuration: Sendable {
        /// Upstream's `LL_PEER_DISCOVERY_BEACON_INTERVAL`.
        public static let defaultBeaconInterval = Duration.seconds(60)

        /// `false` with `--disable-peer-discovery`.
        public var isEnabled: Bool
        /// The UDP port beacons are sent to and received on (`--peer-discovery-port`, 9650).
        public var port: Int
        /// Interface names to restrict discovery to (`--peer-discovery-interface`); empty means all eligible ones.
        public var interfaces: [String]
        public var beaconInterval: Duration

        public init(
            isEnabled: Bool = true,
            port: Int = Int(DiscoveryBeacon.port),
            interfaces: [String] = [],
            beaconInterval: Duration = Self.defaultBeaconInterval
        ) {
            self.isEnabled = isEnabled
            self.port = port
            self.interfaces = interfaces
            self.beaconInterval = beaconInterval
        }

        /// Discovery settings of a node.
        public init(node: NodeConfiguration) {
            self.init(
                isEnabled: !node.disablePeerDiscovery,
                port: Int(node.peerDiscoveryPort),
                interfaces: node.peerDiscoveryInterfaces
            )
        }
    }

    public let configuration: Configuration
    private let routerID: RouterID
    private let peers: any DiscoveredPeerSink
    private let group: any EventLoopGroup
    private let logger: Logger

    /// - Parameters:
    ///   - routerID: ours; beacons carrying it are ignored, and ours carry it.
    ///   - peers: where discovered peers go; also tells the TCP port our beacons advertise.
    public init(
        configuration: Configuration,
        routerID: RouterID,
        peers: any DiscoveredPeerSink,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.routerID = routerID
        self.peers = peers
        self.group = eventLoopGroup
        self.logger = logger
    }

    public func run() async throws {
        guard self.configuration.isEnabled else {
            self.logger.info("link-local peer discovery disabled")
            try? await gracefulShutdown()
            return
        }
        let channel: any Channel
        do {
            channel = try await self.bind()
        } catch {
            self.logger.error(
                "cannot bind the peer discovery socket; link-local discovery disabled",
                metadata: ["error": "\(error)"]
            )
            try? await gracefulShutdown()
            return
        }
        self.logger.info(
            "link-local peer discovery listening",
            metadata: ["address": "\(channel.localAddress?.upstreamDescription ?? "?")"]
        )
        do {
            try await cancelWhenGracefulShutdown {
                // Advertise the port the TCP listener actually got (it may have been configured as 0).
                let tcpPort = UInt16(truncatingIfNeeded: try await self.peers.listeningPort())
                let beacon = DiscoveryBeacon(tcpPort: tcpPort, routerID: self.routerID)
                var joined = JoinedInterfaces()
                while true {
                    await self.beaconTick(channel: channel, beacon: beacon, joined: &joined)
                    try await Task.sleep(for: self.configuration.beaconInterval)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown or cancellation.
        } catch {
            self.logger.error("link-local peer discovery stopped", metadata: ["error": "\(error)"])
        }
        try? await channel.close()
    }

    private func bind() async throws -> any Channel {
        let channel = try await DatagramBootstrap(group: self.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DiscoveryDatagramHandler(routerID: self.routerID, peers: self.peers, logger: self.logger)
                    )
                }
            }
            .bind(host: "::", port: self.configuration.port)
            .get()
        // We do not want our own beacons back (upstream: set_multicast_loop_v6(false)).
        try await channel.setOption(
            ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_loop),
            value: 0
        ).get()
        return channel
    }

    /// Interfaces whose multicast group we joined: index → name.
    struct JoinedInterfaces {
        var byIndex: [UInt32: String] = [:]
        var warnedEmpty = false
    }

    /// Joins the group on newly eligible interfaces, forgets vanished ones, and sends one beacon on each.
    private func beaconTick(channel: any Channel, beacon: DiscoveryBeacon, joined: inout JoinedInterfaces) async {
        let eligible: [DiscoveryInterface]
        do {
            eligible = try DiscoveryInterface.scan().filter { $0.isEligible(allowList: self.configuration.interfaces) }
        } catch {
            self.logger.warning("cannot list network interfaces", metadata: ["error": "\(error)"])
            return
        }
        let eligibleIndexes = Set(eligible.map(\.index))
        joined.byIndex = joined.byIndex.filter { eligibleIndexes.contains($0.key) }
        let newInterfaces = eligible.filter { joined.byIndex[$0.index] == nil }
        if !newInterfaces.isEmpty, let multicast = channel as? any MulticastChannel {
            let devices = (try? System.enumerateDevices()) ?? []
            let group = NIOCore.SocketAddress(ipv6: DiscoveryBeacon.multicastGroup, scopeID: 0, port: 0)
            for interface in newInterfaces {
                await self.join(multicast, group: group, interface: interface, devices: devices, joined: &joined)
            }
        }
        if joined.byIndex.isEmpty {
            if !joined.warnedEmpty {
                self.logger.warning(
                    "link-local peer discovery enabled but the discovery group is not joined on any interface")
            }
            joined.warnedEmpty = true
            return
        }
        joined.warnedEmpty = false
        var datagram = channel.allocator.buffer(capacity: DiscoveryBeacon.byteCount)
        datagram.writeDiscoveryBeacon(beacon)
        for (index, name) in joined.byIndex.sorted(by: { $0.key < $1.key }) {
            let destination = NIOCore.SocketAddress(
                ipv6: DiscoveryBeacon.multicastGroup, scopeID: index, port: self.configuration.port)
            do {
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: datagram)).get()
                self.logger.trace("sent discovery beacon", metadata: ["interface": "\(name)"])
            } catch {
                self.logger.warning(
                    "cannot send discovery beacon", metadata: ["interface": "\(name)", "error": "\(error)"])
            }
        }
    }

    private func join(
        _ channel: any MulticastChannel,
        group: NIOCore.SocketAddress,
        interface: DiscoveryInterface,
        devices: [NIONetworkDevice],
        joined: inout JoinedInterfaces
    ) async {
        // NIO joins an IPv6 group on the device's interface index; it wants a device with an IPv6 address.
        guard
            let device = devices.first(where: {
                $0.interfaceIndex == Int(interface.index) && $0.address?.ipv6Address != nil
            })
        else { return }
        do {
            try await channel.joinGroup(group, device: device).get()
            self.logger.debug("joined discovery group", metadata: ["interface": "\(interface.name)"])
            joined.byIndex[interface.index] = interface.name
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            joined.byIndex[interface.index] = interface.name
        } catch {
            self.logger.warning(
                "cannot join discovery group", metadata: ["interface": "\(interface.name)", "error": "\(error)"])
        }
    }
}
