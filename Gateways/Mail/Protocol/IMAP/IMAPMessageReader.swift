/// Reads the bytes of many messages, in order, for one FETCH or SEARCH: in batches of up to `batchCount` messages or
/// `batchBytes` bytes (one trip to the store each), with the next batch already being read while the caller writes
/// out the current one.
struct IMAPMessageReader {
    /// Messages per batch at most.
    static let batchCount = 128
    /// Bytes per batch at most (a single larger message is a batch of its own).
    static let batchBytes = 2 << 20

    private let store: MailStore
    private let mailboxID: Int64
    /// The UIDs to read, in the caller's order, cut into batches.
    private let uids: [UInt32]
    private let batches: [Range<Int>]
    /// The batch being handed out, and the position in it.
    private var current: [[UInt8]?] = []
    private var position = 0
    private var nextBatch = 0
    private var pending: Task<[[UInt8]?], any Error>?

    /// `messages` in the order they will be asked for; their sizes decide the batches.
    init(store: MailStore, mailboxID: Int64, messages: [StoredMessage]) {
        self.store = store
        self.mailboxID = mailboxID
        self.uids = messages.map(\.uid)
        var batches: [Range<Int>] = []
        var start = 0
        var bytes = 0
        for (index, message) in messages.enumerated() {
            if index > start, index - start >= Self.batchCount || bytes + message.size > Self.batchBytes {
                batches.append(start..<index)
                start = index
                bytes = 0
            }
            bytes += message.size
        }
        if start < messages.count { batches.append(start..<messages.count) }
        self.batches = batches
    }

    /// The next message's bytes, or `nil` if it is gone (expunged by another session since the snapshot).
    mutating func next() async throws -> [UInt8]? {
        if self.position == self.current.count {
            guard self.nextBatch < self.batches.count else { return nil }
            let batch = self.nextBatch
            let readAhead = self.pending
            self.nextBatch += 1
            // Read the following batch while the caller writes this one out.
            self.pending = self.nextBatch < self.batches.count ? self.start(self.nextBatch) : nil
            if let readAhead {
                self.current = try await readAhead.value
            } else {
                // The first batch (often the only one: a single-message FETCH) without a task's extra hop.
                self.current = try await self.store.messageBytes(mailboxID: self.mailboxID, uids: self.uids(of: batch))
            }
            self.position = 0
        }
        defer { self.position += 1 }
        return self.current[self.position]
    }

    /// Stops a read-ahead nobody will collect (the command failed half-way).
    func cancel() {
        self.pending?.cancel()
    }

    private func start(_ batch: Int) -> Task<[[UInt8]?], any Error> {
        let store = self.store
        let mailboxID = self.mailboxID
        let uids = self.uids(of: batch)
        return Task { try await store.messageBytes(mailboxID: mailboxID, uids: uids) }
    }

    private func uids(of batch: Int) -> [UInt32] {
        Array(self.uids[self.batches[batch]])
    }
}
