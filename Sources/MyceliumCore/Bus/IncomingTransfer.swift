import NIOCore

/// One message arriving (spec §5.3): INIT reserves room for `length` bytes, chunks are placed at their offsets and
/// acknowledged, DONE checks that exactly the announced chunks cover the message and that its BLAKE3 matches.
///
/// Accepts what upstream's receiver accepts — chunks of up to 1364 bytes, at most `ceil(length / 250)` of them,
/// duplicates, any order — and also a final chunk under 250 bytes at any index (upstream rejects that, spec §5.3).
struct IncomingTransfer: Sendable {
    enum ChunkOutcome: Hashable, Sendable {
        /// Stored (or a duplicate of a stored chunk): acknowledge it.
        case accepted
        /// Out of bounds or inconsistent with chunks already stored: drop it.
        case refused
    }

    enum CompletionOutcome: Sendable {
        case complete(ByteBuffer)
        /// Chunks are missing: the sender will resend them and DONE.
        case incomplete
        /// The chunks cover the message but their hash differs: the transfer is dropped.
        case corrupt
    }

    let source: IPv6Address
    let id: MessageID
    let length: Int
    let topic: [UInt8]
    let isReply: Bool
    /// Already delivered once: acknowledge everything, store nothing, deliver nothing.
    let isDuplicate: Bool
    /// The largest chunk index upstream accepts, `ceil(length / 250) − 1`.
    let maximumIndex: UInt64
    /// The message bytes, allocated at the first chunk.
    private var data: ByteBuffer?
    /// Received chunks: index → byte range.
    private(set) var chunks: [UInt64: Range<Int>] = [:]
    private(set) var receivedBytes = 0
    var lastHeard: MonotonicInstant

    init(
        source: IPv6Address,
        id: MessageID,
        length: Int,
        topic: [UInt8],
        isReply: Bool,
        isDuplicate: Bool,
        now: MonotonicInstant
    ) {
        self.source = source
        self.id = id
        self.length = length
        self.topic = topic
        self.isReply = isReply
        self.isDuplicate = isDuplicate
        let minimum = UInt64(MessageChunkPlan.minimumChunkSize)
        self.maximumIndex = max(1, (UInt64(length) + minimum - 1) / minimum) - 1
        self.lastHeard = now
    }

    /// Whether an INIT describes this same transfer (a retransmission, not a new message under the same id).
    func matches(length: Int, topic: [UInt8], isReply: Bool) -> Bool {
        self.length == length && self.topic == topic && self.isReply == isReply
    }

    mutating func receive(index: UInt64, offset: UInt64, data: ByteBuffer, now: MonotonicInstant) -> ChunkOutcome {
        let size = data.readableBytes
        guard index <= self.maximumIndex, offset <= UInt64(self.length), UInt64(size) <= UInt64(self.length) - offset
        else { return .refused }
        let range = Int(offset)..<(Int(offset) + size)
        let isFinal = range.upperBound == self.length || index == self.maximumIndex
        guard size >= MessageChunkPlan.minimumChunkSize || isFinal else { return .refused }
        self.lastHeard = now
        if let existing = self.chunks[index] {
            return existing == range ? .accepted : .refused
        }
        guard !self.isDuplicate else { return .accepted }
        guard self.receivedBytes + size <= self.length else { return .refused }
        if self.data == nil {
            var buffer = ByteBufferAllocator().buffer(capacity: self.length)
            buffer.writeRepeatingByte(0, count: self.length)
            self.data = buffer
        }
        self.data?.setBuffer(data, at: range.lowerBound)
        self.chunks[index] = range
        self.receivedBytes += size
        return .accepted
    }

    /// Checks DONE: `chunkCount` chunks, indices `0 ..< chunkCount`, covering exactly `length` bytes, hashing to
    /// `checksum`.
    func complete(chunkCount: UInt64, checksum: MessageChecksum) -> CompletionOutcome {
        guard chunkCount == UInt64(self.chunks.count), self.receivedBytes == self.length,
            self.chunks.keys.allSatisfy({ $0 < chunkCount })
        else { return .incomplete }
        let data = self.data ?? ByteBuffer()
        let actual = data.withUnsafeReadableBytes { MessageChecksum(hashing: $0) }
        return actual == checksum ? .complete(data) : .corrupt
    }
}
