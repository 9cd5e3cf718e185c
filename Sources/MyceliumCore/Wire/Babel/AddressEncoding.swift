import NIOCore

/// Babel address encodings (RFC 8966 §4.1.5, spec §3.1). Mycelium sends only `wildcard` and `ipv6`.
public enum AddressEncoding: UInt8, Hashable, Sendable {
    /// No address (0 bytes).
    case wildcard = 0
    /// An IPv4 address or prefix (at most 4 bytes).
    case ipv4 = 1
    /// An IPv6 address or prefix (at most 16 bytes, `ceil(plen/8)` for a prefix; no prefix compression).
    case ipv6 = 2
    /// The low 8 bytes of a link-local IPv6 address; the high half is `fe80::`. As a prefix, plen must be 64.
    case linkLocalIPv6 = 3
}

/// An IPv4 prefix, as an IPv4 Update, Route Request or Seqno Request carries it. Mycelium routes only IPv6, so such
/// TLVs are decoded (as upstream does) but never match a route.
public struct IPv4Prefix: Hashable, Sendable {
    /// The address, most significant byte first; host bits zero.
    public let address: UInt32
    public let prefixLength: UInt8

    /// `nil` if `prefixLength` > 32. Host bits are cleared.
    public init?(address: UInt32, prefixLength: UInt8) {
        guard prefixLength <= 32 else { return nil }
        self.address = prefixLength == 0 ? 0 : address & (UInt32.max << (32 - UInt32(prefixLength)))
        self.prefixLength = prefixLength
    }
}

/// The prefix an Update, Route Request or Seqno Request is about.
public enum BabelPrefix: Hashable, Sendable {
    case ipv4(IPv4Prefix)
    case ipv6(Subnet)

    var prefixLength: UInt8 {
        switch self {
        case .ipv4(let prefix): prefix.prefixLength
        case .ipv6(let subnet): subnet.prefixLength
        }
    }

    /// Bytes of the prefix on the wire: `ceil(plen / 8)`.
    var wireByteCount: Int { (Int(self.prefixLength) + 7) / 8 }

    /// The address encoding used to send it (upstream: IPv4 → 1, IPv6 → 2, never 3).
    var addressEncoding: AddressEncoding {
        switch self {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        }
    }
}

/// Why a prefix could not be decoded. Upstream drops the TLV in these cases and keeps the link.
enum PrefixDecodingFailure: Error {
    case unknownAddressEncoding(UInt8)
    case invalidPrefixLength(AddressEncoding, UInt8)
}

extension ByteBuffer {
    /// Reads a prefix of `prefixLength` bits in address encoding `rawEncoding`. `wildcard` yields `::/0` (upstream's
    /// placeholder) when `prefixLength` is 0. Returns `nil` if the bytes are missing.
    mutating func readBabelPrefix(
        addressEncoding rawEncoding: UInt8,
        prefixLength: UInt8
    ) throws(PrefixDecodingFailure) -> BabelPrefix? {
        guard let encoding = AddressEncoding(rawValue: rawEncoding) else {
            throw .unknownAddressEncoding(rawEncoding)
        }
        let byteCount = (Int(prefixLength) + 7) / 8
        switch encoding {
        case .wildcard:
            guard prefixLength == 0 else { throw .invalidPrefixLength(encoding, prefixLength) }
            return .ipv6(Subnet(address: .unspecified, prefixLength: 0) ?? .overlay)
        case .ipv4:
            guard prefixLength <= 32 else { throw .invalidPrefixLength(encoding, prefixLength) }
            guard let bytes = self.readBytes(length: byteCount) else { return nil }
            let address = bytes.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (24 - 8 * $1.offset) }
            return IPv4Prefix(address: address, prefixLength: prefixLength).map(BabelPrefix.ipv4)
        case .ipv6:
            guard prefixLength <= 128 else { throw .invalidPrefixLength(encoding, prefixLength) }
            guard let bytes = self.readBytes(length: byteCount) else { return nil }
            let address = IPv6Address(bytes: bytes + repeatElement(0, count: 16 - byteCount)) ?? .unspecified
            return Subnet(address: address, prefixLength: Int(prefixLength)).map(BabelPrefix.ipv6)
        case .linkLocalIPv6:
            guard prefixLength == 64 else { throw .invalidPrefixLength(encoding, prefixLength) }
            guard let low = self.readInteger(as: UInt64.self) else { return nil }
            let address = IPv6Address(high: Subnet.linkLocal.address.high, low: low)
            return Subnet(address: address, prefixLength: 64).map(BabelPrefix.ipv6)
        }
    }

    /// Writes the `ceil(plen/8)` leading bytes of `prefix`.
    @discardableResult
    mutating func writeBabelPrefix(_ prefix: BabelPrefix) -> Int {
        switch prefix {
        case .ipv4(let v4):
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: v4.address >> (24 - 8 * $0)) }
            return self.writeBytes(bytes.prefix(prefix.wireByteCount))
        case .ipv6(let subnet):
            return self.writeBytes(subnet.address.bytes.prefix(prefix.wireByteCount))
        }
    }
}
