import Logging
import MyceliumCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Reads what the host sends into the overlay from the TUN on a thread of its own and hands every packet to the data
/// plane (spec §4.2). Runs as a `Service` until graceful shutdown.
public final class TunReader: Service, Sendable {
    /// Frames read before local replies are flushed and the stop flag is checked again.
    static let framesPerBatch = 64

    let device: TunDevice
    let dataPlane: DataPlane
    let logger: Logger

    public init(device: TunDevice, dataPlane: DataPlane, logger: Logger) {
        self.device = device
        self.dataPlane = dataPlane
        self.logger = logger
    }

    public func run() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let stop = StopFlag()
        self.logger.info(
            "TUN interface up",
            metadata: ["name": "\(self.device.name)", "offloads": "\(self.device.usesOffloads)"]
        )
        await withGracefulShutdownHandler {
            try? await pool.runIfActive { self.readLoop(until: stop) }
        } onGracefulShutdown: {
            stop.value.store(true, ordering: .relaxed)
        }
        try await pool.shutdownGracefully()
    }

    private func readLoop(until stop: StopFlag) {
        let frame = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536 + 64, alignment: 16)
        defer { frame.deallocate() }
        var segmenter = TunSegmenter()
        let device = self.device
        let dataPlane = self.dataPlane
        while !stop.value.load(ordering: .relaxed) {
            guard device.waitReadable(timeoutMilliseconds: 200) else { continue }
            for _ in 0..<Self.framesPerBatch {
                guard let count = device.read(into: frame) else { break }
                let bytes = UnsafeRawBufferPointer(rebasing: frame[..<count])
                if device.usesOffloads {
                    do {
                        try segmenter.segment(frame: bytes) { packet in dataPlane.sendFromHost(packet) }
                    } catch {
                        self.logger.debug("dropping an unusable TUN frame", metadata: ["error": "\(error)"])
                    }
                } else {
                    dataPlane.sendFromHost(bytes)
                }
            }
            device.flush()
        }
    }
}

private final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}
