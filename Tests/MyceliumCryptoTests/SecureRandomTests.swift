import MyceliumCrypto
import Testing

@Suite("SecureRandom")
struct SecureRandomTests {
    @Test("produces the requested number of bytes, differently each time")
    func bytes() {
        #expect(SecureRandom.bytes(0).isEmpty)
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32 && a != b)
    }

    @Test("works as a RandomNumberGenerator")
    func generator() {
        var generator = SecureRandom()
        let values = Set((0..<100).map { _ in Int.random(in: 0..<Int.max, using: &generator) })
        #expect(values.count > 95)
    }
}
