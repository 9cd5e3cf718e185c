import MyceliumCore
import Testing

/// Address encodings and the IPv4 prefixes they can carry (spec §3.1).
@Suite("AddressEncoding")
struct AddressEncodingTests {
    @Test func rawValuesMatchRFC8966() {
        #expect(AddressEncoding.wildcard.rawValue == 0)
        #expect(AddressEncoding.ipv4.rawValue == 1)
        #expect(AddressEncoding.ipv6.rawValue == 2)
        #expect(AddressEncoding.linkLocalIPv6.rawValue == 3)
        #expect(AddressEncoding(rawValue: 4) == nil)
    }

    @Test(arguments: [
        (0x0A65_0401, 23, 0x0A65_0400), (0x0A65_0401, 32, 0x0A65_0401), (0xFFFF_FFFF, 0, 0),
        (0xFFFF_FFFF, 1, 0x8000_0000), (0xC000_02FF, 24, 0xC000_0200), (0xFFFF_FFFF, 31, 0xFFFF_FFFE),
    ] as [(UInt32, UInt8, UInt32)])
    func ipv4PrefixClearsHostBits(address: UInt32, length: UInt8, masked: UInt32) throws {
        let prefix = try #require(IPv4Prefix(address: address, prefixLength: length))
        #expect(prefix.address == masked)
        #expect(prefix.prefixLength == length)
    }

    @Test(arguments: [33, 64, 255] as [UInt8])
    func ipv4PrefixRejectsLongPrefixes(_ length: UInt8) {
        #expect(IPv4Prefix(address: 0, prefixLength: length) == nil)
    }
}
