import MyceliumCore
import Testing

/// Sequence numbers compare modulo 2¹⁶ (RFC 8966 §3.2.1, spec §3.2).
@Suite("SeqNo")
struct SeqNoTests {
    @Test(arguments: [
        (1, 2), (3, 30_000), (0, 32_767), (65_535, 0), (65_535, 32_766), (65_000, 100), (32_768, 65_535),
        (32_769, 0), (60_000, 6),
    ] as [(UInt16, UInt16)])
    func olderAndNewer(older: UInt16, newer: UInt16) {
        let a = SeqNo(older)
        let b = SeqNo(newer)
        #expect(a.isOlder(than: b))
        #expect(!a.isNewer(than: b))
        #expect(b.isNewer(than: a))
        #expect(!b.isOlder(than: a))
    }

    @Test(arguments: [(0, 32_768), (1, 32_769), (32_767, 65_535), (40_000, 7_232)] as [(UInt16, UInt16)])
    func valuesExactlyHalfTheSpaceApartAreUnordered(a: UInt16, b: UInt16) {
        #expect(b &- a == 32_768)
        #expect(!SeqNo(a).isOlder(than: SeqNo(b)))
        #expect(!SeqNo(b).isOlder(than: SeqNo(a)))
        #expect(!SeqNo(a).isNewer(than: SeqNo(b)))
        #expect(!SeqNo(b).isNewer(than: SeqNo(a)))
    }

    @Test(arguments: [0, 1, 10_000, 32_768, 65_535] as [UInt16])
    func equalValuesAreNeitherOlderNorNewer(_ value: UInt16) {
        #expect(!SeqNo(value).isOlder(than: SeqNo(value)))
        #expect(!SeqNo(value).isNewer(than: SeqNo(value)))
        #expect(SeqNo(value) == SeqNo(value))
    }

    @Test func exhaustiveAgainstTheDefinition() {
        // For base values on each side of the wrap, against every other value: older iff the forward distance is
        // in 1..<32768, newer iff it is above 32768, never both.
        var mismatches: [String] = []
        for base in [0, 1, 32_767, 32_768, 65_535] as [UInt16] {
            for raw in 0...UInt16.max {
                let distance = raw &- base
                let older = SeqNo(base).isOlder(than: SeqNo(raw))
                let newer = SeqNo(base).isNewer(than: SeqNo(raw))
                if older != (distance != 0 && distance < 32_768) || newer != (distance > 32_768) || (older && newer) {
                    mismatches.append("\(base) vs \(raw)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func nextWraps() {
        #expect(SeqNo(0).next() == SeqNo(1))
        #expect(SeqNo(65_535).next() == SeqNo(0))
        #expect(SeqNo(65_535).isOlder(than: SeqNo(65_535).next()))
        #expect(SeqNo(17).description == "17")
    }
}
