import Logging
import MyceliumCore
import MyceliumCrypto
import NIOCore

/// Runs the router state machine on one event loop: turns link events and control packets into calls on
/// `RouterStateMachine`, executes the actions it returns, and keeps one timer armed for its next deadline.
///
/// All mutable state is touched only on `eventLoop`; the `PeerLinkDelegate` entry points and the queries hop there,
/// which also keeps the events of one link in order.
public final class RouterDriver: PeerLinkDelegate, @unchecked Sendable {
    public let eventLoop: any EventLoop
    private let logger: Logger
    private var machine: RouterStateMachine
    private var links: [NeighbourID: any PeerLink] = [:]
    private var wakeup: (at: MonotonicInstant, task: Scheduled<Void>)?
    private var stopped = false
    private var dataPlane: DataPlane?
    /// The route table generation the data plane last got a forwarding table for.
    private var publishedGeneration: UInt64?
    private var publishScheduled = false

    public init(
        identity: NodeIdentity,
        routerID: RouterID,
        configuration: RouterConfiguration,
        eventLoop: any EventLoop,
        logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.logger = logger
        self.machine = RouterStateMachine(
            routerID: routerID,
            subnet: identity.subnet,
            configuration: configuration,
            now: Self.now()
        )
    }

    /// The current reading of the monotonic clock NIO schedules with.
    static func now() -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(clamping: NIODeadline.now().uptimeNanoseconds))
    }

    // MARK: PeerLinkDelegate

    public func linkUp(_ link: any PeerLink) {
        self.eventLoop.execute {
            self.links[link.neighbour] = link
            self.logger.debug(
                "router saw link come up",
                metadata: ["link": "\(link.connectionDescription)", "neighbour": "\(link.neighbour.rawValue)"]
            )
            self.perform(self.machine.neighbourConnected(link.neighbour, linkKind: link.linkKind, now: Self.now()))
        }
    }

    public func link(_ link: any PeerLink, received packet: ControlPacket) {
        self.eventLoop.execute {
            if case .update(let update) = packet {
                self.logger.trace("update", metadata: ["prefix": "\(update.prefix)", "metric": "\(update.metric)"])
            }
            self.perform(self.machine.receive(packet, from: link.neighbour, now: Self.now()))
        }
    }

    public func linkDown(_ link: any PeerLink) {
        self.eventLoop.execute {
            guard self.links.removeValue(forKey: link.neighbour) != nil else { return }
            self.logger.debug("router saw link go down", metadata: ["link": "\(link.connectionDescription)"])
            self.perform(self.machine.neighbourDisconnected(link.neighbour, now: Self.now()))
        }
    }

    // MARK: Data plane

    /// Connects the data plane: from now on it gets a forwarding table whenever the routes change, and hears about
    /// expired route queries.
    public func attach(_ dataPlane: DataPlane) {
        self.eventLoop.execute {
            self.dataPlane = dataPlane
            self.publishedGeneration = nil
            self.schedulePublish()
        }
    }

    /// A packet wants a route to `address` (spec §4.2 step 5, §3.4 refresh). Callable from any thread.
    public func requestRoute(to address: IPv6Address) {
        self.eventLoop.execute {
            self.perform(self.machine.requestRoute(to: address, now: Self.now()))
        }
    }

    /// Builds the data plane's table at the end of this event-loop tick, so that a burst of changes costs one build.
    private func schedulePublish() {
        guard self.dataPlane != nil, !self.publishScheduled,
            self.publishedGeneration != self.machine.routeTableGeneration
        else { return }
        self.publishScheduled = true
        self.eventLoop.execute {
            self.publishScheduled = false
            self.publishRoutes()
        }
    }

    private func publishRoutes() {
        guard let dataPlane = self.dataPlane else { return }
        let generation = self.machine.routeTableGeneration
        guard generation != self.publishedGeneration else { return }
        var subnets: [DataPlane.KnownSubnet] = []
        self.machine.forEachKnownSubnet { subnet, publicKey, selected in
            subnets.append(
                DataPlane.KnownSubnet(
                    subnet: subnet, publicKey: publicKey, link: selected.flatMap { self.links[$0.neighbour] },
                    expiresAt: selected?.expiresAt
                )
            )
        }
        self.publishedGeneration = generation
        dataPlane.routesChanged(generation: generation, subnets: subnets)
    }

    // MARK: Queries

    /// Runs `body` on the router's event loop with read access to the state machine and the links. Throws only if
    /// the event loop is already shut down.
    public func inspect<Result: Sendable>(
        _ body: @escaping @Sendable (RouterStateMachine, [NeighbourID: any PeerLink]) -> Result
    ) async throws -> Result {
        try await self.eventLoop.submit { body(self.machine, self.links) }.get()
    }

    /// Stops the timer; the node calls this when it shuts down.
    public func stop() {
        self.eventLoop.execute {
            self.wakeup?.task.cancel()
            self.wakeup = nil
            self.stopped = true
        }
    }

    // MARK: Actions and timers

    private func perform(_ actions: [RouterAction]) {
        for action in actions {
            switch action {
            case .send(let packet, let neighbour):
                self.links[neighbour]?.send(packet)
            case .disconnect(let neighbour):
                self.logger.warning("peer stopped answering Hellos, closing link", metadata: ["neighbour": "\(neighbour)"])
                self.links[neighbour]?.close(reason: "no IHU within the dead-neighbour timeout")
            case .routeAcquired(let subnet):
                self.logger.debug("route acquired", metadata: ["subnet": "\(subnet)"])
            case .routeLost(let subnet):
                self.logger.debug("route lost", metadata: ["subnet": "\(subnet)"])
            case .queryExpired(let subnet):
                self.logger.debug("route query expired", metadata: ["subnet": "\(subnet)"])
                self.dataPlane?.queryExpired(subnet)
            }
        }
        self.schedulePublish()
        self.armTimer()
    }

    private func armTimer() {
        guard !self.stopped, let deadline = self.machine.nextDeadline else {
            self.wakeup?.task.cancel()
            self.wakeup = nil
            return
        }
        if let wakeup = self.wakeup, wakeup.at == deadline { return }
        self.wakeup?.task.cancel()
        let task = self.eventLoop.scheduleTask(
            deadline: .uptimeNanoseconds(UInt64(clamping: max(0, deadline.nanoseconds)))
        ) {
            self.wakeup = nil
            self.perform(self.machine.advanceTime(to: Self.now()))
        }
        self.wakeup = (deadline, task)
    }
}
