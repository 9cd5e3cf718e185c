import MyceliumCore
import Testing

/// Metrics (spec §3.2): u16, `0xFFFF` infinite; addition saturates at `0xFFFE` unless a side is infinite.
@Suite("Metric")
struct MetricTests {
    @Test func constants() {
        #expect(Metric.infinite.rawValue == 0xFFFF)
        #expect(Metric.maximumFinite.rawValue == 0xFFFE)
        #expect(Metric.zero.rawValue == 0)
        #expect(Metric.infinite.isInfinite)
        #expect(!Metric.maximumFinite.isInfinite)
        #expect(!Metric.zero.isInfinite)
    }

    @Test(arguments: [
        (0, 0, 0), (10, 15, 25), (1000, 7, 1007), (0xFFFD, 1, 0xFFFE), (0xFFFE, 0, 0xFFFE),
        (0xFFFE, 1, 0xFFFE), (0xFFFE, 0xFFFE, 0xFFFE), (0x8000, 0x8000, 0xFFFE), (0x7FFF, 0x7FFF, 0xFFFE),
        (0xFFFF, 0, 0xFFFF), (0, 0xFFFF, 0xFFFF), (0xFFFF, 0xFFFF, 0xFFFF), (0xFFFF, 0xFFFE, 0xFFFF),
        (1, 0xFFFF, 0xFFFF),
    ] as [(UInt16, UInt16, UInt16)])
    func saturatingAddition(lhs: UInt16, rhs: UInt16, sum: UInt16) {
        #expect(Metric(lhs) + Metric(rhs) == Metric(sum))
        #expect(Metric(rhs) + Metric(lhs) == Metric(sum), "addition is commutative")
    }

    @Test func finiteSumsNeverBecomeARetraction() {
        var metric = Metric.zero
        for _ in 0..<100 {
            metric = metric + Metric(1000)
            #expect(!metric.isInfinite)
        }
        #expect(metric == .maximumFinite)
    }

    @Test func ordersByValue() {
        #expect(Metric(1) < Metric(2))
        #expect(Metric.maximumFinite < Metric.infinite)
        #expect(!(Metric.infinite < Metric.infinite))
        #expect([Metric(30), .infinite, Metric(5)].sorted() == [Metric(5), Metric(30), .infinite])
    }

    @Test func description() {
        #expect(Metric(25).description == "25")
        #expect(Metric.infinite.description == "infinite")
        #expect(Metric.maximumFinite.description == "65534")
    }
}
