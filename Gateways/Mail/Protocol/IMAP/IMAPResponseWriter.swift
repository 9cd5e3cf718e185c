import NIOCore

/// Collects a session's response bytes and hands them to the driver's sink: once per command (the driver calls
/// `flush()`), and early in chunks of about `flushThreshold` while a large FETCH is written.
public struct IMAPResponseWriter {
    /// A FETCH answer is flushed whenever this many bytes are pending.
    public static let flushThreshold = 256 * 1024

    /// The pending bytes.
    public var buffer: ByteBuffer
    private let sink: (ByteBuffer) async throws -> Void
    private let allocator: ByteBufferAllocator

    /// `sink` receives each batch of bytes in order.
    public init(
        allocator: ByteBufferAllocator = ByteBufferAllocator(),
        sink: @escaping (ByteBuffer) async throws -> Void
    ) {
        self.buffer = allocator.buffer(capacity: 4096)
        self.sink = sink
        self.allocator = allocator
    }

    /// Sends the pending bytes, if any.
    public mutating func flush() async throws {
        guard self.buffer.readableBytes > 0 else { return }
        let batch = self.buffer
        self.buffer.clear()
        try await self.sink(batch)
    }

    /// Sends the pending bytes if there are more than `flushThreshold`.
    public mutating func flushIfNeeded() async throws {
        if self.buffer.readableBytes >= Self.flushThreshold {
            let batch = self.buffer
            self.buffer = self.allocator.buffer(capacity: Self.flushThreshold + 64 * 1024)
            try await self.sink(batch)
        }
    }

    // MARK: - Lines

    /// `* text\r\n`.
    public mutating func untagged(_ text: String) {
        self.buffer.writeString("* ")
        self.buffer.writeString(text)
        self.buffer.writeString("\r\n")
    }

    /// `tag OK|NO|BAD [code] text\r\n`.
    public mutating func tagged(_ tag: String, _ status: IMAPStatus, code: String? = nil, _ text: String) {
        self.buffer.writeString(tag)
        self.buffer.writeInteger(UInt8(ascii: " "))
        self.buffer.writeString(status.rawValue)
        self.buffer.writeInteger(UInt8(ascii: " "))
        if let code {
            self.buffer.writeString("[\(code)] ")
        }
        self.buffer.writeString(text)
        self.buffer.writeString("\r\n")
    }

    /// `+ text\r\n` (RFC 3501 §7.5).
    public mutating func continuation(_ text: String) {
        self.buffer.writeString("+ ")
        self.buffer.writeString(text)
        self.buffer.writeString("\r\n")
    }
}

/// The result of a tagged response (RFC 3501 §7.1).
public enum IMAPStatus: String, Sendable {
    case ok = "OK"
    case no = "NO"
    case bad = "BAD"
}
