import NIOCore

/// The body of a type-2 user-data blob (spec §4.5, §12.10, `Router::oob_icmp`): a router that could not forward a
/// data packet reports back to its source, end-to-end encrypted, with an ICMPv6 packet quoting the original
/// *encrypted* blob (the reporter cannot decrypt it; the source can).
/// ```
/// 0                         16                  56                64
/// | original destination    | IPv6 header (40)  | ICMPv6 header 8 | original encrypted blob (≤ 1232)
/// ```
/// IPv6 header: version 6, traffic class and flow label 0, payload length = 8 + quoted blob length, next header 58,
/// hop limit 64, source = the reporter's /64 network address (`prefix::`), destination = the original source.
/// ICMPv6 header: type, code, checksum (RFC 4443, over the pseudo-header and the ICMPv6 message), 4 bytes rest
/// (0 for Destination Unreachable and Time Exceeded, the two types upstream sends).
///
/// The source accepts bodies of 64…1296 bytes, so a blob over 1232 bytes is quoted as empty.
public struct OutOfBandICMP: Hashable, Sendable {
    public static let ipv6HeaderByteCount = 40
    public static let icmpHeaderByteCount = 8
    /// Original destination, IPv6 header and ICMPv6 header, with an empty quote.
    public static let minimumByteCount = IPv6Address.byteCount + ipv6HeaderByteCount + icmpHeaderByteCount
    /// The largest body the source accepts: 1280 (IPv6 minimum MTU) + 16.
    public static let maximumByteCount = 1296
    /// 1280 − 40 − 8: a longer blob is replaced by an empty quote.
    public static let maximumQuotedByteCount = maximumByteCount - minimumByteCount
    /// The hop limit upstream writes in the IPv6 header.
    public static let defaultHopLimit: UInt8 = 64

    /// ICMPv6 Destination Unreachable (code 0: no route), sent when there is no selected route or the queue is full.
    public static let destinationUnreachable: UInt8 = 1
    /// ICMPv6 Time Exceeded (code 0: hop limit exceeded), sent when a packet arrives with hop limit < 2.
    public static let timeExceeded: UInt8 = 3

    /// Where the reported packet was going; the source decrypts the quote with this node's key.
    public var originalDestination: IPv6Address
    /// IPv6 source: the reporter's /64 network address.
    public var source: IPv6Address
    /// IPv6 destination: the source of the reported packet.
    public var destination: IPv6Address
    /// IPv6 hop limit (upstream: 64; the receiver uses the outer data packet's instead).
    public var hopLimit: UInt8
    public var icmpType: UInt8
    public var icmpCode: UInt8
    /// ICMPv6 header bytes 4–7 (MTU, pointer or unused, depending on the type).
    public var restOfHeader: UInt32
    /// The reported packet's encrypted blob, as received. Encoding quotes it as empty if it is over
    /// `maximumQuotedByteCount` bytes.
    public var quotedBlob: ByteBuffer

    public init(
        originalDestination: IPv6Address,
        source: IPv6Address,
        destination: IPv6Address,
        icmpType: UInt8,
        icmpCode: UInt8,
        restOfHeader: UInt32 = 0,
        hopLimit: UInt8 = OutOfBandICMP.defaultHopLimit,
        quotedBlob: ByteBuffer
    ) {
        self.originalDestination = originalDestination
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.icmpType = icmpType
        self.icmpCode = icmpCode
        self.restOfHeader = restOfHeader
        self.quotedBlob = quotedBlob
    }

    /// The blob as it will be quoted on the wire: unchanged, or empty if it is too long.
    public var quotedBlobOnWire: ByteBuffer {
        self.quotedBlob.readableBytes > Self.maximumQuotedByteCount
            ? ByteBuffer() : self.quotedBlob
    }

    /// The body's size on the wire.
    public var byteCount: Int { Self.minimumByteCount + self.quotedBlobOnWire.readableBytes }
}

extension ByteBuffer {
    /// Reads an out-of-band ICMP body; `nil` (reader index unchanged) until all of it is buffered. The IPv6 payload
    /// length says where it ends; bytes after that are left unread (upstream ignores them too).
    ///
    /// Throws `invalidField(.ipVersion)` unless the version nibble is 6, `invalidField(.ipNextHeader)` unless the
    /// next header is 58 (upstream never sends extension headers), `invalidField(.icmpBodyLength)` for a payload
    /// shorter than the ICMPv6 header, and `lengthExceedsLimit(.icmpBodyLength)` for a body over 1296 bytes; all as
    /// soon as the 56 address and header bytes are buffered. The ICMPv6 checksum is not verified (upstream doesn't).
    public mutating func readOutOfBandICMP() throws(WireError) -> OutOfBandICMP? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> OutOfBandICMP? in
            guard let originalDestination = buffer.readIPv6Address(),
                let (versionClassFlow, payloadLength, nextHeader, hopLimit) = buffer.readMultipleIntegers(
                    as: (UInt32, UInt16, UInt8, UInt8).self
                ),
                let source = buffer.readIPv6Address(),
                let destination = buffer.readIPv6Address()
            else { return nil }
            guard versionClassFlow >> 28 == 6 else { throw .invalidField(.ipVersion) }
            guard nextHeader == ICMPv6Checksum.nextHeader else { throw .invalidField(.ipNextHeader) }
            guard Int(payloadLength) >= OutOfBandICMP.icmpHeaderByteCount else {
                throw .invalidField(.icmpBodyLength)
            }
            let total = IPv6Address.byteCount + OutOfBandICMP.ipv6HeaderByteCount + Int(payloadLength)
            guard total <= OutOfBandICMP.maximumByteCount else {
                throw .lengthExceedsLimit(field: .icmpBodyLength, length: total, limit: OutOfBandICMP.maximumByteCount)
            }
            guard
                let (icmpType, icmpCode, _, restOfHeader) = buffer.readMultipleIntegers(
                    as: (UInt8, UInt8, UInt16, UInt32).self
                ),
                let quotedBlob = buffer.readSlice(length: Int(payloadLength) - OutOfBandICMP.icmpHeaderByteCount)
            else { return nil }
            return OutOfBandICMP(
                originalDestination: originalDestination,
                source: source,
                destination: destination,
                icmpType: icmpType,
                icmpCode: icmpCode,
                restOfHeader: restOfHeader,
                hopLimit: hopLimit,
                quotedBlob: quotedBlob
            )
        }
    }

    /// Writes an out-of-band ICMP body, computing the ICMPv6 checksum. A blob over
    /// `OutOfBandICMP.maximumQuotedByteCount` bytes is quoted as empty, as upstream does.
    @discardableResult
    public mutating func writeOutOfBandICMP(_ report: OutOfBandICMP) -> Int {
        self.writeIPv6Address(report.originalDestination)
            + self.writeICMPv6Packet(
                type: report.icmpType,
                code: report.icmpCode,
                restOfHeader: report.restOfHeader,
                source: report.source,
                destination: report.destination,
                hopLimit: report.hopLimit,
                body: report.quotedBlobOnWire.readableBytesView
            )
    }
}
