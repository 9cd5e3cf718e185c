// BLAKE3 in pure Swift: hashing modes, chunk state and the incremental hash tree.
// Section numbers refer to the BLAKE3 specification:
// https://github.com/BLAKE3-team/BLAKE3-specs/blob/master/blake3.pdf

/// BLAKE3 hasher (https://github.com/BLAKE3-team/BLAKE3-specs): hash, keyed hash and key derivation modes, extendable output.
///
/// Feed input with `update(_:)` any number of times, in pieces of any size, then read any
/// number of output bytes with ``finalize(byteCount:)``. The result only depends on the
/// concatenated input, never on how it was split.
///
/// ```swift
/// var hasher = BLAKE3()
/// hasher.update("hello ".utf8)
/// hasher.update("world".utf8)
/// let digest = hasher.finalize()          // 32 bytes
/// let stream = hasher.finalize(byteCount: 100)  // extended output; digest is its prefix
/// ```
public struct BLAKE3: Sendable {
    /// The length in bytes of a key for keyed hashing (spec §2.1).
    public static let keyByteCount = 32
    /// The default output length in bytes (256 bits).
    public static let outputByteCount = 32

    /// The key words: the IV, the caller's key, or the derived context key
    /// (spec §2.2 "Modes").
    private let key: SIMD8<UInt32>
    /// The mode flags (KEYED_HASH, DERIVE_KEY_*) applied to every compression.
    private let flags: UInt32
    /// The chunk currently being filled.
    private var chunk: ChunkState
    /// Chaining values of completed subtrees awaiting their right sibling (spec §5.1.2
    /// "Chaining Value Stack"). Its depth is at most log2 of the chunk count: 16 entries
    /// for 64 MiB, 54 for the maximum input of 2^64 bytes.
    private var chainingValueStack: [SIMD8<UInt32>] = []

    private init(key: SIMD8<UInt32>, flags: UInt32) {
        self.key = key
        self.flags = flags
        self.chunk = ChunkState(key: key, counter: 0, flags: flags)
    }

    /// Creates a hasher in the default `hash` mode.
    public init() {
        self.init(key: BLAKE3.iv, flags: 0)
    }

    /// Creates a hasher in `keyed_hash` mode, a MAC / PRF keyed with a 32-byte secret.
    ///
    /// - Parameter key: exactly ``keyByteCount`` bytes.
    /// - Returns: `nil` if `key` is not exactly ``keyByteCount`` bytes long.
    public init?(key: some Collection<UInt8>) {
        let bytes = Array(key)
        guard bytes.count == BLAKE3.keyByteCount else { return nil }
        let words = bytes.withUnsafeBytes { raw in
            BLAKE3.hostWords(littleEndian: raw.loadUnaligned(as: SIMD8<UInt32>.self))
        }
        self.init(key: words, flags: Flag.keyedHash)
    }

    /// Creates a hasher in `derive_key` mode (spec §2.2 "Modes").
    ///
    /// The context string should be hardcoded, globally unique and application-specific,
    /// e.g. `"example.com 2024-01-01 session tokens v1"`. The key material is then supplied
    /// with `update(_:)` and the derived key read with ``finalize(byteCount:)``.
    public init(derivingKeyFromContext context: String) {
        var contextHasher = BLAKE3(key: BLAKE3.iv, flags: Flag.deriveKeyContext)
        contextHasher.update(context.utf8)
        let contextKey = contextHasher.rootOutput().rootWords(blockCounter: 0).lowHalf
        self.init(key: contextKey, flags: Flag.deriveKeyMaterial)
    }

    /// Appends the bytes in `bytes` to the input.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            // A full chunk is only finished once more input arrives, because the last
            // chunk must be finalized as (part of) the root instead (spec §5.1.2).
            if chunk.byteCount == BLAKE3.chunkByteCount {
                finishChunk(chunk.output().chainingValue)
            }
            // Fast path: hash whole chunks straight from the caller's memory, again
            // keeping at least one byte back for the chunk state.
            if chunk.byteCount == 0 {
                while remaining > BLAKE3.chunkByteCount {
                    finishChunk(ChunkState.chainingValue(ofChunkAt: pointer, key: key,
                                                         counter: chunk.counter, flags: flags))
                    pointer += BLAKE3.chunkByteCount
                    remaining -= BLAKE3.chunkByteCount
                }
            }
            let take = min(BLAKE3.chunkByteCount - chunk.byteCount, remaining)
            chunk.update(pointer, byteCount: take)
            pointer += take
            remaining -= take
        }
    }

    /// Appends `bytes` to the input.
    ///
    /// Contiguous collections (`[UInt8]`, `Data`, `String.UTF8View`, ...) are hashed in
    /// place; other sequences are copied through a small stack buffer.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        guard handled == nil else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: BLAKE3.chunkByteCount) { buffer in
            var count = 0
            for byte in bytes {
                buffer[count] = byte
                count += 1
                if count == buffer.count {
                    update(UnsafeRawBufferPointer(buffer))
                    count = 0
                }
            }
            update(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count))
        }
    }

    /// Returns `byteCount` bytes of output for the input so far.
    ///
    /// Any length is allowed (extendable output, spec §2.5): shorter outputs are prefixes of
    /// longer ones. The hasher is not consumed; more input may be added and `finalize`
    /// called again. A negative `byteCount` yields an empty array.
    public func finalize(byteCount: Int = BLAKE3.outputByteCount) -> [UInt8] {
        rootOutput().rootBytes(byteCount: byteCount)
    }

    /// Hashes `bytes` in the default `hash` mode and returns `byteCount` bytes of output.
    public static func hash(_ bytes: some Sequence<UInt8>, byteCount: Int = 32) -> [UInt8] {
        var hasher = BLAKE3()
        hasher.update(bytes)
        return hasher.finalize(byteCount: byteCount)
    }

    // MARK: - Hash tree

    /// Records the chaining value of the current (complete) chunk and starts the next one.
    @inline(__always)
    private mutating func finishChunk(_ chunkChainingValue: SIMD8<UInt32>) {
        let totalChunks = chunk.counter &+ 1
        addChunkChainingValue(chunkChainingValue, totalChunks: totalChunks)
        chunk = ChunkState(key: key, counter: totalChunks, flags: flags)
    }

    /// Pushes a chunk's chaining value, first merging every subtree it completes: one per
    /// trailing zero bit of the new total chunk count (spec §5.1.2).
    private mutating func addChunkChainingValue(_ chunkChainingValue: SIMD8<UInt32>,
                                                totalChunks: UInt64) {
        var newValue = chunkChainingValue
        var total = totalChunks
        while total & 1 == 0, let left = chainingValueStack.popLast() {
            newValue = Output.parent(left: left, right: newValue, key: key, flags: flags)
                .chainingValue
            total >>= 1
        }
        chainingValueStack.append(newValue)
    }

    /// The root node: the current chunk merged with every stacked subtree, right to left.
    private func rootOutput() -> Output {
        var output = chunk.output()
        for left in chainingValueStack.reversed() {
            output = Output.parent(left: left, right: output.chainingValue, key: key, flags: flags)
        }
        return output
    }
}

extension BLAKE3 {
    /// The state of one chunk of up to 1024 bytes (spec §2.3 "Chunk Chaining Values").
    /// The last block seen stays buffered, since it must be compressed with CHUNK_END (and
    /// possibly ROOT).
    struct ChunkState {
        var chainingValue: SIMD8<UInt32>
        /// The chunk index, used as the compression counter `t` (spec §2.3).
        let counter: UInt64
        let flags: UInt32
        /// The buffered block's bytes, in memory order (zero-padded).
        var block: SIMD16<UInt32> = .zero
        var blockLength = 0
        var blocksCompressed = 0

        init(key: SIMD8<UInt32>, counter: UInt64, flags: UInt32) {
            self.chainingValue = key
            self.counter = counter
            self.flags = flags
        }

        /// Bytes of input absorbed by this chunk so far.
        var byteCount: Int { blocksCompressed &* BLAKE3.blockByteCount &+ blockLength }

        /// CHUNK_START for the first block of a chunk only.
        var startFlag: UInt32 { blocksCompressed == 0 ? Flag.chunkStart : 0 }

        /// Absorbs `byteCount` bytes; the caller never exceeds the chunk's 1024 bytes.
        mutating func update(_ pointer: UnsafeRawPointer, byteCount: Int) {
            var pointer = pointer
            var remaining = byteCount
            while remaining > 0 {
                if blockLength == BLAKE3.blockByteCount {
                    compressBlock(BLAKE3.hostWords(littleEndian: block))
                    block = .zero
                    blockLength = 0
                }
                // Whole blocks that are certainly not the chunk's last go straight through.
                if blockLength == 0 {
                    while remaining > BLAKE3.blockByteCount {
                        compressBlock(BLAKE3.loadBlock(pointer))
                        pointer += BLAKE3.blockByteCount
                        remaining -= BLAKE3.blockByteCount
                    }
                }
                let offset = blockLength
                let take = min(BLAKE3.blockByteCount - offset, remaining)
                withUnsafeMutableBytes(of: &block) { destination in
                    UnsafeMutableRawBufferPointer(rebasing: destination[offset..<(offset + take)])
                        .copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: take))
                }
                blockLength += take
                pointer += take
                remaining -= take
            }
        }

        /// Compresses a non-final block of this chunk.
        @inline(__always)
        private mutating func compressBlock(_ words: SIMD16<UInt32>) {
            chainingValue = BLAKE3.compress(
                chainingValue: chainingValue, block: words, counter: counter,
                blockLength: UInt32(BLAKE3.blockByteCount), flags: flags | startFlag
            ).lowHalf
            blocksCompressed += 1
        }

        /// The chunk's final block, not yet compressed (spec §2.3: CHUNK_END).
        func output() -> Output {
            Output(inputChainingValue: chainingValue, block: BLAKE3.hostWords(littleEndian: block),
                   counter: counter, blockLength: UInt32(blockLength),
                   flags: flags | startFlag | Flag.chunkEnd)
        }

        /// The chaining value of a complete, non-root 1024-byte chunk read straight from
        /// memory: 16 compressions, CHUNK_START on the first and CHUNK_END on the last.
        @inline(__always)
        static func chainingValue(ofChunkAt pointer: UnsafeRawPointer, key: SIMD8<UInt32>,
                                  counter: UInt64, flags: UInt32) -> SIMD8<UInt32> {
            let blockCount = BLAKE3.chunkByteCount / BLAKE3.blockByteCount
            var cv = key
            for index in 0..<blockCount {
                var blockFlags = flags
                if index == 0 { blockFlags |= Flag.chunkStart }
                if index == blockCount - 1 { blockFlags |= Flag.chunkEnd }
                cv = BLAKE3.compress(
                    chainingValue: cv,
                    block: BLAKE3.loadBlock(pointer + index * BLAKE3.blockByteCount),
                    counter: counter, blockLength: UInt32(BLAKE3.blockByteCount),
                    flags: blockFlags
                ).lowHalf
            }
            return cv
        }
    }
}
