import NIOCore

/// Splits a peer link's byte stream into `LinkPacket`s (the link framing of spec §2.3, identical for TCP, TLS,
/// vsock and the QUIC control stream). Malformed input throws a `WireError`, which closes the link.
public struct LinkPacketDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = LinkPacket

    public init() {}

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let packet = try buffer.readLinkPacket() else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(packet))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        try self.decode(context: context, buffer: &buffer)
    }
}

/// Writes `LinkPacket`s with their link header.
public struct LinkPacketEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = LinkPacket

    public init() {}

    public func encode(data: LinkPacket, out: inout ByteBuffer) throws {
        try out.writeLinkPacket(data)
    }
}
