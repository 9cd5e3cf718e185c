import MyceliumCore
import NIOCore
import Testing

@Suite struct ICMPv6ErrorTests {
    let node = IPv6Address("4aa:1:2:3:4:5:6:7")!
    let sender = IPv6Address("5bb::1")!

    @Test func destinationUnreachableVector() {
        let offending: [UInt8] = [0x60, 0, 0, 0, 0, 0, 17, 64] + Array(repeating: 0xAB, count: 32)
        var buffer = ByteBuffer()
        let error = ICMPv6Error(kind: .addressUnreachable, source: self.node, destination: self.sender)
        let written = offending.withUnsafeBytes { buffer.writeICMPv6Error(error, quoting: $0) }
        let bytes = Array(buffer.readableBytesView)
        #expect(written == 40 + 8 + 40)
        // Version 6, payload length 48, next header 58, hop limit 64.
        #expect(Array(bytes[0..<8]) == [0x60, 0, 0, 0, 0, 48, 58, 64])
        #expect(Array(bytes[8..<24]) == self.node.bytes)
        #expect(Array(bytes[24..<40]) == self.sender.bytes)
        #expect(bytes[40] == 1 && bytes[41] == 3)
        #expect(Array(bytes[44..<48]) == [0, 0, 0, 0])
        #expect(Array(bytes[48...]) == offending)
        // The checksum verifies: summing the message with it gives 0.
        #expect(ICMPv6Checksum.compute(source: self.node, destination: self.sender, message: bytes[40...]) == 0)
    }

    @Test func kindsMapToRFC4443TypesAndCodes() {
        #expect([ICMPv6Error.Kind.noRoute, .addressUnreachable, .sourceAddressFailedPolicy, .hopLimitExceeded].map {
            [$0.type, $0.code]
        } == [[1, 0], [1, 3], [1, 5], [3, 0]])
        #expect(ICMPv6Error.Kind.other(type: 4, code: 2).type == 4)
    }

    @Test func longPacketsAreQuotedUpToTheMinimumMTU() {
        let offending = [UInt8](repeating: 0x60, count: 1400)
        var buffer = ByteBuffer()
        let error = ICMPv6Error(kind: .noRoute, source: self.node, destination: self.sender)
        offending.withUnsafeBytes { _ = buffer.writeICMPv6Error(error, quoting: $0) }
        #expect(buffer.readableBytes == 1280)
        #expect(ICMPv6Error.maximumQuotedByteCount == 1232)
    }
}
