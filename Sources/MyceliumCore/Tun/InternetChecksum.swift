/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data taken as
/// big-endian 16-bit words, an odd last byte padded with a zero byte.
///
/// Sums are kept *unfolded* in a `UInt64` so that they can be combined: `partialSum(b, initial: partialSum(a))` is
/// the sum of `a` followed by `b` (when `a` has an even length), and adding the pseudo-header sum is just passing it
/// as `initial`. `fold` turns a sum into the 16-bit one's complement sum; the checksum field holds `~fold(sum)`.
public enum InternetChecksum {
    /// The unfolded one's complement sum of `bytes` (as big-endian 16-bit words starting at `bytes[0]`, an odd last
    /// byte as the high byte of a word) added to `initial`.
    ///
    /// Works 8 bytes at a time in host byte order (the one's complement sum is byte-order independent, RFC 1071
    /// §2(B)) and converts once at the end.
    public static func partialSum(_ bytes: UnsafeRawBufferPointer, initial: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        guard count > 0 else { return initial }
        var total = initial
        var offset = 0
        // 32-bit halves of 64-bit words go into two 64-bit accumulators; a chunk of 2^30 bytes adds at most
        // 2^27 * 2^33 = 2^60 to each, so no accumulator overflows before it is folded into `total`.
        let mask: UInt64 = 0xFFFF_FFFF
        while count - offset >= 32 {
            let chunkEnd = offset + min((count - offset) & ~31, 1 << 30)
            var first: UInt64 = 0
            var second: UInt64 = 0
            while offset < chunkEnd {
                let word0 = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                let word1 = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
                let word2 = bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)
                let word3 = bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)
                first &+= (word0 & mask) &+ (word0 >> 32) &+ (word1 & mask) &+ (word1 >> 32)
                second &+= (word2 & mask) &+ (word2 >> 32) &+ (word3 & mask) &+ (word3 >> 32)
                offset += 32
            }
            total = Self.add(total, Self.hostOrderToNetwork(Self.add(first, second)))
        }
        var rest: UInt64 = 0
        while count - offset >= 8 {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            rest &+= (word & mask) &+ (word >> 32)
            offset += 8
        }
        while count - offset >= 2 {
            rest &+= UInt64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            offset += 2
        }
        total = Self.add(total, Self.hostOrderToNetwork(rest))
        if offset < count {
            total = Self.add(total, UInt64(bytes[offset]) << 8)
        }
        return total
    }

    /// Folds an unfolded sum to the 16-bit one's complement sum, as a number: store it big-endian (network byte
    /// order), or store `~fold(sum)` as a checksum field. Never 0 for a nonzero sum (it is 0xFFFF then).
    public static func fold(_ sum: UInt64) -> UInt16 {
        var folded = (sum >> 32) &+ (sum & 0xFFFF_FFFF)
        folded = (folded >> 16) &+ (folded & 0xFFFF)
        folded = (folded >> 16) &+ (folded & 0xFFFF)
        folded = (folded >> 16) &+ (folded & 0xFFFF)
        return UInt16(truncatingIfNeeded: folded)
    }

    /// The unfolded sum of the IPv6 pseudo-header (RFC 8200 §8.1):
    /// `source (16) ‖ destination (16) ‖ upper-layer length u32 ‖ 00 00 00 ‖ next header`.
    ///
    /// Only the first 16 bytes of `source` and `destination` are used (shorter buffers count as zero-padded).
    public static func pseudoHeaderSum(
        source: UnsafeRawBufferPointer,
        destination: UnsafeRawBufferPointer,
        upperLayerLength: Int,
        nextHeader: UInt8
    ) -> UInt64 {
        let addresses = Self.partialSum(
            UnsafeRawBufferPointer(rebasing: destination.prefix(16)),
            initial: Self.partialSum(UnsafeRawBufferPointer(rebasing: source.prefix(16)))
        )
        let length = UInt64(UInt32(truncatingIfNeeded: max(upperLayerLength, 0)))
        return Self.add(addresses, length &+ UInt64(nextHeader))
    }

    /// The checksum to store for `sum`: `~fold(sum)`, with 0 replaced by 0xFFFF (RFC 768; what Linux's
    /// `skb_checksum_help` does, and what UDP over IPv6 requires).
    static func checksumField(_ sum: UInt64) -> UInt16 {
        let checksum = ~Self.fold(sum)
        return checksum == 0 ? 0xFFFF : checksum
    }

    /// One's complement addition of two unfolded sums (end-around carry).
    @inline(__always)
    static func add(_ left: UInt64, _ right: UInt64) -> UInt64 {
        let (sum, overflow) = left.addingReportingOverflow(right)
        return sum &+ (overflow ? 1 : 0)
    }

    /// Converts a sum of host-order 16-bit lanes to the equivalent network-order sum (folded to 16 bits).
    @inline(__always)
    static func hostOrderToNetwork(_ hostSum: UInt64) -> UInt64 {
        UInt64(UInt16(bigEndian: Self.fold(hostSum)))
    }
}
