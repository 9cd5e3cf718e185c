import NIOCore
import ServiceLifecycle

/// Gives up packets that waited too long for a route, once a second, until graceful shutdown.
public struct DataPlaneMaintenance: Service {
    public static let interval = TimeAmount.seconds(1)

    let dataPlane: DataPlane
    let eventLoop: any EventLoop

    public init(dataPlane: DataPlane, eventLoop: any EventLoop) {
        self.dataPlane = dataPlane
        self.eventLoop = eventLoop
    }

    public func run() async throws {
        let dataPlane = self.dataPlane
        let task = self.eventLoop.scheduleRepeatedTask(initialDelay: Self.interval, delay: Self.interval) { _ in
            dataPlane.expireWaitingPackets(now: RouterDriver.now())
        }
        try? await gracefulShutdown()
        task.cancel()
    }
}
