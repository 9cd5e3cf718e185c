import MyceliumCrypto

extension X25519.PublicKey {
    /// The node's overlay address (spec §1, `PublicKey::address`):
    /// the first 16 bytes of `BLAKE3(public key)`, with byte 0 replaced by `0x04 | (popcount(byte 0) & 1)`,
    /// which puts every address inside `400::/7`.
    public var overlayAddress: IPv6Address {
        var hash = BLAKE3.hash(self.rawBytes, byteCount: IPv6Address.byteCount)
        hash[0] = 0x04 | UInt8(hash[0].nonzeroBitCount & 1)
        // The hash has exactly 16 bytes.
        return IPv6Address(bytes: hash) ?? .unspecified
    }

    /// The node's /64: the first 8 bytes of its overlay address (spec §1, "Per-node subnet").
    public var nodeSubnet: Subnet {
        Subnet.node(containing: self.overlayAddress)
    }

    /// 64 lowercase hex characters, the key's text form in the CLI and in JSON.
    public var hexString: String { Hex.encode(self.rawBytes) }

    /// Parses 64 hex characters (either case).
    public init(hexString: String) throws(IdentityError) {
        guard let bytes = Hex.decode(hexString) else { throw .invalidHex }
        guard bytes.count == X25519.keyByteCount else {
            throw .invalidKeyLength(bytes.count)
        }
        do {
            try self.init(rawBytes: bytes)
        } catch {
            throw .invalidKeyLength(bytes.count)
        }
    }
}

extension Subnet {
    /// The /64 that contains `address`: a node's subnet, and the granularity of routes and queues.
    public static func node(containing address: IPv6Address) -> Subnet {
        // 64 is a valid prefix length.
        Subnet(address: address, prefixLength: 64) ?? .overlay
    }
}
