import MyceliumCore
import NIOCore
import Testing

@testable import MyceliumNode

/// The peer manager's bookkeeping, without sockets.
@Suite("PeerTable")
struct PeerTableTests {
    final class FakeLink: PeerTableLink {
        var txBytes: UInt64
        var rxBytes: UInt64
        init(tx: UInt64 = 0, rx: UInt64 = 0) {
            self.txBytes = tx
            self.rxBytes = rx
        }
    }

    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    let staticPeer = try! PeerEndpoint(parsing: "tcp://192.0.2.1:9651")
    let linkLocalPeer = try! PeerEndpoint(parsing: "tcp://[fe80::2%eth0]:9651")

    @Test("a link-local peer is forgotten after 3 consecutive failed dials; a static peer never is")
    func forgetLinkLocal() throws {
        var table = PeerTable<FakeLink>()
        try table.addStatic(self.staticPeer, now: self.start)
        let added = table.addDiscovered(self.linkLocalPeer, now: self.start)
        #expect(added)
        for round in 1...3 {
            let dials = table.startDueDials()
            #expect(dials.count == 2)
            for dial in dials {
                let outcome = table.dialFailed(dial.endpoint, attempt: dial.attempt)
                if dial.endpoint == self.linkLocalPeer {
                    #expect(outcome == (round == 3 ? .forgotten : .failed(attempts: round)))
                } else {
                    #expect(outcome == .failed(attempts: round))
                }
            }
        }
        #expect(Array(table.entries.keys) == [self.staticPeer])
    }

    @Test("a successful dial resets the failure count")
    func successResets() throws {
        var table = PeerTable<FakeLink>()
        let added = table.addDiscovered(self.linkLocalPeer, now: self.start)
        #expect(added)
        for _ in 0..<2 {
            let attempt = try table.mustStartDial(self.linkLocalPeer)
            _ = table.dialFailed(self.linkLocalPeer, attempt: attempt)
        }
        let attempt = try table.mustStartDial(self.linkLocalPeer)
        let link = FakeLink()
        let adopted = table.adoptOutbound(link, endpoint: self.linkLocalPeer, attempt: attempt, now: self.start)
        #expect(adopted)
        table.release(link)
        for _ in 0..<2 {
            let next = try table.mustStartDial(self.linkLocalPeer)
            let outcome = table.dialFailed(self.linkLocalPeer, attempt: next)
            #expect(outcome != .forgotten)
        }
        #expect(table.entries[self.linkLocalPeer] != nil)
    }

    @Test("a discovery is ignored when the same address is already known on that transport (any port or zone)")
    func discoveredDeduplication() throws {
        var table = PeerTable<FakeLink>()
        let inbound = try PeerEndpoint(parsing: "tcp://[fe80::2%eth0]:40312")
        let inboundAdoption = table.adoptInbound(FakeLink(), endpoint: inbound, now: self.start)
        #expect(inboundAdoption.isAccepted)
        let sameAddress = table.addDiscovered(self.linkLocalPeer, now: self.start)
        #expect(!sameAddress)
        let otherZone = try table.addDiscovered(PeerEndpoint(parsing: "tcp://[fe80::2%eth1]:9651"), now: self.start)
        #expect(!otherZone)
        let newAddress = try table.addDiscovered(PeerEndpoint(parsing: "tcp://[fe80::3%eth0]:9651"), now: self.start)
        #expect(newAddress)
        let newAddressAgain = try table.addDiscovered(
            PeerEndpoint(parsing: "tcp://[fe80::3%eth0]:9651"), now: self.start)
        #expect(!newAddressAgain)
    }

    @Test("inbound peers: never dialled, replaced by a new connection from the same address, gone when down")
    func inbound() throws {
        var table = PeerTable<FakeLink>()
        let endpoint = try PeerEndpoint(parsing: "tcp://[::ffff:127.0.0.1]:40312")
        let old = FakeLink()
        let new = FakeLink()
        let firstAdoption = table.adoptInbound(old, endpoint: endpoint, now: self.start)
        #expect(firstAdoption.isAccepted)
        let dials = table.startDueDials()
        #expect(dials.isEmpty)
        guard case .accepted(let replaced) = table.adoptInbound(new, endpoint: endpoint, now: self.start) else {
            Issue.record("refused")
            return
        }
        #expect(replaced === old)
        table.release(old)
        #expect(table.entries[endpoint]?.link === new)
        table.release(new)
        #expect(table.entries.isEmpty)
    }

    @Test("an inbound connection may not take over a static entry")
    func inboundDoesNotReplaceStatic() throws {
        var table = PeerTable<FakeLink>()
        try table.addStatic(self.staticPeer, now: self.start)
        let adoption = table.adoptInbound(FakeLink(), endpoint: self.staticPeer, now: self.start)
        #expect(!adoption.isAccepted)
    }

    @Test("a connection from a dial that no longer matters is refused")
    func staleDials() throws {
        var table = PeerTable<FakeLink>()
        try table.addStatic(self.staticPeer, now: self.start)
        let stale = try table.mustStartDial(self.staticPeer)
        let secondDial = table.startDial(self.staticPeer)
        #expect(secondDial == nil)
        _ = try table.remove(self.staticPeer)
        try table.addStatic(self.staticPeer, now: self.start)
        let fresh = try table.mustStartDial(self.staticPeer)
        let staleAdopted = table.adoptOutbound(FakeLink(), endpoint: self.staticPeer, attempt: stale, now: self.start)
        #expect(!staleAdopted)
        let staleFailure = table.dialFailed(self.staticPeer, attempt: stale)
        #expect(staleFailure == .stale)
        let freshAdopted = table.adoptOutbound(FakeLink(), endpoint: self.staticPeer, attempt: fresh, now: self.start)
        #expect(freshAdopted)
        #expect(throws: PeerManagementError.alreadyExists(self.staticPeer)) {
            try table.addStatic(self.staticPeer, now: self.start)
        }
        #expect(throws: PeerManagementError.notFound(self.linkLocalPeer)) { try table.remove(self.linkLocalPeer) }
    }

    @Test("a dialled connection that closes before it was adopted makes the peer idle again")
    func dialEnded() throws {
        var table = PeerTable<FakeLink>()
        try table.addStatic(self.staticPeer, now: self.start)
        let attempt = try table.mustStartDial(self.staticPeer)
        table.dialEnded(self.staticPeer, attempt: attempt)
        let dials = table.startDueDials()
        #expect(dials.count == 1)
    }

    @Test("statuses: state, traffic over reconnections, seconds since added and since connected")
    func statuses() throws {
        var table = PeerTable<FakeLink>()
        try table.addStatic(self.staticPeer, now: self.start)
        #expect(table.statuses(now: self.start).first?.connectionState == .dead)
        let attempt = try table.mustStartDial(self.staticPeer)
        #expect(table.statuses(now: self.start).first?.connectionState == .connecting)
        let first = FakeLink(tx: 100, rx: 200)
        let firstAdopted = table.adoptOutbound(
            first, endpoint: self.staticPeer, attempt: attempt, now: self.start + .seconds(2))
        #expect(firstAdopted)
        table.release(first)
        let second = FakeLink(tx: 1, rx: 2)
        let next = try table.mustStartDial(self.staticPeer)
        let secondAdopted = table.adoptOutbound(
            second, endpoint: self.staticPeer, attempt: next, now: self.start + .seconds(5))
        #expect(secondAdopted)
        let status = try #require(table.statuses(now: self.start + .seconds(7)).first)
        #expect(status.connectionState == .alive)
        #expect(status.origin == .static)
        #expect(status.txBytes == 101)
        #expect(status.rxBytes == 202)
        #expect(status.discovered == 7)
        #expect(status.lastConnected == 2)
    }

    @Test("after shutdown nothing is dialled or adopted, and live links are handed back for closing")
    func shutDown() throws {
        var table = PeerTable<FakeLink>()
        try table.addStatic(self.staticPeer, now: self.start)
        let attempt = try table.mustStartDial(self.staticPeer)
        let link = FakeLink()
        let adopted = table.adoptOutbound(link, endpoint: self.staticPeer, attempt: attempt, now: self.start)
        #expect(adopted)
        let links = table.shutDown()
        #expect(links.count == 1 && links[0] === link)
        table.release(link)
        let dials = table.startDueDials()
        #expect(dials.isEmpty)
        let inbound = try PeerEndpoint(parsing: "tcp://[::1]:40000")
        let adoption = table.adoptInbound(FakeLink(), endpoint: inbound, now: self.start)
        #expect(!adoption.isAccepted)
    }
}

extension PeerTable {
    mutating func mustStartDial(_ endpoint: PeerEndpoint) throws -> UInt64 {
        guard let attempt = self.startDial(endpoint) else { throw TimedOut(what: "a dial of \(endpoint) to start") }
        return attempt
    }
}

extension PeerTable.InboundAdoption {
    var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}
