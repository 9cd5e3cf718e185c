/// Field access on a raw IPv6 packet (RFC 8200 §3), for the data plane's hot path: no copies, no allocation.
/// Every accessor assumes the caller checked `isPlausible` (at least 40 bytes, version 6).
public enum IPv6Header {
    public static let byteCount = 40
    /// Offset of the hop-limit byte, which the destination overwrites with the outer data packet's (spec §4.4).
    public static let hopLimitOffset = 7
    public static let sourceOffset = 8
    public static let destinationOffset = 24

    /// At least a full header and version nibble 6 (spec §4.2 step 1).
    public static func isPlausible(_ packet: UnsafeRawBufferPointer) -> Bool {
        packet.count >= Self.byteCount && packet[0] >> 4 == 6
    }

    public static func hopLimit(of packet: UnsafeRawBufferPointer) -> UInt8 {
        packet[Self.hopLimitOffset]
    }

    public static func source(of packet: UnsafeRawBufferPointer) -> IPv6Address {
        IPv6Address(loadingFrom: packet, at: Self.sourceOffset)
    }

    public static func destination(of packet: UnsafeRawBufferPointer) -> IPv6Address {
        IPv6Address(loadingFrom: packet, at: Self.destinationOffset)
    }
}

extension IPv6Address {
    /// The address stored in network order at `offset` (16 bytes must be readable there).
    public init(loadingFrom bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.init(
            high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
            low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        )
    }
}
