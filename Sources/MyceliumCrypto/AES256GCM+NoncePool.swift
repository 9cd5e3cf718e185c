extension AES256GCM {
    /// Random nonces cut from a pool of CSPRNG output that is refilled when used up: one call into the system's
    /// generator per 341 packets instead of two per packet. Every pool byte is used once. Not thread-safe: keep one
    /// per thread.
    public final class NoncePool {
        private static let noncesPerRefill = 341
        private let pool: UnsafeMutableRawBufferPointer
        private var offset: Int

        public init() {
            self.pool = .allocate(byteCount: Self.noncesPerRefill * AES256GCM.nonceByteCount, alignment: 8)
            self.offset = self.pool.count
        }

        deinit {
            self.pool.deallocate()
        }

        /// A fresh random nonce.
        public func next() -> Nonce {
            if self.offset == self.pool.count {
                SecureRandom.fill(self.pool)
                self.offset = 0
            }
            let nonce = Nonce(
                high: self.pool.loadUnaligned(fromByteOffset: self.offset, as: UInt64.self),
                low: self.pool.loadUnaligned(fromByteOffset: self.offset + 8, as: UInt32.self)
            )
            self.offset += AES256GCM.nonceByteCount
            return nonce
        }
    }
}
