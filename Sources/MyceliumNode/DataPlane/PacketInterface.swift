/// The host side of the data plane: where packets for this node's address go (the TUN, spec §4.4).
///
/// Deliveries are batched per calling thread: `deliver` adds to the calling thread's batch, `flush` writes it. The data
/// plane flushes at the end of every read from a peer link and after every local ICMP reply, so an implementation
/// may coalesce what one batch holds (the TUN merges TCP segments of one flow, GRO-style).
public protocol PacketInterface: AnyObject, Sendable {
    /// Adds one IPv6 packet to the calling thread's batch. The bytes are only valid during the call.
    func deliver(_ packet: UnsafeRawBufferPointer)
    /// Writes the calling thread's batch.
    func flush()
}
