import CSodium

/// The operating system's CSPRNG, through libsodium's `randombytes_buf`.
///
/// It conforms to `RandomNumberGenerator`, so it can be passed wherever Swift takes a generator
/// (`Int.random(in:using:)`); pure code elsewhere in the project takes a generator as an argument instead of reaching
/// for a global one.
public struct SecureRandom: RandomNumberGenerator, Sendable {
    public init() {}

    public mutating func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { Self.fill($0) }
        return value
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        // randombytes_buf lazily initialises its own state; it cannot fail.
        randombytes_buf(base, buffer.count)
    }

    /// Returns `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: max(count, 0)) { buffer, initialised in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialised = buffer.count
        }
    }
}
