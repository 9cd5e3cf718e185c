import MyceliumCore
import MyceliumTesting
import Testing

/// Random networks of 10, 50 and 200 nodes with our timers and with upstream's: time to converge, control bytes per
/// node until then, and per node per minute afterwards. Prints one `sim:` line per size and timer set.
@Suite("Control traffic of simulated networks")
struct ControlTrafficSimulationTests {
    enum Timers: String, CaseIterable, Sendable {
        case standard
        case upstream

        var configuration: RouterConfiguration { self == .standard ? .standard : .upstream }
        /// How long steady state is measured: many of our Hellos, three of upstream's.
        var steadyWindow: Duration { self == .standard ? .seconds(10) : .seconds(60) }
    }

    struct Figures {
        var convergence: Duration
        var bytesPerNodeToConverge: Double
        var bytesPerNodePerMinute: Double
        var expectedBytesPerNodePerMinute: Double
    }

    @Test(arguments: [10, 50, 200], Timers.allCases)
    func randomNetwork(size: Int, timers: Timers) throws {
        let figures = try #require(self.measure(size: size, timers: timers))
        // Both flood the first routes within a few round trips.
        #expect(figures.convergence < .seconds(2))
        // After convergence only Hellos and IHUs flow: 32 bytes per Hello round per link end.
        let ratio = figures.bytesPerNodePerMinute / figures.expectedBytesPerNodePerMinute
        #expect(ratio > 0.95 && ratio < 1.05, "steady state is not just Hellos and IHUs: \(ratio)")
        print(
            "sim: random \(size) nodes, average degree 3.5, \(timers.rawValue) timers:"
                + " converged in \(Self.format(figures.convergence)),"
                + " \(Self.kilobytes(figures.bytesPerNodeToConverge)) control bytes per node until then,"
                + " \(Self.kilobytes(figures.bytesPerNodePerMinute)) per node per minute after"
        )
    }

    private func measure(size: Int, timers: Timers) -> Figures? {
        let configuration = timers.configuration
        let steadyWindow = timers.steadyWindow
        var sim = NetworkSimulator(seed: UInt64(size), configuration: configuration)
        sim.loopCheck = size > 50 ? .everyEvents(25_000) : .afterEveryRoutingChange
        sim.build(.randomConnected(size, averageDegree: 3.5), latencyMilliseconds: 5...40)
        guard let convergence = sim.runUntilConverged(timeout: .seconds(30)) else {
            Issue.record("\(size) nodes did not converge")
            return nil
        }
        let bytesToConverge = sim.totalControlBytes
        // Let the link costs settle (ours: a few Hellos; upstream's first Hello comes after 20 s), then measure.
        sim.loopCheck = .never
        sim.run(for: configuration.helloInterval * 4)
        let before = sim.totalControlBytes
        sim.run(for: steadyWindow)
        let steady = Double(sim.totalControlBytes - before)
        #expect(sim.converged)
        #expect(sim.loopViolations.isEmpty, "\(sim.loopViolations.prefix(3))")
        #expect(sim.findLoops().isEmpty)

        let minutes = Double(steadyWindow.nanosecondsClamped) / 60e9
        let helloRoundsPerMinute = 60e9 / Double(configuration.helloInterval.nanosecondsClamped)
        let linkEnds = Double(2 * sim.links.count)
        return Figures(
            convergence: convergence,
            bytesPerNodeToConverge: Double(bytesToConverge) / Double(size),
            bytesPerNodePerMinute: steady / minutes / Double(size),
            expectedBytesPerNodePerMinute: linkEnds * helloRoundsPerMinute * 32 / Double(size)
        )
    }

    private static func format(_ duration: Duration) -> String {
        "\(Double(duration.nanosecondsClamped / 1_000_000) / 1000) s"
    }

    private static func kilobytes(_ bytes: Double) -> String {
        "\(Double(Int(bytes / 100)) / 10) KB"
    }
}
