import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

@Suite("Out-of-band ICMP (§4.5)")
struct OutOfBandICMPTests {
    typealias Fixtures = DataPlaneCodecFixtures

    static func decode(_ buffer: inout ByteBuffer) throws(WireError) -> OutOfBandICMP? {
        try buffer.readOutOfBandICMP()
    }

    static func encode(_ report: OutOfBandICMP) throws(WireError) -> [UInt8] {
        try Fixtures.encoded { (buffer) throws(WireError) in buffer.writeOutOfBandICMP(report) }
    }

    /// The §10 encrypted blob (`01 00 00 00 ‖ "hello"` under the spec's shared secret): 37 bytes, an odd count.
    static let blob = Fixtures.bytes("b6ade40adbf6ad4f9b3be1bd38b19346d368c3c3172a8bbadb000102030405060708090a0b")

    /// A router with subnet 4ab:cdef:1234:5678::/64 reports a packet from 5a6:f0c6:… to 5e5:2195:….
    /// Checksums computed independently (Python, RFC 4443 pseudo-header sum).
    static let timeExceededBytes = Fixtures.bytes(
        """
        05e521957cc4bfb0bb4d44f80afcd14e
        60000000 002d 3a 40 04abcdef123456780000000000000000 05a6f0c6f365177d66be4a2bd9fdb59e
        03 00 d95a 00000000
        b6ade40adbf6ad4f9b3be1bd38b19346d368c3c3172a8bbadb000102030405060708090a0b
        """
    )
    static let noRouteBytes = Fixtures.bytes(
        """
        05e521957cc4bfb0bb4d44f80afcd14e
        60000000 002d 3a 40 04abcdef123456780000000000000000 05a6f0c6f365177d66be4a2bd9fdb59e
        01 00 db5a 00000000
        b6ade40adbf6ad4f9b3be1bd38b19346d368c3c3172a8bbadb000102030405060708090a0b
        """
    )
    /// Destination Unreachable with an empty quote: the 64-byte minimum.
    static let emptyQuoteBytes = Fixtures.bytes(
        """
        05e521957cc4bfb0bb4d44f80afcd14e
        60000000 0008 3a 40 04abcdef123456780000000000000000 05a6f0c6f365177d66be4a2bd9fdb59e
        01 00 81a0 00000000
        """
    )

    static func report(type: UInt8, quote: [UInt8]) throws -> OutOfBandICMP {
        OutOfBandICMP(
            originalDestination: try CoreWireFixtures.address("5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e"),
            source: try CoreWireFixtures.address("4ab:cdef:1234:5678::"),
            destination: try CoreWireFixtures.address("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"),
            icmpType: type,
            icmpCode: 0,
            quotedBlob: ByteBuffer(bytes: quote)
        )
    }

    static func vectors() throws -> [([UInt8], OutOfBandICMP)] {
        [
            (Self.timeExceededBytes, try Self.report(type: OutOfBandICMP.timeExceeded, quote: Self.blob)),
            (Self.noRouteBytes, try Self.report(type: OutOfBandICMP.destinationUnreachable, quote: Self.blob)),
            (Self.emptyQuoteBytes, try Self.report(type: OutOfBandICMP.destinationUnreachable, quote: [])),
        ]
    }

    /// The largest body the source accepts: a 1232-byte quote, 1296 bytes in all.
    static func largest() throws -> OutOfBandICMP {
        var generator = SeededGenerator(seed: 1296)
        return try Self.report(type: OutOfBandICMP.timeExceeded, quote: generator.bytes(1232))
    }

    // MARK: - Vectors

    @Test("sizes: 64…1296-byte bodies, quotes up to 1232 bytes")
    func constants() {
        #expect(OutOfBandICMP.minimumByteCount == 64)
        #expect(OutOfBandICMP.maximumByteCount == 1296)
        #expect(OutOfBandICMP.maximumQuotedByteCount == 1232)
        #expect(OutOfBandICMP.timeExceeded == 3)
        #expect(OutOfBandICMP.destinationUnreachable == 1)
    }

    @Test("encodes the spec layout byte for byte, ICMPv6 checksum included")
    func encodeVectors() throws {
        for (bytes, report) in try Self.vectors() {
            #expect(try Self.encode(report) == bytes)
            #expect(report.byteCount == bytes.count)
        }
    }

    @Test("decodes the spec layout")
    func decodeVectors() throws {
        for (bytes, report) in try Self.vectors() {
            #expect(try Fixtures.decodeExactly(bytes, Self.decode) == report)
        }
    }

    @Test("the written checksum verifies: summing the message with it gives 0")
    func checksumVerifies() throws {
        for (bytes, report) in try Self.vectors() {
            let message = bytes[56...]
            let sum = ICMPv6Checksum.compute(source: report.source, destination: report.destination, message: message)
            #expect(sum == 0)
        }
    }

    @Test("the checksum helper pads odd lengths and covers the pseudo-header")
    func checksumHelper() throws {
        let source = try CoreWireFixtures.address("4ab:cdef:1234:5678::")
        let destination = try CoreWireFixtures.address("5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e")
        let message = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] as [UInt8]
        #expect(ICMPv6Checksum.compute(source: source, destination: destination, message: message) == 0x81A0)
        // Odd length: a trailing byte counts as the high half of a zero-padded word.
        #expect(
            ICMPv6Checksum.compute(source: source, destination: destination, message: message + [0x12])
                != ICMPv6Checksum.compute(source: source, destination: destination, message: message + [0x12, 0x00])
        )
        // Swapping source and destination keeps the sum; changing either changes it.
        #expect(
            ICMPv6Checksum.compute(source: destination, destination: source, message: message) == 0x81A0
        )
        #expect(
            ICMPv6Checksum.compute(source: .unspecified, destination: destination, message: message) != 0x81A0
        )
    }

    @Test("the checksum helper agrees with the Linux kernel's ICMPv6 checksum")
    func checksumMatchesKernel() {
        // An Echo Request with an odd-length body sent ::1 → ::1 through a raw ICMPv6 socket; the kernel filled in
        // checksum 29b4.
        let message = Fixtures.bytes("80 00 0000 1234 0001") + Array("odd-length!".utf8)
        let loopback = IPv6Address(high: 0, low: 1)
        #expect(ICMPv6Checksum.compute(source: loopback, destination: loopback, message: message) == 0x29B4)
    }

    @Test("a quote over 1232 bytes is sent as empty; 1232 bytes are kept")
    func quoteLimit() throws {
        var generator = SeededGenerator(seed: 1233)
        let tooLong = try Self.report(type: OutOfBandICMP.destinationUnreachable, quote: generator.bytes(1233))
        #expect(try Self.encode(tooLong) == Self.emptyQuoteBytes)
        #expect(tooLong.byteCount == 64)

        let largest = try Self.largest()
        let bytes = try Self.encode(largest)
        #expect(bytes.count == 1296)
        #expect(bytes[20] == 0x04 && bytes[21] == 0xD8)  // payload length 8 + 1232 = 1240
        #expect(try Fixtures.decodeExactly(bytes, Self.decode) == largest)
    }

    @Test("decoding ignores the checksum, traffic class and flow label, as upstream does")
    func lenientFields() throws {
        let expected = try Self.report(type: OutOfBandICMP.timeExceeded, quote: Self.blob)
        var bytes = Self.timeExceededBytes
        bytes[58] ^= 0xFF  // checksum
        bytes[17] = 0xAB  // traffic class / flow label
        bytes[19] = 0xCD
        #expect(try Fixtures.decodeExactly(bytes, Self.decode) == expected)
    }

    @Test("hop limit, ICMP code and the rest of the header survive a round trip")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 4_5)
        for _ in 0..<200 {
            let report = OutOfBandICMP(
                originalDestination: IPv6Address(high: generator.next(), low: generator.next()),
                source: IPv6Address(high: generator.next(), low: 0),
                destination: IPv6Address(high: generator.next(), low: generator.next()),
                icmpType: UInt8.random(in: 0...255, using: &generator),
                icmpCode: UInt8.random(in: 0...255, using: &generator),
                restOfHeader: UInt32.random(in: 0...UInt32.max, using: &generator),
                hopLimit: UInt8.random(in: 0...255, using: &generator),
                quotedBlob: ByteBuffer(bytes: generator.bytes(Int.random(in: 0...1232, using: &generator)))
            )
            let bytes = try Self.encode(report)
            #expect(bytes.count == report.byteCount)
            #expect(try Fixtures.decodeExactly(bytes, Self.decode) == report)
        }
    }

    // MARK: - Partial input

    @Test("byte-at-a-time feeding completes only at the end the IPv6 payload length gives")
    func dripFeed() throws {
        for (bytes, report) in try Self.vectors() {
            Fixtures.expectDripFeed(bytes, decodesTo: report, Self.decode)
            try Fixtures.expectIncompleteForEveryPrefix(bytes, Self.decode)
        }
        let largest = try Self.largest()
        Fixtures.expectDripFeed(try Self.encode(largest), decodesTo: largest, Self.decode)
    }

    @Test("NIO's ByteToMessageDecoderVerifier accepts the decoder")
    func nioVerifier() throws {
        let largest = try Self.largest()
        try Fixtures.verifyWithNIO(try Self.vectors() + [(try Self.encode(largest), largest)], decode: Self.decode)
    }

    @Test("bytes after the IPv6 payload are left unread")
    func trailingBytes() throws {
        var buffer = ByteBuffer(bytes: Self.emptyQuoteBytes + [0xEE, 0xFF])
        #expect(try buffer.readOutOfBandICMP() == (try Self.report(type: 1, quote: [])))
        #expect(Array(buffer.readableBytesView) == [0xEE, 0xFF])
    }

    // MARK: - Malformed input

    /// The first 56 bytes of the empty-quote vector with `edit` applied: enough to judge the headers.
    static func headers(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var bytes = Array(Self.emptyQuoteBytes.prefix(56))
        edit(&bytes)
        return bytes
    }

    @Test("an IP version other than 6 is rejected")
    func wrongVersion() {
        for version: UInt8 in [0x00, 0x40, 0x70, 0xF0] {
            Fixtures.expectRejection(Self.headers { $0[16] = version }, .invalidField(.ipVersion), Self.decode)
        }
    }

    @Test("a next header other than ICMPv6 (58) is rejected")
    func wrongNextHeader() {
        for nextHeader: UInt8 in [0, 6, 17, 43, 59] {
            Fixtures.expectRejection(Self.headers { $0[22] = nextHeader }, .invalidField(.ipNextHeader), Self.decode)
        }
    }

    @Test("a payload shorter than the ICMPv6 header is rejected (body < 64 bytes)")
    func payloadTooShort() {
        for length: UInt8 in [0, 1, 7] {
            Fixtures.expectRejection(
                Self.headers { $0[20] = 0; $0[21] = length }, .invalidField(.icmpBodyLength), Self.decode
            )
        }
    }

    @Test("a body over 1296 bytes is rejected before it is buffered")
    func bodyTooLong() {
        // Payload length 1241: 16 + 40 + 1241 = 1297.
        Fixtures.expectRejection(
            Self.headers { $0[20] = 0x04; $0[21] = 0xD9 },
            .lengthExceedsLimit(field: .icmpBodyLength, length: 1297, limit: 1296),
            Self.decode
        )
        Fixtures.expectRejection(
            Self.headers { $0[20] = 0xFF; $0[21] = 0xFF },
            .lengthExceedsLimit(field: .icmpBodyLength, length: 56 + 65535, limit: 1296),
            Self.decode
        )
    }

    // MARK: - Fuzzing

    @Test("fuzzing keeps the decoder contract")
    func fuzz() throws {
        let corpus = try Self.vectors().map(\.0) + [try Self.encode(try Self.largest())]
        let report = CodecFuzzer().run(
            "OutOfBandICMP",
            corpus: corpus,
            footprint: { (report: OutOfBandICMP) in OutOfBandICMP.minimumByteCount + report.quotedBlob.readableBytes },
            decode: Self.decode
        )
        report.expectContractKept()
    }
}
