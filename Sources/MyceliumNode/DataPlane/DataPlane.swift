import Logging
import MyceliumCore
import MyceliumCrypto
import NIOCore
import NIOPosix
import Synchronization

/// The overlay's data plane (spec §4): encrypts what the host sends into the overlay, forwards what only passes
/// through, decrypts what is for this node, and turns what cannot be delivered into ICMPv6 errors.
///
/// Three kinds of thread call in, none of them blocking: the TUN reader (`sendFromHost`), the peer links' event loops
/// (`link(_:received:)`, `linkReadComplete`) and the router's event loop (`routesChanged`, `queryExpired`). The
/// routing state they share is an immutable `ForwardingTable` swapped in whole; per-thread scratch buffers make the
/// per-packet path free of locks and allocations once warm.
public final class DataPlane: PeerDataReceiver, Sendable {
    /// How much the data plane holds while it waits for routes (spec §4.7). Upstream allows 10,000 packets per /64
    /// and 1,000,000 in total for outbound packets; we keep the per-/64 figure and also cap the bytes.
    public struct Limits: Hashable, Sendable {
        /// Packets from the host waiting for a route to their destination (plaintext).
        public var outbound = PendingPackets<ByteBuffer>.Limits(perSubnet: 10_000, total: 100_000, totalBytes: 64 << 20)
        /// Packets passing through, waiting for a route to their destination (still encrypted).
        public var forwarded = PendingPackets<DataPacket>.Limits(perSubnet: 10_000, total: 100_000, totalBytes: 64 << 20)
        /// Packets for this node from a sender whose key is not known yet.
        public var inbound = PendingPackets<DataPacket>.Limits(perSubnet: 100, total: 10_000, totalBytes: 16 << 20)
        /// At most this many ICMPv6 errors for one subnet's queue when it is given up.
        public var errorsPerExpiredQueue = 64

        public init() {}
    }

    let identity: NodeIdentity
    let limits: Limits
    let interface: (any PacketInterface)?
    let logger: Logger
    private let requestRouteHandler: @Sendable (IPv6Address) -> Void

    private let table = Mutex(ForwardingTable.empty)
    /// Mirrors `table.generation` so packet threads notice a new table without taking the lock.
    private let tableGeneration = Atomic<UInt64>(0)
    let pending: Mutex<PendingState>
    /// Only the router's event loop builds tables; the lock just makes that checkable.
    private let ciphers = Mutex<[X25519.PublicKey: AES256GCM]>([:])
    private let refreshRequests = Mutex<[Subnet: MonotonicInstant]>([:])
    private let scratch = ThreadSpecificVariable<DataPlaneScratch>()
    let counters = DataPlaneCounters()
    /// Where message packets (user-data type 1) for this node go: the message bus, once attached.
    private let messageReceiver = Mutex<(any MessagePacketReceiver)?>(nil)

    /// A subnet the router knows, as the data plane needs it.
    public struct KnownSubnet: Sendable {
        public var subnet: Subnet
        /// The key that owns the subnet (fixed by the first Update accepted for it).
        public var publicKey: X25519.PublicKey
        /// The selected route's next hop; `nil` when the subnet only has fallback routes.
        public var link: (any PeerLink)?
        /// When the selected route expires.
        public var expiresAt: MonotonicInstant?

        public init(subnet: Subnet, publicKey: X25519.PublicKey, link: (any PeerLink)?, expiresAt: MonotonicInstant?) {
            self.subnet = subnet
            self.publicKey = publicKey
            self.link = link
            self.expiresAt = expiresAt
        }
    }

    struct PendingState {
        var outbound: PendingPackets<ByteBuffer>
        var forwarded: PendingPackets<DataPacket>
        var inbound: PendingPackets<DataPacket>
    }

    /// - Parameters:
    ///   - interface: the TUN; `nil` for a routing-only node (`--no-tun`), which drops packets for itself.
    ///   - requestRoute: asks the router for a route to the subnet of an address (route request, seqno request or
    ///     refresh, as `RouterStateMachine.requestRoute` decides). Called from any thread.
    public init(
        identity: NodeIdentity,
        interface: (any PacketInterface)?,
        limits: Limits = Limits(),
        logger: Logger,
        requestRoute: @escaping @Sendable (IPv6Address) -> Void
    ) {
        self.identity = identity
        self.interface = interface
        self.limits = limits
        self.logger = logger
        self.requestRouteHandler = requestRoute
        self.pending = Mutex(
            PendingState(
                outbound: PendingPackets(limits: limits.outbound),
                forwarded: PendingPackets(limits: limits.forwarded),
                inbound: PendingPackets(limits: limits.inbound)
            )
        )
    }

    /// Hands message packets for this node to `receiver` (the message bus).
    public func attach(_ receiver: any MessagePacketReceiver) {
        self.messageReceiver.withLock { $0 = receiver }
    }

    var attachedMessageReceiver: (any MessagePacketReceiver)? {
        self.messageReceiver.withLock { $0 }
    }

    // MARK: - Shared helpers

    /// This thread's scratch state, with its view of the forwarding table brought up to date.
    func threadScratch() -> DataPlaneScratch {
        let scratch: DataPlaneScratch
        if let existing = self.scratch.currentValue {
            scratch = existing
        } else {
            scratch = DataPlaneScratch()
            self.scratch.currentValue = scratch
        }
        if scratch.table.generation != self.tableGeneration.load(ordering: .acquiring) {
            scratch.table = self.table.withLock { $0 }
            scratch.lastMatch = nil
        }
        return scratch
    }

    func requestRoute(to address: IPv6Address) {
        self.requestRouteHandler(address)
    }

    /// Traffic over a route that expires soon asks for it again (spec §3.4), at most once a second per subnet; the
    /// router itself limits the requests it sends to one per neighbour every 15 s.
    func refreshIfDue(_ entry: ForwardingTable.Entry, destination: IPv6Address) {
        guard let refreshAt = entry.refreshAt else { return }
        let now = RouterDriver.now()
        guard now >= refreshAt else { return }
        let due = self.refreshRequests.withLock { requests -> Bool in
            if let last = requests[entry.subnet], now.duration(since: last) < .seconds(1) { return false }
            requests[entry.subnet] = now
            return true
        }
        if due { self.requestRoute(to: destination) }
    }

    // MARK: - Routes (router event loop)

    /// Installs a forwarding table built from the router's current state and releases the packets that were
    /// waiting for any of its routes.
    ///
    /// - Parameter subnets: every subnet the router knows.
    public func routesChanged(generation: UInt64, subnets: [KnownSubnet]) {
        let threshold = RouterConfiguration.standard.routeAlmostExpiredThreshold
        let entries = self.ciphers.withLock { cache -> [Subnet: ForwardingTable.Entry] in
            var entries: [Subnet: ForwardingTable.Entry] = [:]
            var used: [X25519.PublicKey: AES256GCM] = [:]
            entries.reserveCapacity(subnets.count)
            for item in subnets {
                let cipher: AES256GCM
                if let known = used[item.publicKey] ?? cache[item.publicKey] {
                    cipher = known
                } else {
                    guard let secret = try? self.identity.secretKey.sharedSecret(with: item.publicKey) else {
                        continue
                    }
                    cipher = AES256GCM(sharedSecret: secret)
                }
                used[item.publicKey] = cipher
                entries[item.subnet] = ForwardingTable.Entry(
                    subnet: item.subnet,
                    publicKey: item.publicKey,
                    cipher: cipher,
                    link: item.link,
                    refreshAt: item.expiresAt.map { $0 - threshold }
                )
            }
            cache = used
            return entries
        }
        let table = ForwardingTable(generation: generation, entries: entries)
        self.table.withLock { $0 = table }
        self.tableGeneration.store(generation, ordering: .releasing)
        self.releaseWaitingPackets(with: table)
        self.attachedMessageReceiver?.routesChanged()
    }

    /// The router gave up looking for `subnet` (spec §3.9: 15 s): what waited for it is answered with ICMPv6
    /// "no route" errors (spec §4.2 step 5) or dropped.
    public func queryExpired(_ subnet: Subnet) {
        let (outbound, forwarded, inbound) = self.pending.withLock { pending in
            (
                pending.outbound.removeAll(for: subnet), pending.forwarded.removeAll(for: subnet),
                pending.inbound.removeAll(for: subnet)
            )
        }
        self.giveUp(outbound: outbound, forwarded: forwarded, inboundCount: inbound.count)
    }

    /// Gives up queues that waited longer than their timeout; the node calls this every second.
    public func expireWaitingPackets(now: MonotonicInstant) {
        let (outbound, forwarded, inbound) = self.pending.withLock { pending in
            (
                pending.outbound.removeExpired(now: now), pending.forwarded.removeExpired(now: now),
                pending.inbound.removeExpired(now: now)
            )
        }
        for queue in outbound { self.giveUp(outbound: queue.packets, forwarded: [], inboundCount: 0) }
        for queue in forwarded { self.giveUp(outbound: [], forwarded: queue.packets, inboundCount: 0) }
        for queue in inbound { self.giveUp(outbound: [], forwarded: [], inboundCount: queue.packets.count) }
    }

    private func giveUp(outbound: [ByteBuffer], forwarded: [DataPacket], inboundCount: Int) {
        let dropped = outbound.count + forwarded.count + inboundCount
        guard dropped > 0 else { return }
        self.counters.droppedNoRoute.add(UInt64(dropped), ordering: .relaxed)
        for packet in outbound.prefix(self.limits.errorsPerExpiredQueue) {
            packet.withUnsafeReadableBytes { self.replyToHost(.noRoute, offending: $0) }
        }
        if !outbound.isEmpty { self.interface?.flush() }
        for packet in forwarded.prefix(self.limits.errorsPerExpiredQueue) {
            self.report(.noRoute, about: packet)
        }
    }

    private func releaseWaitingPackets(with table: ForwardingTable) {
        let (outbound, forwarded, inbound) = self.pending.withLock { pending in
            let outbound = pending.outbound.subnets.filter { table.match($0.address)?.link != nil }
                .flatMap { pending.outbound.removeAll(for: $0) }
            let forwarded = pending.forwarded.subnets.filter { table.match($0.address)?.link != nil }
                .flatMap { pending.forwarded.removeAll(for: $0) }
            let inbound = pending.inbound.subnets.filter { table.match($0.address) != nil }
                .flatMap { pending.inbound.removeAll(for: $0) }
            return (outbound, forwarded, inbound)
        }
        for packet in outbound {
            packet.withUnsafeReadableBytes { self.sendFromHost($0) }
        }
        for packet in forwarded {
            self.forward(packet)
        }
        for packet in inbound {
            self.deliverLocally(packet)
        }
        if !outbound.isEmpty || !inbound.isEmpty { self.interface?.flush() }
    }
}

/// What one thread reuses for every packet it handles.
final class DataPlaneScratch: @unchecked Sendable {
    // @unchecked: thread-confined, reached only through the data plane's `ThreadSpecificVariable`.
    var table = ForwardingTable.empty
    /// The last lookup in `table`: consecutive packets mostly belong to one flow. Entries are /64 or longer, so an
    /// exact address match is always the same answer.
    var lastMatch: (address: IPv6Address, entry: ForwardingTable.Entry?)?

    /// `table.match(address)`, remembering the last answer.
    func match(_ address: IPv6Address) -> ForwardingTable.Entry? {
        if let last = self.lastMatch, last.address == address { return last.entry }
        let entry = self.table.match(address)
        self.lastMatch = (address, entry)
        return entry
    }
    /// Where blobs are sealed and opened.
    var buffer = ByteBufferAllocator().buffer(capacity: 2048)
    /// Where out-of-band reports quote from.
    var secondBuffer = ByteBufferAllocator().buffer(capacity: 2048)
    let nonces = AES256GCM.NoncePool()
    /// This thread's OpenSSL contexts, per cipher (the cipher is kept so its identifier stays unique).
    private var contexts: [ObjectIdentifier: (cipher: AES256GCM, context: AES256GCM.ThreadContext?)] = [:]
    private static let maximumContexts = 1024

    /// The calling thread's context for `cipher`, made on first use; `nil` if OpenSSL could not make one.
    func context(for cipher: AES256GCM) -> AES256GCM.ThreadContext? {
        let key = ObjectIdentifier(cipher)
        if let cached = self.contexts[key] { return cached.context }
        if self.contexts.count >= Self.maximumContexts { self.contexts.removeAll(keepingCapacity: true) }
        let context = cipher.makeThreadContext()
        self.contexts[key] = (cipher, context)
        return context
    }

    /// Seals with this thread's context for `cipher`, or with `cipher` itself.
    func seal(_ bytes: UnsafeMutableRawBufferPointer, plaintextCount: Int, with cipher: AES256GCM) throws(CryptoError) {
        let nonce = self.nonces.next()
        if let context = self.context(for: cipher) {
            _ = try context.seal(inPlace: bytes, plaintextCount: plaintextCount, nonce: nonce)
        } else {
            _ = try cipher.seal(inPlace: bytes, plaintextCount: plaintextCount, nonce: nonce)
        }
    }

    /// Opens with this thread's context for `cipher`, or with `cipher` itself.
    func open(_ bytes: UnsafeMutableRawBufferPointer, with cipher: AES256GCM) throws(CryptoError) -> Int {
        if let context = self.context(for: cipher) {
            return try context.open(inPlace: bytes)
        }
        return try cipher.open(inPlace: bytes)
    }
}

/// Rare events, counted for the logs and metrics.
final class DataPlaneCounters: Sendable {
    let droppedNoRoute = Atomic<UInt64>(0)
    let droppedMalformed = Atomic<UInt64>(0)
    let droppedDecryption = Atomic<UInt64>(0)
    let droppedQueueFull = Atomic<UInt64>(0)
    let droppedNoInterface = Atomic<UInt64>(0)
    let messagesIgnored = Atomic<UInt64>(0)
    let messagesUnroutable = Atomic<UInt64>(0)
    let reportsSent = Atomic<UInt64>(0)
}
