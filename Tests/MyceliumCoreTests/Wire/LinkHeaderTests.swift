import MyceliumCore
import NIOCore
import Testing

/// The 4-byte link header (spec §2.3): `01 | type (00 data, 01 control) | 00 00`.
@Suite("LinkHeader")
struct LinkHeaderTests {
    @Test func writesVersionTypeAndReservedBytes() {
        var buffer = ByteBuffer()
        #expect(buffer.writeLinkHeader(.data) == 4)
        #expect(buffer.writeLinkHeader(.control) == 4)
        #expect(Array(buffer.readableBytesView) == [1, 0, 0, 0, 1, 1, 0, 0])
        #expect(LinkHeader.byteCount == 4)
        #expect(LinkHeader.version == 1)
    }

    @Test func readsBothTypesAndIgnoresTheReservedBytes() throws {
        var buffer = ByteBuffer(bytes: [1, 0, 0, 0, 1, 1, 0xFF, 0xFF])
        #expect(try buffer.readLinkHeader() == .data)
        #expect(try buffer.readLinkHeader() == .control)
        #expect(buffer.readableBytes == 0)
    }

    @Test func waitsForFourBytes() throws {
        for count in 0..<4 {
            var buffer = ByteBuffer(bytes: Array([1, 1, 0, 0].prefix(count)))
            #expect(try buffer.readLinkHeader() == nil)
            #expect(buffer.readerIndex == 0)
        }
    }

    @Test(arguments: [0, 2, 0x2A, 0xFF] as [UInt8])
    func otherVersionsThrow(version: UInt8) {
        var buffer = ByteBuffer(bytes: [version, 1, 0, 0, 0x2A, 3, 0, 0])
        #expect(throws: WireError.unsupportedLinkVersion(version)) { try buffer.readLinkHeader() }
        #expect(buffer.readerIndex == 0)
        #expect(throws: WireError.unsupportedLinkVersion(version)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }

    @Test(arguments: [2, 3, 0x80, 0xFF] as [UInt8])
    func otherPacketTypesThrow(type: UInt8) {
        var buffer = ByteBuffer(bytes: [1, type, 0, 0, 0x2A, 3, 0, 0])
        #expect(throws: WireError.unknownPacketType(type)) { try buffer.readLinkHeader() }
        #expect(buffer.readerIndex == 0)
        #expect(throws: WireError.unknownPacketType(type)) { try buffer.readLinkPacket() }
        #expect(buffer.readerIndex == 0)
    }
}
