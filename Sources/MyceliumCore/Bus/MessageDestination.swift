import MyceliumCrypto

/// Where a message goes (spec §5.5, upstream's externally tagged `MessageDestination`): `{"ip":"5xx:…"}` or
/// `{"pk":"<64 hex>"}`. A key names its node directly; an address needs the key its subnet announced.
public enum MessageDestination: Hashable, Sendable {
    case ip(IPv6Address)
    case publicKey(X25519.PublicKey)
}

extension MessageDestination: CustomStringConvertible {
    public var description: String {
        switch self {
        case .ip(let address): "\(address)"
        case .publicKey(let key): key.hexString
        }
    }
}
