import MyceliumCore
import MyceliumTesting
import Testing

@Suite("Internet checksum (RFC 1071)")
struct TunInternetChecksumTests {
    static func sum(_ bytes: [UInt8], initial: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { InternetChecksum.partialSum($0, initial: initial) }
    }

    @Test("RFC 1071's example sums to 0xDDF2")
    func rfcExample() {
        #expect(InternetChecksum.fold(Self.sum([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7])) == 0xDDF2)
    }

    @Test("matches the reference sum on random data of every length up to 200 and random longer lengths")
    func randomLengths() {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        var lengths = Array(0...200)
        lengths += (0..<300).map { _ in Int.random(in: 201...66_000, using: &generator) }
        for length in lengths {
            let bytes = generator.bytes(length)
            let expected = TunPacketFixtures.referenceSum(bytes)
            #expect(InternetChecksum.fold(Self.sum(bytes)) == expected, "length \(length)")
        }
    }

    @Test("all-0xFF data (maximal carries) matches the reference")
    func carries() {
        for length in [1, 2, 7, 8, 31, 32, 33, 1_000, 65_535] {
            let bytes = [UInt8](repeating: 0xFF, count: length)
            #expect(InternetChecksum.fold(Self.sum(bytes)) == TunPacketFixtures.referenceSum(bytes))
        }
        #expect(InternetChecksum.fold(0) == 0)
        #expect(InternetChecksum.fold(UInt64.max) == 0xFFFF)
        #expect(InternetChecksum.fold(0x1_0000) == 1)
    }

    @Test("partial sums combine over even-length pieces, and with a large initial value")
    func combining() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let bytes = generator.bytes(Int.random(in: 0...3_000, using: &generator))
            let split = Int.random(in: 0...bytes.count / 2, using: &generator) * 2
            let combined = Self.sum(Array(bytes[split...]), initial: Self.sum(Array(bytes[..<split])))
            #expect(InternetChecksum.fold(combined) == TunPacketFixtures.referenceSum(bytes))
            let initial = UInt64.random(in: 0...UInt64.max, using: &generator)
            let folded = InternetChecksum.fold(Self.sum(bytes, initial: initial))
            // The initial value as 16-bit words, summed with the data by the reference.
            let initialWords = (0..<4).flatMap { TunPacketFixtures.be16(UInt16(truncatingIfNeeded: initial >> ($0 * 16))) }
            let expected = TunPacketFixtures.referenceSum(
                initialWords + TunPacketFixtures.be16(TunPacketFixtures.referenceSum(bytes))
            )
            // 0 and 0xFFFF are the same number in one's complement.
            #expect(folded % 0xFFFF == expected % 0xFFFF)
        }
    }

    @Test("the pseudo-header sum matches the reference pseudo-header bytes")
    func pseudoHeader() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<100 {
            let source = generator.bytes(16)
            let destination = generator.bytes(16)
            let length = Int.random(in: 0...70_000, using: &generator)
            let nextHeader = UInt8.random(in: 0...255, using: &generator)
            let sum = source.withUnsafeBytes { source in
                destination.withUnsafeBytes { destination in
                    InternetChecksum.pseudoHeaderSum(
                        source: source, destination: destination, upperLayerLength: length, nextHeader: nextHeader
                    )
                }
            }
            let reference = TunPacketFixtures.referenceSum(
                TunPacketFixtures.pseudoHeader(
                    source: source, destination: destination, length: length, nextHeader: nextHeader
                )
            )
            #expect(InternetChecksum.fold(sum) == reference)
        }
    }
}
