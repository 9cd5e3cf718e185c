/// A TUN frame (virtio-net header plus packet) that the offload helpers cannot handle: malformed, truncated or of a
/// kind the IPv6-only overlay does not carry.
///
/// The data plane drops such a frame (and may count it); nothing here is fatal to the node.
public enum TunOffloadError: Error, Hashable, Sendable {
    /// The frame is shorter than the 10-byte virtio-net header.
    case frameTooShort(byteCount: Int)
    /// The header's GSO type (with the ECN bit masked off) is not one Linux defines.
    case unknownGSOType(UInt8)
    /// The packet behind the header is longer than 65,535 bytes (`TunSegmenter.maximumPacketByteCount`).
    case packetTooLong(byteCount: Int)
    /// The packet is shorter than the headers it must have (`needed` bytes: IPv6 header, TCP or UDP header).
    case truncatedPacket(byteCount: Int, needed: Int)
    /// The IP version nibble is neither 6 nor 4.
    case notIPv6(version: UInt8)
    /// A well-formed frame of a kind the overlay does not carry.
    case unsupported(Unsupported)
    /// The GSO type does not match the packet's transport protocol (IPv6 next header).
    case gsoTypeMismatch(gsoType: VirtioNetHeader.GSOType, nextHeader: UInt8)
    /// The TCP data offset is below 5 words or reaches past the end of the packet.
    case badTCPHeaderLength(Int)
    /// `checksumStart`/`checksumOffset` point outside the packet, into the IPv6 header, or not at the transport
    /// checksum field of a segmentation frame.
    case badChecksumOffsets(start: UInt16, offset: UInt16)
    /// A segmentation frame with `gsoSize` 0.
    case zeroGSOSize
    /// A segmentation frame that would split into more than `limit` packets.
    case tooManySegments(count: Int, limit: Int)

    /// The frame kinds the IPv6-only overlay does not carry.
    public enum Unsupported: String, Hashable, Sendable {
        /// An IPv4 packet.
        case ipv4
        /// An IPv6 packet with extension headers in a segmentation frame.
        case extensionHeaders
        /// TCPv4 segmentation (`VIRTIO_NET_HDR_GSO_TCPV4`).
        case tcpV4Segmentation
        /// UDP fragmentation offload (`VIRTIO_NET_HDR_GSO_UDP`, UFO).
        case udpFragmentation
    }
}
