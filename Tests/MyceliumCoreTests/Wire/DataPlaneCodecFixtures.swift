import MyceliumCore
import MyceliumTesting
import NIOCore
import NIOTestUtils
import Testing

/// Helpers shared by the tests of the data-plane codecs (user-data header, message packets, discovery beacon,
/// out-of-band ICMP).
enum DataPlaneCodecFixtures {
    /// Bytes written as hex, whitespace allowed between fields.
    static func bytes(_ hex: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        let digits = String(hex.filter { !$0.isWhitespace })
        guard let bytes = Hex.decode(digits) else {
            Issue.record("not hex: \(hex)", sourceLocation: sourceLocation)
            return []
        }
        return bytes
    }

    /// What `write` puts into an empty buffer.
    static func encoded(_ write: (inout ByteBuffer) throws(WireError) -> Int) throws(WireError) -> [UInt8] {
        var buffer = ByteBuffer()
        let written = try write(&buffer)
        #expect(written == buffer.readableBytes, "the returned count must match the bytes written")
        return Array(buffer.readableBytesView)
    }

    /// Decodes `bytes`, which must hold exactly one value and nothing else.
    static func decodeExactly<Value>(
        _ bytes: [UInt8],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ decode: (inout ByteBuffer) throws(WireError) -> Value?
    ) throws -> Value {
        var buffer = ByteBuffer(bytes: bytes)
        let value = try #require(try decode(&buffer), sourceLocation: sourceLocation)
        #expect(buffer.readableBytes == 0, "all \(bytes.count) bytes must be consumed", sourceLocation: sourceLocation)
        return value
    }

    /// Expects `decode` to throw `error` on `bytes` and to leave the reader index where it was.
    static func expectRejection<Value>(
        _ bytes: [UInt8],
        _ error: WireError,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ decode: (inout ByteBuffer) throws(WireError) -> Value?
    ) {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: error, sourceLocation: sourceLocation) { _ = try decode(&buffer) }
        #expect(buffer.readerIndex == 0, "a rejection must not move the reader index", sourceLocation: sourceLocation)
    }

    /// Expects every proper prefix of `bytes` to decode as "need more bytes" with the reader index untouched.
    static func expectIncompleteForEveryPrefix<Value>(
        _ bytes: [UInt8],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ decode: (inout ByteBuffer) throws(WireError) -> Value?
    ) throws {
        for count in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes.prefix(count))
            let value = try decode(&buffer)
            #expect(value == nil, "a \(count)-byte prefix must not decode", sourceLocation: sourceLocation)
            #expect(buffer.readerIndex == 0, sourceLocation: sourceLocation)
        }
    }

    /// Feeds `bytes` one byte at a time (`DripFeed`): only the last byte may complete `expected`, nothing is left.
    static func expectDripFeed<Value: Equatable>(
        _ bytes: [UInt8],
        decodesTo expected: Value,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ decode: (inout ByteBuffer) throws(WireError) -> Value?
    ) {
        let outcome = DripFeed.byteAtATime(bytes, decode: decode)
        #expect(outcome.misbehavedAt.isEmpty, sourceLocation: sourceLocation)
        #expect(outcome.value == expected, sourceLocation: sourceLocation)
        #expect(outcome.leftover == 0, sourceLocation: sourceLocation)
    }

    /// Runs NIO's `ByteToMessageDecoderVerifier` (drip-fed, one per buffer, many in one buffer) on `pairs`.
    static func verifyWithNIO<Value: Equatable>(
        _ pairs: [([UInt8], Value)],
        decode: @escaping (inout ByteBuffer) throws(WireError) -> Value?
    ) throws {
        let inputOutputPairs = pairs.map { (ByteBuffer(bytes: $0.0), [$0.1]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: inputOutputPairs) {
            WireFrameDecoder(decode)
        }
    }

    /// A router id with a key of 32 `keyByte`s, zone 0 and tail `01 02 03 04 05 06`.
    static func routerID(keyByte: UInt8) throws -> RouterID {
        try #require(RouterID(bytes: [UInt8](repeating: keyByte, count: 32) + [0, 0, 1, 2, 3, 4, 5, 6]))
    }
}
