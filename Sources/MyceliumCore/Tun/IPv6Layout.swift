/// Offsets and constants of the IPv6, TCP and UDP headers the TUN offload helpers read and patch.
enum IPv6Layout {
    /// Fixed IPv6 header size.
    static let headerByteCount = 40
    /// Offset of the payload length (u16).
    static let payloadLengthOffset = 4
    /// Offset of the next-header byte.
    static let nextHeaderOffset = 6
    /// Offset of the hop limit byte.
    static let hopLimitOffset = 7
    /// Offset of the source address (16 bytes), followed by the destination address (16 bytes).
    static let sourceOffset = 8
    static let destinationOffset = 24
    /// Largest packet the helpers accept or produce: the IPv6 payload length is 16 bits and the TUN reads and writes
    /// at most 64 KiB.
    static let maximumPacketByteCount = 65_535

    static let tcpProtocol: UInt8 = 6
    static let udpProtocol: UInt8 = 17

    /// Next-header values that are IPv6 extension headers (RFC 8200 §4, IANA registry).
    static func isExtensionHeader(_ nextHeader: UInt8) -> Bool {
        switch nextHeader {
        case 0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254: true
        default: false
        }
    }
}
