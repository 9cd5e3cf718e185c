import MyceliumCore
import NIOCore
import Testing

@Suite("virtio-net header")
struct TunVirtioNetHeaderTests {
    /// NEEDS_CSUM, TCPv6 with ECN, hdr_len 72, gso_size 1348, csum_start 40, csum_offset 16, all little-endian.
    static let vectorBytes: [UInt8] = [0x01, 0x84, 0x48, 0x00, 0x44, 0x05, 0x28, 0x00, 0x10, 0x00]
    static let vector = VirtioNetHeader(
        flags: .needsChecksum,
        gsoType: .tcpV6,
        ecn: true,
        headerLength: 72,
        gsoSize: 1348,
        checksumStart: 40,
        checksumOffset: 16
    )

    @Test("encodes and decodes a byte-exact vector through ByteBuffer and raw pointers")
    func vectorBytes() throws {
        var buffer = ByteBuffer()
        #expect(buffer.writeVirtioNetHeader(Self.vector) == 10)
        #expect(Array(buffer.readableBytesView) == Self.vectorBytes)
        #expect(try buffer.readVirtioNetHeader() == Self.vector)
        #expect(buffer.readableBytes == 0)

        var raw = [UInt8](repeating: 0xEE, count: 12)
        #expect(raw.withUnsafeMutableBytes { Self.vector.store(to: $0) } == 10)
        #expect(Array(raw[0..<10]) == Self.vectorBytes)
        #expect(raw[10] == 0xEE)
        #expect(try TunPacketFixtures.header(of: Self.vectorBytes + [1, 2, 3]) == Self.vector)
    }

    @Test("the none header is ten zero bytes")
    func noneHeader() throws {
        var buffer = ByteBuffer()
        buffer.writeVirtioNetHeader(.none)
        #expect(Array(buffer.readableBytesView) == [UInt8](repeating: 0, count: 10))
        #expect(try TunPacketFixtures.header(of: [UInt8](repeating: 0, count: 10)) == VirtioNetHeader.none)
    }

    @Test("round trips every GSO type, ECN bit and flag combination")
    func roundTrip() throws {
        for type in [VirtioNetHeader.GSOType.none, .tcpV4, .udp, .tcpV6, .udpL4] {
            for ecn in [false, true] {
                for flags in [VirtioNetHeader.Flags(), .needsChecksum, .dataValid, [.needsChecksum, .dataValid]] {
                    let header = VirtioNetHeader(
                        flags: flags, gsoType: type, ecn: ecn, headerLength: 0xFEDC, gsoSize: 0x1234,
                        checksumStart: 0xFFFF, checksumOffset: 0x0102
                    )
                    var buffer = ByteBuffer()
                    buffer.writeVirtioNetHeader(header)
                    #expect(try buffer.readVirtioNetHeader() == header)
                    let bytes = TunPacketFixtures.frame(header, [])
                    #expect(try TunPacketFixtures.header(of: bytes) == header)
                }
            }
        }
    }

    @Test("short input asks for more bytes (ByteBuffer) or throws frameTooShort (raw)")
    func shortInput() throws {
        for count in 0..<10 {
            var buffer = ByteBuffer(bytes: Array(Self.vectorBytes.prefix(count)))
            #expect(try buffer.readVirtioNetHeader() == nil)
            #expect(buffer.readerIndex == 0)
            #expect(throws: TunOffloadError.frameTooShort(byteCount: count)) {
                try TunPacketFixtures.header(of: Array(Self.vectorBytes.prefix(count)))
            }
        }
        var small = [UInt8](repeating: 0xEE, count: 9)
        #expect(small.withUnsafeMutableBytes { Self.vector.store(to: $0) } == 0)
        #expect(small == [UInt8](repeating: 0xEE, count: 9))
    }

    @Test("an unknown GSO type is rejected and leaves the reader index alone")
    func unknownType() {
        for type: UInt8 in [2, 6, 0x7F, 0x82, 0xFF] {
            var bytes = Self.vectorBytes
            bytes[1] = type
            var buffer = ByteBuffer(bytes: bytes)
            #expect(throws: TunOffloadError.unknownGSOType(type & 0x7F)) { try buffer.readVirtioNetHeader() }
            #expect(buffer.readerIndex == 0)
            #expect(throws: TunOffloadError.unknownGSOType(type & 0x7F)) { try TunPacketFixtures.header(of: bytes) }
        }
    }

    @Test("unknown flag bits are kept")
    func unknownFlags() throws {
        var bytes = Self.vectorBytes
        bytes[0] = 0x07
        let header = try TunPacketFixtures.header(of: bytes)
        #expect(header.flags.contains(.needsChecksum))
        #expect(header.flags.contains(.dataValid))
        #expect(header.flags.rawValue == 0x07)
        #expect(TunPacketFixtures.frame(header, []) == bytes)
    }
}
