import NIOCore

/// Why a bus payload on the mail topic is not a `MailEnvelope`.
public enum MailEnvelopeError: Error, Hashable, Sendable {
    case unsupportedVersion(UInt8)
    case unknownKind(UInt8)
    case truncated
    case invalidField(String)
}

extension ByteBuffer {
    /// Writes `envelope` in the layout documented on `MailEnvelope`. Fields over their limits are the caller's bug
    /// and are cut to the limit rather than trapping.
    @discardableResult
    public mutating func writeMailEnvelope(_ envelope: MailEnvelope) -> Int {
        let start = self.writerIndex
        self.writeInteger(MailEnvelope.version)
        switch envelope {
        case .delivery(let delivery):
            self.writeInteger(UInt8(1))
            self.writeInteger(delivery.id)
            self.writeShortField(delivery.sender, limit: MailEnvelope.maximumUserByteCount)
            self.writeLongField(delivery.reversePath, limit: MailEnvelope.maximumReversePathByteCount)
            let recipients = delivery.recipients.prefix(MailEnvelope.maximumRecipientCount)
            self.writeInteger(UInt8(recipients.count))
            for recipient in recipients {
                self.writeShortField(recipient, limit: MailEnvelope.maximumUserByteCount)
            }
            self.writeBytes(delivery.content)
        case .report(let report):
            self.writeInteger(UInt8(2))
            self.writeInteger(report.id)
            let results = report.results.prefix(MailEnvelope.maximumRecipientCount)
            self.writeInteger(UInt8(results.count))
            for result in results {
                self.writeShortField(result.recipient, limit: MailEnvelope.maximumUserByteCount)
                self.writeInteger(UInt16(clamping: result.code))
                self.writeShortField(result.enhancedStatus, limit: MailEnvelope.maximumStatusByteCount)
                self.writeLongField(result.text, limit: MailEnvelope.maximumTextByteCount)
            }
        }
        return self.writerIndex - start
    }

    /// Reads a whole envelope: the bus delivers messages whole, so missing bytes are malformed, not "need more".
    public mutating func readMailEnvelope() throws(MailEnvelopeError) -> MailEnvelope {
        guard let version = self.readInteger(as: UInt8.self) else { throw .truncated }
        guard version == MailEnvelope.version else { throw .unsupportedVersion(version) }
        guard let kind = self.readInteger(as: UInt8.self), let id = self.readInteger(as: UInt64.self) else {
            throw .truncated
        }
        switch kind {
        case 1:
            let sender = try self.readShortField("sender", allowEmpty: false, limit: MailEnvelope.maximumUserByteCount)
            let reversePath = try self.readLongField("reverse path", limit: MailEnvelope.maximumReversePathByteCount)
            guard let count = self.readInteger(as: UInt8.self) else { throw .truncated }
            guard (1...MailEnvelope.maximumRecipientCount).contains(Int(count)) else {
                throw .invalidField("recipient count \(count)")
            }
            var recipients: [String] = []
            for _ in 0..<count {
                recipients.append(
                    try self.readShortField("recipient", allowEmpty: false, limit: MailEnvelope.maximumUserByteCount)
                )
            }
            let content = self.readBytes(length: self.readableBytes) ?? []
            return .delivery(
                MailDelivery(id: id, sender: sender, reversePath: reversePath, recipients: recipients, content: content)
            )
        case 2:
            guard let count = self.readInteger(as: UInt8.self) else { throw .truncated }
            guard (1...MailEnvelope.maximumRecipientCount).contains(Int(count)) else {
                throw .invalidField("result count \(count)")
            }
            var results: [MailDeliveryReport.Result] = []
            for _ in 0..<count {
                let recipient = try self.readShortField(
                    "recipient", allowEmpty: false, limit: MailEnvelope.maximumUserByteCount
                )
                guard let code = self.readInteger(as: UInt16.self) else { throw .truncated }
                guard (200...599).contains(code) else { throw .invalidField("reply code \(code)") }
                let status = try self.readShortField(
                    "enhanced status", allowEmpty: true, limit: MailEnvelope.maximumStatusByteCount
                )
                let text = try self.readLongField("text", limit: MailEnvelope.maximumTextByteCount)
                results.append(.init(recipient: recipient, code: Int(code), enhancedStatus: status, text: text))
            }
            guard self.readableBytes == 0 else { throw .invalidField("\(self.readableBytes) trailing bytes") }
            return .report(MailDeliveryReport(id: id, results: results))
        default:
            throw .unknownKind(kind)
        }
    }

    private mutating func writeShortField(_ text: String, limit: Int) {
        let bytes = Array(text.utf8.prefix(min(limit, Int(UInt8.max))))
        self.writeInteger(UInt8(bytes.count))
        self.writeBytes(bytes)
    }

    private mutating func writeLongField(_ text: String, limit: Int) {
        let bytes = Array(text.utf8.prefix(min(limit, Int(UInt16.max))))
        self.writeInteger(UInt16(bytes.count))
        self.writeBytes(bytes)
    }

    private mutating func readShortField(_ name: String, allowEmpty: Bool, limit: Int) throws(MailEnvelopeError)
        -> String
    {
        guard let length = self.readInteger(as: UInt8.self) else { throw .truncated }
        return try self.readText(name, length: Int(length), allowEmpty: allowEmpty, limit: limit)
    }

    private mutating func readLongField(_ name: String, limit: Int) throws(MailEnvelopeError) -> String {
        guard let length = self.readInteger(as: UInt16.self) else { throw .truncated }
        return try self.readText(name, length: Int(length), allowEmpty: true, limit: limit)
    }

    private mutating func readText(_ name: String, length: Int, allowEmpty: Bool, limit: Int)
        throws(MailEnvelopeError) -> String
    {
        guard length <= limit, allowEmpty || length > 0 else { throw .invalidField("\(name) of \(length) bytes") }
        guard let bytes = self.readBytes(length: length) else { throw .truncated }
        guard let text = String(validating: bytes, as: UTF8.self),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw .invalidField("\(name) is not UTF-8 text") }
        return text
    }
}
