/// The 10-byte virtio-net header before every packet on an `IFF_VNET_HDR` TUN (little-endian fields), as in Linux
/// `include/uapi/linux/virtio_net.h` (`struct virtio_net_hdr`):
/// ```
/// flags u8 | gso_type u8 | hdr_len u16le | gso_size u16le | csum_start u16le | csum_offset u16le
/// ```
public struct VirtioNetHeader: Hashable, Sendable {
    /// Size of the header on the wire.
    public static let byteCount = 10

    /// The header's `flags` byte.
    public struct Flags: OptionSet, Hashable, Sendable {
        /// The flags byte as on the wire (unknown bits are kept).
        public let rawValue: UInt8

        /// Flags from the wire byte.
        public init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// `VIRTIO_NET_HDR_F_NEEDS_CSUM`: the transport checksum is partial; `checksumStart`/`checksumOffset` say
        /// where it is summed from and stored, and the field holds the pseudo-header sum.
        public static let needsChecksum = Flags(rawValue: 1)
        /// `VIRTIO_NET_HDR_F_DATA_VALID`: the checksums were verified already.
        public static let dataValid = Flags(rawValue: 2)
    }

    /// The header's `gso_type` byte without its ECN bit (`0x80`, see `ecn`).
    public enum GSOType: UInt8, Hashable, Sendable {
        /// `VIRTIO_NET_HDR_GSO_NONE`: a plain packet.
        case none = 0
        /// `VIRTIO_NET_HDR_GSO_TCPV4`: TCP over IPv4 segmentation.
        case tcpV4 = 1
        /// `VIRTIO_NET_HDR_GSO_UDP`: IPv4 UDP fragmentation (UFO).
        case udp = 3
        /// `VIRTIO_NET_HDR_GSO_TCPV6`: TCP over IPv6 segmentation.
        case tcpV6 = 4
        /// `VIRTIO_NET_HDR_GSO_UDP_L4`: UDP segmentation (USO), one datagram per segment.
        case udpL4 = 5
    }

    /// The ECN bit of `gso_type` in the wire byte.
    static let ecnBit: UInt8 = 0x80

    /// `flags`: how the checksum is to be treated.
    public var flags: Flags
    /// `gso_type` without the ECN bit: whether and how the packet is a segmentation super-packet.
    public var gsoType: GSOType
    /// `VIRTIO_NET_HDR_GSO_ECN`: the TCP super-packet carries CWR that only its first segment may keep.
    public var ecn: Bool
    /// `hdr_len`: length of the headers before the payload. Linux fills it unreliably on TUN reads (it reports the
    /// linear part of the buffer); the segmenter computes the header length from the packet instead.
    public var headerLength: UInt16
    /// `gso_size`: payload bytes per segment.
    public var gsoSize: UInt16
    /// `csum_start`: offset in the packet where the checksum sum starts (the transport header).
    public var checksumStart: UInt16
    /// `csum_offset`: offset of the checksum field from `checksumStart` (16 for TCP, 6 for UDP).
    public var checksumOffset: UInt16

    /// The all-zero header: a plain packet with complete checksums.
    public static let none = VirtioNetHeader()

    /// A header from its fields (all zero by default).
    public init(
        flags: Flags = [],
        gsoType: GSOType = .none,
        ecn: Bool = false,
        headerLength: UInt16 = 0,
        gsoSize: UInt16 = 0,
        checksumStart: UInt16 = 0,
        checksumOffset: UInt16 = 0
    ) {
        self.flags = flags
        self.gsoType = gsoType
        self.ecn = ecn
        self.headerLength = headerLength
        self.gsoSize = gsoSize
        self.checksumStart = checksumStart
        self.checksumOffset = checksumOffset
    }

    /// Decodes the header from the first 10 of `bytes` (a whole frame may be passed).
    ///
    /// Unknown flag bits are kept in `flags`. Throws `frameTooShort` for fewer than 10 bytes and `unknownGSOType`
    /// for a GSO type Linux does not define.
    public init(bytes: UnsafeRawBufferPointer) throws(TunOffloadError) {
        guard bytes.count >= Self.byteCount else { throw .frameTooShort(byteCount: bytes.count) }
        try self.init(
            flagsByte: bytes[0],
            gsoTypeByte: bytes[1],
            headerLength: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)),
            gsoSize: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self)),
            checksumStart: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self)),
            checksumOffset: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        )
    }

    /// Decodes the header from its fields as read off the wire (little-endian already converted).
    init(
        flagsByte: UInt8,
        gsoTypeByte: UInt8,
        headerLength: UInt16,
        gsoSize: UInt16,
        checksumStart: UInt16,
        checksumOffset: UInt16
    ) throws(TunOffloadError) {
        let typeValue = gsoTypeByte & ~Self.ecnBit
        guard let gsoType = GSOType(rawValue: typeValue) else { throw .unknownGSOType(typeValue) }
        self.init(
            flags: Flags(rawValue: flagsByte),
            gsoType: gsoType,
            ecn: gsoTypeByte & Self.ecnBit != 0,
            headerLength: headerLength,
            gsoSize: gsoSize,
            checksumStart: checksumStart,
            checksumOffset: checksumOffset
        )
    }

    /// The `gso_type` byte on the wire: the type with the ECN bit when `ecn` is set.
    var gsoTypeByte: UInt8 {
        self.gsoType.rawValue | (self.ecn ? Self.ecnBit : 0)
    }

    /// Writes the 10 header bytes to the start of `destination` and returns 10; writes nothing and returns 0 when
    /// `destination` is shorter than `byteCount`.
    @discardableResult
    public func store(to destination: UnsafeMutableRawBufferPointer) -> Int {
        guard destination.count >= Self.byteCount else { return 0 }
        destination[0] = self.flags.rawValue
        destination[1] = self.gsoTypeByte
        destination.storeBytes(of: self.headerLength.littleEndian, toByteOffset: 2, as: UInt16.self)
        destination.storeBytes(of: self.gsoSize.littleEndian, toByteOffset: 4, as: UInt16.self)
        destination.storeBytes(of: self.checksumStart.littleEndian, toByteOffset: 6, as: UInt16.self)
        destination.storeBytes(of: self.checksumOffset.littleEndian, toByteOffset: 8, as: UInt16.self)
        return Self.byteCount
    }
}
