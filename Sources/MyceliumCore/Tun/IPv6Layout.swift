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

/// TCP header layout.
enum TCPLayout {
    static let minimumHeaderByteCount = 20
    static let maximumHeaderByteCount = 60
    static let sequenceOffset = 4
    static let acknowledgementOffset = 8
    /// Data offset (high nibble, in 32-bit words) and reserved bits.
    static let dataOffsetOffset = 12
    static let flagsOffset = 13
    static let windowOffset = 14
    static let checksumOffset = 16
    static let urgentPointerOffset = 18

    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let psh: UInt8 = 0x08
    static let ack: UInt8 = 0x10
    static let cwr: UInt8 = 0x80
}

/// UDP header layout.
enum UDPLayout {
    static let headerByteCount = 8
    static let lengthOffset = 4
    static let checksumOffset = 6
}

extension UnsafeRawBufferPointer {
    /// The big-endian `UInt16` at `offset` (the caller checked the bounds).
    @inline(__always)
    func bigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian `UInt32` at `offset` (the caller checked the bounds).
    @inline(__always)
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Whether `count` bytes at `offset` equal `count` bytes at `otherOffset` of `other` (bounds checked by the caller).
    func bytesEqual(at offset: Int, _ other: UnsafeRawBufferPointer, at otherOffset: Int, count: Int) -> Bool {
        var index = 0
        while count - index >= 8 {
            if self.loadUnaligned(fromByteOffset: offset + index, as: UInt64.self)
                != other.loadUnaligned(fromByteOffset: otherOffset + index, as: UInt64.self)
            {
                return false
            }
            index += 8
        }
        while index < count {
            if self[offset + index] != other[otherOffset + index] { return false }
            index += 1
        }
        return true
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores `value` big-endian at `offset` (the caller checked the bounds).
    @inline(__always)
    func storeBigEndian(_ value: UInt16, at offset: Int) {
        self.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// Stores `value` big-endian at `offset` (the caller checked the bounds).
    @inline(__always)
    func storeBigEndian(_ value: UInt32, at offset: Int) {
        self.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }
}
