import MyceliumGatewayKit
import Testing

@Suite("Login throttle state")
struct LoginThrottleStateTests {
    let start = ContinuousClock.now

    @Test("failed logins wait 1, 2, 4, 8, 8 s; a success resets the client; clients are independent")
    func delays() {
        var state = LoginThrottleState()
        #expect(state.delay(for: "a", now: self.start) == nil)
        var delays: [Duration] = []
        for index in 0..<5 {
            delays.append(state.recordFailure(client: "a", now: self.start + .seconds(index * 20)))
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
        #expect(state.delay(for: "a", now: self.start + .seconds(100)) == .seconds(8))
        #expect(state.recordFailure(client: "b", now: self.start) == .seconds(1))
        state.recordSuccess(client: "a")
        #expect(state.delay(for: "a", now: self.start + .seconds(101)) == nil)
        #expect(state.recordFailure(client: "a", now: self.start + .seconds(102)) == .seconds(1))
        #expect(state.delay(for: "b", now: self.start + .seconds(102)) == .seconds(1))
    }

    @Test("ten failures within five minutes lock the client out for five minutes")
    func lockout() {
        var state = LoginThrottleState()
        for index in 0..<9 {
            _ = state.recordFailure(client: "a", now: self.start + .seconds(index * 30))
        }
        #expect(!state.isLocked(client: "a", now: self.start + .seconds(240)))
        _ = state.recordFailure(client: "a", now: self.start + .seconds(269))
        #expect(state.isLocked(client: "a", now: self.start + .seconds(269)))
        #expect(state.isLocked(client: "a", now: self.start + .seconds(568)))
        #expect(!state.isLocked(client: "a", now: self.start + .seconds(569)))
        #expect(!state.isLocked(client: "b", now: self.start + .seconds(300)))
    }

    @Test("failures spread over more than five minutes do not lock out")
    func slowFailures() {
        var state = LoginThrottleState()
        for index in 0..<30 {
            _ = state.recordFailure(client: "a", now: self.start + .seconds(index * 40))
            #expect(!state.isLocked(client: "a", now: self.start + .seconds(index * 40)))
        }
    }

    @Test("a success ends a lockout")
    func successUnlocks() {
        var state = LoginThrottleState()
        for _ in 0..<10 { _ = state.recordFailure(client: "a", now: self.start) }
        #expect(state.isLocked(client: "a", now: self.start))
        state.recordSuccess(client: "a")
        #expect(!state.isLocked(client: "a", now: self.start))
    }

    @Test("the number of tracked clients is bounded; the least recently seen is forgotten first")
    func bounded() {
        var state = LoginThrottleState(capacity: 3)
        for (index, client) in ["a", "b", "c", "d"].enumerated() {
            _ = state.recordFailure(client: client, now: self.start + .seconds(index))
        }
        #expect(state.trackedClientCount == 3)
        #expect(state.delay(for: "a", now: self.start + .seconds(5)) == nil)
        #expect(state.delay(for: "d", now: self.start + .seconds(5)) == .seconds(1))
        #expect(LoginThrottleState().trackedClientCount == 0)
        var big = LoginThrottleState()
        for index in 0..<(LoginThrottleState.maximumTrackedClients + 10) {
            _ = big.recordFailure(client: "c\(index)", now: self.start)
        }
        #expect(big.trackedClientCount == LoginThrottleState.maximumTrackedClients)
    }
}

@Suite("Login throttle")
struct LoginThrottleTests {
    @Test("failed(client:) sleeps the delay; succeeded resets; a fresh client is not locked")
    func realClock() async {
        let throttle = LoginThrottle()
        #expect(!throttle.isLocked(client: "192.0.2.1"))
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await throttle.failed(client: "192.0.2.1") }
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(3))
        throttle.succeeded(client: "192.0.2.1")
        #expect(!throttle.isLocked(client: "192.0.2.1"))
    }
}
