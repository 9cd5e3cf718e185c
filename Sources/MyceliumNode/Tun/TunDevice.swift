import CTun
import Glibc
import Logging
import MyceliumCore
import NIOPosix
import Synchronization

/// The node's Linux TUN interface (spec §4.1): a layer-3 device without packet information, MTU 1400, carrying the
/// node address with prefix /7, so that the host routes all of 400::/7 into the overlay. It exists while this
/// object does.
///
/// The device is opened with IFF_VNET_HDR and the kernel's TCP/UDP segmentation offloads (as upstream does since
/// 0.7.7): one read can return a 64 KiB TCP super-packet, which `TunSegmenter` splits into 1400-byte packets, and
/// packets written within one batch are merged per TCP flow by `TunCoalescer`, so the host's TCP stack handles a
/// few large packets instead of many small ones. Kernels without those offloads get plain packets.
public final class TunDevice: PacketInterface, Sendable {
    public static let defaultMTU = 1400
    /// Deliveries a thread may batch before its batch is written regardless.
    static let maximumBatchCount = 256

    public let name: String
    /// Whether reads and writes carry a virtio-net header (and reads may be super-packets).
    public let usesOffloads: Bool
    let descriptor: Int32
    private let batches = ThreadSpecificVariable<TunWriteBatch>()
    let writeErrors = Atomic<UInt64>(0)

    private init(name: String, descriptor: Int32, usesOffloads: Bool) {
        self.name = name
        self.descriptor = descriptor
        self.usesOffloads = usesOffloads
    }

    deinit {
        Glibc.close(self.descriptor)
    }

    /// Creates and configures the interface: MTU, the node address with `prefixLength`, up.
    public static func open(
        name: String,
        address: IPv6Address,
        prefixLength: Int = 7,
        mtu: Int = TunDevice.defaultMTU,
        offloads: Bool = true,
        logger: Logger
    ) throws(TunError) -> TunDevice {
        var actualName = [CChar](repeating: 0, count: Int(CTUN_IFNAMSIZ))
        let descriptor = ctun_open(name, offloads ? 1 : 0, &actualName)
        guard descriptor >= 0 else { throw TunError(operation: .create, name: name, errorNumber: errno) }
        let interfaceName = actualName.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var usesOffloads = false
        if offloads {
            let full = UInt32(CTUN_F_CSUM | CTUN_F_TSO6 | CTUN_F_USO6)
            let tcpOnly = UInt32(CTUN_F_CSUM | CTUN_F_TSO6)
            usesOffloads = true
            if ctun_set_offload(descriptor, full) != 0, ctun_set_offload(descriptor, tcpOnly) != 0 {
                // The header stays on every read and write; only the segmentation offloads are off.
                logger.notice("TUN segmentation offloads unavailable", metadata: ["errno": "\(errno)"])
            }
        }
        let device = TunDevice(name: interfaceName, descriptor: descriptor, usesOffloads: usesOffloads)
        guard ctun_set_mtu(interfaceName, Int32(mtu)) == 0 else {
            throw TunError(operation: .setMTU, name: interfaceName, errorNumber: errno)
        }
        let bytes = address.bytes
        guard ctun_add_ipv6_address(interfaceName, bytes, UInt32(prefixLength)) == 0 else {
            throw TunError(operation: .addAddress, name: interfaceName, errorNumber: errno)
        }
        guard ctun_set_up(interfaceName) == 0 else {
            throw TunError(operation: .bringUp, name: interfaceName, errorNumber: errno)
        }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        return device
    }

    // MARK: Reading (one reader thread)

    /// Waits up to `timeoutMilliseconds` for something to read; `false` on timeout.
    func waitReadable(timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMilliseconds) > 0
    }

    /// Reads one frame (with its virtio-net header if `usesOffloads`); `nil` when nothing is ready.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let count = Glibc.read(self.descriptor, buffer.baseAddress, buffer.count)
        return count > 0 ? count : nil
    }

    // MARK: PacketInterface (any thread)

    public func deliver(_ packet: UnsafeRawBufferPointer) {
        guard self.usesOffloads else {
            self.write(packet)
            return
        }
        let batch = self.threadBatch()
        batch.coalescer.append(packet)
        batch.count += 1
        if batch.count >= Self.maximumBatchCount { self.flush() }
    }

    public func flush() {
        guard self.usesOffloads, let batch = self.batches.currentValue, batch.count > 0 else { return }
        batch.count = 0
        batch.coalescer.flush { frame in self.write(frame) }
    }

    private func threadBatch() -> TunWriteBatch {
        if let batch = self.batches.currentValue { return batch }
        let batch = TunWriteBatch()
        self.batches.currentValue = batch
        return batch
    }

    private func write(_ frame: UnsafeRawBufferPointer) {
        if Glibc.write(self.descriptor, frame.baseAddress, frame.count) < 0 {
            // The kernel drops what it cannot queue; count it rather than block a packet thread.
            self.writeErrors.add(1, ordering: .relaxed)
        }
    }
}

/// One thread's packets on their way to the TUN.
final class TunWriteBatch: @unchecked Sendable {
    // @unchecked: thread-confined, reached only through the device's `ThreadSpecificVariable`.
    var coalescer = TunCoalescer()
    var count = 0
}
