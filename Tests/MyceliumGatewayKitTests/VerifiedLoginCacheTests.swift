import Testing

@testable import MyceliumGatewayKit

@Suite("Verified-login cache")
struct VerifiedLoginCacheTests {
    let start = ContinuousClock.now

    @Test("a hit needs the same stored hash, the same password and an entry younger than ten minutes")
    func hits() {
        var cache = VerifiedLoginCache(key: [UInt8](repeating: 7, count: 32))
        let mac = cache.mac(of: Array("pw".utf8))
        #expect(mac != cache.mac(of: Array("pW".utf8)))
        #expect(!cache.isVerified(name: "alice", storedHash: "h1", passwordMAC: mac, now: self.start))
        cache.insert(name: "alice", storedHash: "h1", passwordMAC: mac, now: self.start)
        #expect(cache.isVerified(name: "alice", storedHash: "h1", passwordMAC: mac, now: self.start + .seconds(599)))
        #expect(!cache.isVerified(name: "alice", storedHash: "h1", passwordMAC: mac, now: self.start + .seconds(600)))
        #expect(!cache.isVerified(name: "alice", storedHash: "h2", passwordMAC: mac, now: self.start))
        #expect(
            !cache.isVerified(
                name: "alice", storedHash: "h1", passwordMAC: cache.mac(of: Array("x".utf8)), now: self.start))
        #expect(!cache.isVerified(name: "bob", storedHash: "h1", passwordMAC: mac, now: self.start))
        cache.remove(name: "alice")
        #expect(!cache.isVerified(name: "alice", storedHash: "h1", passwordMAC: mac, now: self.start))
    }

    @Test("the MAC is keyed: another key gives another MAC")
    func keyed() {
        let one = VerifiedLoginCache(key: [UInt8](repeating: 1, count: 32))
        let two = VerifiedLoginCache(key: [UInt8](repeating: 2, count: 32))
        #expect(one.mac(of: [1, 2, 3]) != two.mac(of: [1, 2, 3]))
        #expect(one.mac(of: [1, 2, 3]) == one.mac(of: [1, 2, 3]))
    }

    @Test("the cache is bounded; the oldest entry goes first")
    func bounded() {
        var cache = VerifiedLoginCache()
        let mac = cache.mac(of: [1])
        for index in 0..<(VerifiedLoginCache.maximumEntryCount + 5) {
            let now = self.start + .milliseconds(index)
            cache.insert(name: "user\(index)", storedHash: "h", passwordMAC: mac, now: now)
        }
        #expect(cache.count == VerifiedLoginCache.maximumEntryCount)
        let late = self.start + .milliseconds(VerifiedLoginCache.maximumEntryCount + 5)
        #expect(!cache.isVerified(name: "user0", storedHash: "h", passwordMAC: mac, now: late))
        #expect(
            cache.isVerified(
                name: "user\(VerifiedLoginCache.maximumEntryCount + 4)", storedHash: "h", passwordMAC: mac, now: late))
    }
}
