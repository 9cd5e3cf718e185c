import MyceliumCrypto

/// A router's identity in the routing protocol (spec §1, `router_id.rs`): 40 bytes on the wire,
/// `public key (32) ‖ zone (2, always 0) ‖ 6 random bytes chosen once per process start`.
///
/// The random tail makes a restarted node a new Babel source, so its seqno can restart at 0.
public struct RouterID: Hashable, Sendable {
    public static let byteCount = 40

    public let publicKey: X25519.PublicKey
    public let zone: UInt16
    /// The 6 random bytes, in the low 48 bits.
    public let tail: UInt64

    public init(publicKey: X25519.PublicKey, zone: UInt16 = 0, tail: UInt64) {
        self.publicKey = publicKey
        self.zone = zone
        self.tail = tail & 0xFFFF_FFFF_FFFF
    }

    /// A router id for `publicKey` with a fresh random tail drawn from `generator`.
    public init(publicKey: X25519.PublicKey, using generator: inout some RandomNumberGenerator) {
        self.init(publicKey: publicKey, tail: generator.next())
    }

    /// The 40 bytes in wire order.
    public var bytes: [UInt8] {
        var bytes = self.publicKey.rawBytes
        bytes.append(UInt8(truncatingIfNeeded: self.zone >> 8))
        bytes.append(UInt8(truncatingIfNeeded: self.zone))
        for shift in stride(from: 40, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: self.tail >> UInt64(shift)))
        }
        return bytes
    }

    /// Parses 40 wire bytes; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        let array = Array(bytes)
        guard let key = try? X25519.PublicKey(rawBytes: array[0..<32]) else { return nil }
        let zone = UInt16(array[32]) << 8 | UInt16(array[33])
        let tail = array[34..<40].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        self.init(publicKey: key, zone: zone, tail: tail)
    }

    /// The overlay address of the router's key; a router may only announce the subnet containing it.
    public var overlayAddress: IPv6Address { self.publicKey.overlayAddress }
}

extension RouterID: CustomStringConvertible {
    /// `<public key hex>-<zone hex>-<random hex>`, as upstream displays it.
    public var description: String {
        let bytes = self.bytes
        return "\(Hex.encode(bytes[0..<32]))-\(Hex.encode(bytes[32..<34]))-\(Hex.encode(bytes[34..<40]))"
    }
}
