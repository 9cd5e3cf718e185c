// BLAKE3 constants, the compression function and the output node.
// Section numbers refer to the BLAKE3 specification:
// https://github.com/BLAKE3-team/BLAKE3-specs/blob/master/blake3.pdf

extension BLAKE3 {
    /// Bytes per compression-function message block (spec §2.1, BLOCK_LEN).
    static let blockByteCount = 64
    /// Bytes per chunk, the leaves of the hash tree (spec §2.1, CHUNK_LEN).
    static let chunkByteCount = 1024

    /// Domain-separation flags (spec §2.1, Table 3).
    enum Flag {
        static let chunkStart: UInt32 = 1 << 0         // CHUNK_START
        static let chunkEnd: UInt32 = 1 << 1           // CHUNK_END
        static let parent: UInt32 = 1 << 2             // PARENT
        static let root: UInt32 = 1 << 3               // ROOT
        static let keyedHash: UInt32 = 1 << 4          // KEYED_HASH
        static let deriveKeyContext: UInt32 = 1 << 5   // DERIVE_KEY_CONTEXT
        static let deriveKeyMaterial: UInt32 = 1 << 6  // DERIVE_KEY_MATERIAL
    }

    /// The initialization vector IV, shared with SHA-256 (spec §2.1, Table 1).
    @inline(__always)
    static var iv: SIMD8<UInt32> {
        SIMD8(0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A,
              0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19)
    }

    /// Converts a block's in-memory byte image (16 little-endian words) to host-order words.
    @inline(__always)
    static func hostWords<Words: SIMD>(littleEndian image: Words) -> Words
    where Words.Scalar == UInt32 {
        #if _endian(big)
        var words = image
        for i in words.indices { words[i] = UInt32(littleEndian: words[i]) }
        return words
        #else
        return image
        #endif
    }

    /// Converts host-order words to their little-endian byte image (spec §2.1: words are
    /// serialized little-endian).
    @inline(__always)
    static func littleEndianImage(_ words: SIMD16<UInt32>) -> SIMD16<UInt32> {
        #if _endian(big)
        var image = words
        for i in image.indices { image[i] = image[i].littleEndian }
        return image
        #else
        return words
        #endif
    }

    /// Reads one 64-byte message block from possibly unaligned memory.
    @inline(__always)
    static func loadBlock(_ pointer: UnsafeRawPointer) -> SIMD16<UInt32> {
        hostWords(littleEndian: pointer.loadUnaligned(as: SIMD16<UInt32>.self))
    }

    /// The compression function (spec §2.1 "Compression Function"): 7 rounds over a
    /// 16-word state built from the chaining value, the IV, the 64-bit counter, the block
    /// length and the flags.
    ///
    /// Returns the full 16-word output; its low half is the new chaining value and all 16
    /// words form one block of extended output.
    @inline(__always)
    static func compress(
        chainingValue cv: SIMD8<UInt32>, block m: SIMD16<UInt32>,
        counter: UInt64, blockLength: UInt32, flags: UInt32
    ) -> SIMD16<UInt32> {
        var s = CompressionState(chainingValue: cv, counter: counter,
                                 blockLength: blockLength, flags: flags)
        // The message schedule is the identity for round 1, then MSG_PERMUTATION
        // (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8) applied once more per round.
        s.round(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7],
                m[8], m[9], m[10], m[11], m[12], m[13], m[14], m[15])
        s.round(m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13],
                m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8])
        s.round(m[3], m[4], m[10], m[12], m[13], m[2], m[7], m[14],
                m[6], m[5], m[9], m[0], m[11], m[15], m[8], m[1])
        s.round(m[10], m[7], m[12], m[9], m[14], m[3], m[13], m[15],
                m[4], m[0], m[11], m[2], m[5], m[8], m[1], m[6])
        s.round(m[12], m[13], m[9], m[11], m[15], m[10], m[14], m[8],
                m[7], m[2], m[5], m[3], m[0], m[1], m[6], m[4])
        s.round(m[9], m[14], m[11], m[5], m[8], m[12], m[15], m[1],
                m[13], m[3], m[0], m[10], m[2], m[6], m[4], m[7])
        s.round(m[11], m[15], m[5], m[0], m[1], m[9], m[8], m[6],
                m[14], m[10], m[2], m[12], m[3], m[4], m[7], m[13])
        return s.output(chainingValue: cv)
    }

    /// The not-yet-compressed final node of a (sub)tree: a chunk's last block or a parent
    /// node. Compressed without ROOT it yields a chaining value; with ROOT, any number of
    /// extended-output blocks (spec §2.5 "Extendable Output").
    struct Output {
        let inputChainingValue: SIMD8<UInt32>
        let block: SIMD16<UInt32>
        let counter: UInt64
        let blockLength: UInt32
        let flags: UInt32

        /// A parent node over two child chaining values
        /// (spec §2.4 "Parent Node Chaining Values").
        @inline(__always)
        static func parent(left: SIMD8<UInt32>, right: SIMD8<UInt32>,
                           key: SIMD8<UInt32>, flags: UInt32) -> Output {
            Output(inputChainingValue: key, block: SIMD16(lowHalf: left, highHalf: right),
                   counter: 0, blockLength: UInt32(BLAKE3.blockByteCount),
                   flags: flags | Flag.parent)
        }

        /// The node's chaining value, for use as input to its parent.
        var chainingValue: SIMD8<UInt32> {
            BLAKE3.compress(chainingValue: inputChainingValue, block: block, counter: counter,
                            blockLength: blockLength, flags: flags).lowHalf
        }

        /// Root output block number `blockCounter` (spec §2.5: the counter `t` is reused as
        /// the output block counter).
        func rootWords(blockCounter: UInt64) -> SIMD16<UInt32> {
            BLAKE3.compress(chainingValue: inputChainingValue, block: block,
                            counter: blockCounter, blockLength: blockLength,
                            flags: flags | Flag.root)
        }

        /// The first `byteCount` bytes of the root's extended output.
        func rootBytes(byteCount: Int) -> [UInt8] {
            let total = max(0, byteCount)
            return [UInt8](unsafeUninitializedCapacity: total) { buffer, initializedCount in
                let destination = UnsafeMutableRawBufferPointer(buffer)
                var offset = 0
                var blockCounter: UInt64 = 0
                while offset < total {
                    let image = BLAKE3.littleEndianImage(rootWords(blockCounter: blockCounter))
                    let take = min(BLAKE3.blockByteCount, total - offset)
                    let slot = UnsafeMutableRawBufferPointer(
                        rebasing: destination[offset..<(offset + take)])
                    withUnsafeBytes(of: image) { source in
                        slot.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<take]))
                    }
                    offset += take
                    blockCounter &+= 1
                }
                initializedCount = total
            }
        }
    }
}

/// The 16-word working state v0...v15 of the compression function, kept in scalar
/// properties so that the optimizer can hold it in registers (no heap, no array indexing).
private struct CompressionState {
    var v0, v1, v2, v3, v4, v5, v6, v7: UInt32
    var v8, v9, v10, v11, v12, v13, v14, v15: UInt32

    @inline(__always)
    init(chainingValue cv: SIMD8<UInt32>, counter: UInt64, blockLength: UInt32, flags: UInt32) {
        let iv = BLAKE3.iv
        (v0, v1, v2, v3, v4, v5, v6, v7) = (cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7])
        (v8, v9, v10, v11) = (iv[0], iv[1], iv[2], iv[3])
        v12 = UInt32(truncatingIfNeeded: counter)
        v13 = UInt32(truncatingIfNeeded: counter >> 32)
        v14 = blockLength
        v15 = flags
    }

    /// One round (spec §2.1): G on the four columns, then on the four diagonals.
    @inline(__always)
    mutating func round(_ m0: UInt32, _ m1: UInt32, _ m2: UInt32, _ m3: UInt32,
                        _ m4: UInt32, _ m5: UInt32, _ m6: UInt32, _ m7: UInt32,
                        _ m8: UInt32, _ m9: UInt32, _ m10: UInt32, _ m11: UInt32,
                        _ m12: UInt32, _ m13: UInt32, _ m14: UInt32, _ m15: UInt32) {
        g(&v0, &v4, &v8, &v12, m0, m1)
        g(&v1, &v5, &v9, &v13, m2, m3)
        g(&v2, &v6, &v10, &v14, m4, m5)
        g(&v3, &v7, &v11, &v15, m6, m7)
        g(&v0, &v5, &v10, &v15, m8, m9)
        g(&v1, &v6, &v11, &v12, m10, m11)
        g(&v2, &v7, &v8, &v13, m12, m13)
        g(&v3, &v4, &v9, &v14, m14, m15)
    }

    /// Output words (spec §2.1): v[i] ^ v[i+8] and v[i+8] ^ cv[i] for i in 0..<8.
    @inline(__always)
    func output(chainingValue cv: SIMD8<UInt32>) -> SIMD16<UInt32> {
        let low = SIMD8(v0, v1, v2, v3, v4, v5, v6, v7)
        let high = SIMD8(v8, v9, v10, v11, v12, v13, v14, v15)
        return SIMD16(lowHalf: low ^ high, highHalf: high ^ cv)
    }
}

/// The quarter-round function G (spec §2.1).
@inline(__always)
private func g(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32,
               _ mx: UInt32, _ my: UInt32) {
    a = a &+ b &+ mx
    d = rotateRight(d ^ a, by: 16)
    c = c &+ d
    b = rotateRight(b ^ c, by: 12)
    a = a &+ b &+ my
    d = rotateRight(d ^ a, by: 8)
    c = c &+ d
    b = rotateRight(b ^ c, by: 7)
}

/// 32-bit right rotation; compiles to a single `ror` for constant amounts.
@inline(__always)
private func rotateRight(_ x: UInt32, by n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}
