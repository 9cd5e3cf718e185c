import NIOCore

/// One packet of the message subsystem (spec §5.1, `message.rs`, `message/{init,chunk,done}.rs`): the plaintext of a
/// type-1 user-data blob after its 4-byte `UserDataHeader`.
///
/// Header (12 bytes), then a body whose form the flags decide:
/// ```
/// 0            8           10              12
/// | message id | flags u16 | reserved 00 00 | body
/// ```
/// | form | flags | body |
/// |---|---|---|
/// | INIT | `8000` (+ REPLY `0400`) | total length u64 ‖ topic length u8 ‖ topic (0…255 bytes) |
/// | INIT-ACK | `8100` (+ REPLY `0400`) | total length u64 ‖ topic length u8 — 9 bytes, no topic |
/// | CHUNK | `1000` | chunk index u64 ‖ byte offset u64 ‖ chunk size u64 ‖ data (size bytes) |
/// | CHUNK-ACK | `1100` | the 24-byte chunk header only (data stripped since v0.7.5) |
/// | DONE | `4000` | chunk count u64 ‖ 32-byte BLAKE3 of the message data |
/// | DONE-ACK | `4100` | the same 40 bytes |
/// | READ | `0800` | none |
/// | ABORTED | `2000` | none |
///
/// All integers are big-endian. Upstream slices these bodies without length checks (spec §13), so the encoder makes
/// short packets impossible: the topic length and chunk size fields are always derived from the bytes that follow.
public struct MessagePacket: Hashable, Sendable {
    public static let headerByteCount = 12
    /// INIT and INIT-ACK: total length (8) and topic length (1).
    public static let initialBodyBaseByteCount = 9
    /// A topic length travels in one byte.
    public static let maximumTopicByteCount = Int(UInt8.max)
    /// CHUNK (before its data) and CHUNK-ACK: index, offset and size, 8 bytes each.
    public static let chunkHeaderByteCount = 24
    /// The most chunk data a 1400-byte packet buffer holds (1400 − 12 − 24); a larger size field is malformed.
    /// Upstream senders use 1300 (spec §5.2, §5.3).
    public static let maximumChunkDataByteCount = 1364
    /// DONE and DONE-ACK: chunk count (8) and checksum (32).
    public static let doneBodyByteCount = 8 + MessageChecksum.byteCount

    /// Every valid form of a message packet's body; the header flags follow from it.
    public enum Body: Hashable, Sendable {
        /// INIT: announces a message of `length` bytes under `topic` (arbitrary bytes, at most 255). `isReply` sets
        /// REPLY: the message answers the one with the same id.
        case initial(length: UInt64, topic: [UInt8], isReply: Bool)
        /// INIT-ACK: echoes the INIT's length and topic length byte, without the topic.
        case initialAck(length: UInt64, topicLength: UInt8, isReply: Bool)
        /// CHUNK: `data` (at most `maximumChunkDataByteCount` bytes) at `offset`, stored by the receiver at `index`.
        /// The size field on the wire is `data.readableBytes`.
        case chunk(index: UInt64, offset: UInt64, data: ByteBuffer)
        /// CHUNK-ACK: the acknowledged chunk's header.
        case chunkAck(index: UInt64, offset: UInt64, size: UInt64)
        /// DONE: all `chunkCount` chunks were sent; `checksum` is BLAKE3 of the whole message data.
        case done(chunkCount: UInt64, checksum: MessageChecksum)
        /// DONE-ACK: the receiver verified and stored the message.
        case doneAck(chunkCount: UInt64, checksum: MessageChecksum)
        /// READ: an application read the message.
        case read
        /// ABORTED: the sender gave up on the message.
        case aborted

        /// The flags announcing this body.
        public var flags: MessageFlags {
            switch self {
            case .initial(_, _, let isReply): isReply ? [.initial, .reply] : .initial
            case .initialAck(_, _, let isReply): isReply ? [.initial, .reply, .ack] : [.initial, .ack]
            case .chunk: .chunk
            case .chunkAck: [.chunk, .ack]
            case .done: .done
            case .doneAck: [.done, .ack]
            case .read: .read
            case .aborted: .aborted
            }
        }

        /// The body's size on the wire.
        public var byteCount: Int {
            switch self {
            case .initial(_, let topic, _): MessagePacket.initialBodyBaseByteCount + topic.count
            case .initialAck: MessagePacket.initialBodyBaseByteCount
            case .chunk(_, _, let data): MessagePacket.chunkHeaderByteCount + data.readableBytes
            case .chunkAck: MessagePacket.chunkHeaderByteCount
            case .done, .doneAck: MessagePacket.doneBodyByteCount
            case .read, .aborted: 0
            }
        }

        /// The body a receiver answers this one with (spec §5.3): INIT, CHUNK and DONE are acknowledged (REPLY kept,
        /// topic and chunk data stripped); the others, ACKs included, get no answer.
        public var acknowledgement: Body? {
            switch self {
            case .initial(let length, let topic, let isReply):
                .initialAck(length: length, topicLength: UInt8(clamping: topic.count), isReply: isReply)
            case .chunk(let index, let offset, let data):
                .chunkAck(index: index, offset: offset, size: UInt64(data.readableBytes))
            case .done(let chunkCount, let checksum): .doneAck(chunkCount: chunkCount, checksum: checksum)
            case .initialAck, .chunkAck, .doneAck, .read, .aborted: nil
            }
        }
    }

    public var id: MessageID
    public var body: Body

    public init(id: MessageID, body: Body) {
        self.id = id
        self.body = body
    }

    /// The header flags, derived from the body.
    public var flags: MessageFlags { self.body.flags }

    /// The packet's size on the wire, header included.
    public var byteCount: Int { Self.headerByteCount + self.body.byteCount }

    /// The packet a receiver answers this one with, if any (same id).
    public var acknowledgement: MessagePacket? {
        self.body.acknowledgement.map { MessagePacket(id: self.id, body: $0) }
    }

    /// The body form `flags` announce; `nil` for unknown bits and contradictory combinations: exactly one of INIT,
    /// CHUNK, DONE, READ, ABORTED; ACK only with INIT, CHUNK or DONE; REPLY only with INIT.
    fileprivate enum Form {
        case initial(isReply: Bool)
        case initialAck(isReply: Bool)
        case chunk, chunkAck, done, doneAck, read, aborted

        init?(_ flags: MessageFlags) {
            guard flags.isSubset(of: .known) else { return nil }
            let isAck = flags.contains(.ack)
            let isReply = flags.contains(.reply)
            let primary = flags.subtracting([.ack, .reply])
            guard !isReply || primary == .initial else { return nil }
            switch primary {
            case .initial: self = isAck ? .initialAck(isReply: isReply) : .initial(isReply: isReply)
            case .chunk: self = isAck ? .chunkAck : .chunk
            case .done: self = isAck ? .doneAck : .done
            case .read where !isAck: self = .read
            case .aborted where !isAck: self = .aborted
            default: return nil
            }
        }
    }
}

extension ByteBuffer {
    /// Reads one message packet; `nil` (reader index unchanged) until all of it is buffered.
    ///
    /// Invalid flags throw `invalidField(.messageFlags)` and a CHUNK size above
    /// `MessagePacket.maximumChunkDataByteCount` throws `lengthExceedsLimit(.chunkSize)`, both as soon as the field is
    /// buffered. Every form is self-delimiting, so exactly one packet is consumed; bytes after it within a decrypted
    /// blob are left unread for the caller to ignore, as upstream ignores them (pre-0.7.5 CHUNK-ACKs still carried
    /// the chunk data).
    public mutating func readMessagePacket() throws(WireError) -> MessagePacket? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> MessagePacket? in
            // Bytes 10–11 are reserved; upstream never reads them.
            guard let (rawID, rawFlags, _) = buffer.readMultipleIntegers(as: (UInt64, UInt16, UInt16).self) else {
                return nil
            }
            guard let form = MessagePacket.Form(MessageFlags(rawValue: rawFlags)) else {
                throw .invalidField(.messageFlags)
            }
            guard let body = try buffer.readMessageBody(form) else { return nil }
            return MessagePacket(id: MessageID(rawValue: rawID), body: body)
        }
    }

    private mutating func readMessageBody(_ form: MessagePacket.Form) throws(WireError) -> MessagePacket.Body? {
        switch form {
        case .initial(let isReply):
            guard let (length, topicLength) = self.readMultipleIntegers(as: (UInt64, UInt8).self),
                let topic = self.readBytes(length: Int(topicLength))
            else { return nil }
            return .initial(length: length, topic: topic, isReply: isReply)
        case .initialAck(let isReply):
            guard let (length, topicLength) = self.readMultipleIntegers(as: (UInt64, UInt8).self) else { return nil }
            return .initialAck(length: length, topicLength: topicLength, isReply: isReply)
        case .chunk:
            guard let (index, offset, size) = self.readMultipleIntegers(as: (UInt64, UInt64, UInt64).self) else {
                return nil
            }
            let limit = MessagePacket.maximumChunkDataByteCount
            guard size <= UInt64(limit) else {
                throw .lengthExceedsLimit(field: .chunkSize, length: Int(clamping: size), limit: limit)
            }
            guard let data = self.readSlice(length: Int(size)) else { return nil }
            return .chunk(index: index, offset: offset, data: data)
        case .chunkAck:
            guard let (index, offset, size) = self.readMultipleIntegers(as: (UInt64, UInt64, UInt64).self) else {
                return nil
            }
            return .chunkAck(index: index, offset: offset, size: size)
        case .done, .doneAck:
            guard let chunkCount = self.readInteger(as: UInt64.self), let checksum = self.readMessageChecksum() else {
                return nil
            }
            if case .done = form { return .done(chunkCount: chunkCount, checksum: checksum) }
            return .doneAck(chunkCount: chunkCount, checksum: checksum)
        case .read:
            return .read
        case .aborted:
            return .aborted
        }
    }

    /// Writes one message packet. A topic over 255 bytes or chunk data over
    /// `MessagePacket.maximumChunkDataByteCount` bytes cannot be sent and throws before anything is written.
    @discardableResult
    public mutating func writeMessagePacket(_ packet: MessagePacket) throws(WireError) -> Int {
        switch packet.body {
        case .initial(_, let topic, _) where topic.count > MessagePacket.maximumTopicByteCount:
            throw .lengthExceedsLimit(
                field: .topicLength, length: topic.count, limit: MessagePacket.maximumTopicByteCount
            )
        case .chunk(_, _, let data) where data.readableBytes > MessagePacket.maximumChunkDataByteCount:
            throw .lengthExceedsLimit(
                field: .chunkSize, length: data.readableBytes, limit: MessagePacket.maximumChunkDataByteCount
            )
        default:
            break
        }
        var written = self.writeMessageID(packet.id)
        written += self.writeMultipleIntegers(packet.flags.rawValue, UInt16(0))
        switch packet.body {
        case .initial(let length, let topic, _):
            // Checked above: the count fits a byte.
            written += self.writeMultipleIntegers(length, UInt8(truncatingIfNeeded: topic.count))
            written += self.writeBytes(topic)
        case .initialAck(let length, let topicLength, _):
            written += self.writeMultipleIntegers(length, topicLength)
        case .chunk(let index, let offset, var data):
            written += self.writeMultipleIntegers(index, offset, UInt64(data.readableBytes))
            written += self.writeBuffer(&data)
        case .chunkAck(let index, let offset, let size):
            written += self.writeMultipleIntegers(index, offset, size)
        case .done(let chunkCount, let checksum), .doneAck(let chunkCount, let checksum):
            written += self.writeInteger(chunkCount)
            written += self.writeMessageChecksum(checksum)
        case .read, .aborted:
            break
        }
        return written
    }
}
