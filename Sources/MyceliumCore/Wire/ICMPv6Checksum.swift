/// The ICMPv6 checksum (RFC 4443 §2.3): the 16-bit one's complement of the one's complement sum of the IPv6
/// pseudo-header (RFC 8200 §8.1) and the ICMPv6 message:
/// ```
/// source (16) ‖ destination (16) ‖ upper-layer length u32 ‖ 00 00 00 ‖ next header 58 ‖ ICMPv6 message
/// ```
/// An odd-length message is padded with one zero byte for the sum.
public enum ICMPv6Checksum {
    /// IPv6 next-header value of ICMPv6.
    public static let nextHeader: UInt8 = 58

    /// The checksum of `message` (the whole ICMPv6 message, header and body) sent from `source` to `destination`.
    ///
    /// To compute a checksum, pass the message with its checksum field (bytes 2–3) zero. To verify one, pass the
    /// message as received: the result is 0 exactly when its checksum is correct.
    public static func compute(
        source: IPv6Address,
        destination: IPv6Address,
        message: some Sequence<UInt8>
    ) -> UInt16 {
        var sum: UInt64 = 0
        for half in [source.high, source.low, destination.high, destination.low] {
            sum += (half >> 48) + (half >> 32 & 0xFFFF) + (half >> 16 & 0xFFFF) + (half & 0xFFFF)
        }
        var length: UInt64 = 0
        var pendingHighByte: UInt8?
        for byte in message {
            length += 1
            if let high = pendingHighByte {
                sum += UInt64(high) << 8 | UInt64(byte)
                pendingHighByte = nil
            } else {
                pendingHighByte = byte
            }
        }
        if let high = pendingHighByte { sum += UInt64(high) << 8 }
        // Upper-layer packet length (32 bits) and the next-header byte; the three zero bytes add nothing.
        sum += (length >> 16 & 0xFFFF) + (length & 0xFFFF) + UInt64(Self.nextHeader)
        while sum >> 16 != 0 {
            sum = (sum & 0xFFFF) + (sum >> 16)
        }
        return ~UInt16(truncatingIfNeeded: sum)
    }
}
