import MyceliumCore
import MyceliumCrypto
import NIOCore
import Testing

/// Byte-building helpers shared by the codec tests of this target.
enum CoreWireFixtures {
    /// The link header of a control packet.
    static let controlLinkHeader: [UInt8] = [0x01, 0x01, 0x00, 0x00]
    /// The link header of a data packet.
    static let dataLinkHeader: [UInt8] = [0x01, 0x00, 0x00, 0x00]

    /// A Babel packet (`2A 03 len`) carrying one TLV, without the link header.
    static func babelPacket(tlvType: UInt8, body: [UInt8]) -> [UInt8] {
        let length = body.count + 2
        return [0x2A, 0x03, UInt8(length >> 8), UInt8(length & 0xFF), tlvType, UInt8(body.count)] + body
    }

    /// A whole control link packet (`01 01 00 00 | 2A 03 len | type len body`).
    static func controlLinkPacket(tlvType: UInt8, body: [UInt8]) -> [UInt8] {
        controlLinkHeader + babelPacket(tlvType: tlvType, body: body)
    }

    static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    /// The encoding of `packet`, link header included.
    static func encode(_ packet: LinkPacket) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try buffer.writeLinkPacket(packet)
        return Array(buffer.readableBytesView)
    }

    /// The encoding of `packet` without link header.
    static func encode(_ packet: ControlPacket) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try buffer.writeControlPacket(packet)
        return Array(buffer.readableBytesView)
    }

    /// The TLV body of `packet`: its encoding without the Babel header and the TLV header.
    static func tlvBody(_ packet: ControlPacket) throws -> [UInt8] {
        Array(try encode(packet).dropFirst(6))
    }

    /// A router id of 40 equal bytes, as upstream's unit tests build them.
    static func routerID(repeating byte: UInt8) throws -> RouterID {
        try #require(RouterID(bytes: [UInt8](repeating: byte, count: RouterID.byteCount)))
    }

    static func subnet(_ text: String) throws -> Subnet {
        try #require(Subnet(text))
    }

    static func address(_ text: String) throws -> IPv6Address {
        try #require(IPv6Address(text))
    }

    /// Decodes exactly one link packet from `bytes`, which must hold exactly that packet.
    static func decodeSingleLinkPacket(_ bytes: [UInt8]) throws -> LinkPacket {
        var buffer = ByteBuffer(bytes: bytes)
        let packet = try #require(try buffer.readLinkPacket())
        #expect(buffer.readableBytes == 0, "the packet must consume all \(bytes.count) bytes")
        return packet
    }

    /// The reason of an unrecognized control packet, `nil` for anything else.
    static func unrecognizedReason(_ packet: LinkPacket) -> UnrecognizedControlPacket.Reason? {
        guard case .control(.unrecognized(let unrecognized)) = packet else { return nil }
        return unrecognized.reason
    }

    /// The bytes of an IPv4 prefix as the tests write them, `a.b.c.d`.
    static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt32 {
        UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }
}
