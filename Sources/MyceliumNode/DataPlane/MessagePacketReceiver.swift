import MyceliumCore
import MyceliumCrypto
import NIOCore

/// Takes the decrypted message packets (user-data type 1, spec §5.1) the data plane receives for this node.
public protocol MessagePacketReceiver: Sendable {
    /// `packet` is the plaintext after the 4-byte user-data header; it may share storage the caller reuses, so copy
    /// what must outlive the call. `source` is authenticated: the blob decrypted with `key`'s shared secret.
    func receiveMessagePacket(_ packet: ByteBuffer, from source: IPv6Address, key: X25519.PublicKey)
    /// The forwarding table changed (routes appeared or went); called on the router's event loop.
    func routesChanged()
}
