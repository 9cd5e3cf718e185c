/// The 16-bit flags field of a message packet header (spec §5.1, big-endian on the wire):
///
/// | flag | bit |
/// |---|---|
/// | INIT | `0x8000` |
/// | DONE | `0x4000` |
/// | ABORTED | `0x2000` |
/// | CHUNK | `0x1000` |
/// | READ | `0x0800` |
/// | REPLY | `0x0400` |
/// | ACK | `0x0100` |
///
/// `MessagePacket` derives the flags from its body; only the combinations listed at `MessagePacket.Body` are valid.
public struct MessageFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// INIT: starts a message; the body carries its length and topic.
    public static let initial = MessageFlags(rawValue: 0x8000)
    /// DONE: every chunk was sent; the body carries the chunk count and the BLAKE3 checksum.
    public static let done = MessageFlags(rawValue: 0x4000)
    /// ABORTED: the sender gave up; header only.
    public static let aborted = MessageFlags(rawValue: 0x2000)
    /// CHUNK: one piece of the message data.
    public static let chunk = MessageFlags(rawValue: 0x1000)
    /// READ: the receiver handed the message to an application; header only.
    public static let read = MessageFlags(rawValue: 0x0800)
    /// REPLY: set on the INIT (and its ACK) of a reply, which reuses the original message id.
    public static let reply = MessageFlags(rawValue: 0x0400)
    /// ACK: acknowledges the packet with the same id and primary flag.
    public static let ack = MessageFlags(rawValue: 0x0100)

    /// Every bit upstream defines; any other bit makes a packet invalid.
    public static let known: MessageFlags = [.initial, .done, .aborted, .chunk, .read, .reply, .ack]
}
