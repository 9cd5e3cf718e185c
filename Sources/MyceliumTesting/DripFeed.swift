import MyceliumCore
import NIOCore

/// Helpers for feeding decoders their input in pieces.
public enum DripFeed {
    /// The outcome of feeding an encoding one byte at a time.
    public struct Outcome<Value> {
        /// The decoded value, once the last byte arrived.
        public var value: Value?
        /// Prefix lengths at which the decoder did something other than ask for more bytes with its reader
        /// index untouched (empty when the decoder behaved).
        public var misbehavedAt: [Int]
        /// Bytes left unread after the value was decoded.
        public var leftover: Int
    }

    /// Feeds `bytes` to `decode` one byte at a time. Every proper prefix must yield `nil` without moving the reader
    /// index; the full input must yield a value.
    public static func byteAtATime<Value>(
        _ bytes: [UInt8],
        decode: (inout ByteBuffer) throws(WireError) -> Value?
    ) -> Outcome<Value> {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        var misbehavedAt: [Int] = []
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            let readerIndex = buffer.readerIndex
            let result: Value?
            do {
                result = try decode(&buffer)
            } catch {
                misbehavedAt.append(index + 1)
                continue
            }
            if let result {
                if index + 1 != bytes.count { misbehavedAt.append(index + 1) }
                return Outcome(value: result, misbehavedAt: misbehavedAt, leftover: buffer.readableBytes)
            }
            if buffer.readerIndex != readerIndex { misbehavedAt.append(index + 1) }
        }
        return Outcome(value: nil, misbehavedAt: misbehavedAt, leftover: buffer.readableBytes)
    }
}

/// A `ByteToMessageDecoder` around any wire decoding function, so that NIO's `ByteToMessageDecoderVerifier` can
/// drip-feed and batch-feed it.
public struct WireFrameDecoder<Frame>: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    private let decodeFrame: (inout ByteBuffer) throws(WireError) -> Frame?

    public init(_ decodeFrame: @escaping (inout ByteBuffer) throws(WireError) -> Frame?) {
        self.decodeFrame = decodeFrame
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.decodeFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
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
