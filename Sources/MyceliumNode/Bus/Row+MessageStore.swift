import Foundation
import GRDB
import MyceliumCore
import MyceliumCrypto

/// Decoding of the message store's rows (column order as in `MessageStoreSQL`'s SELECTs).
///
/// Never traps: a value of the wrong type or size (a damaged or tampered file) throws `.corrupt`.
extension Row {
    func storedOutgoingMessage() throws -> StoredOutgoingMessage {
        let stateText = try self.storeText(8, "outbox.state")
        guard let state = StoredMessageState(rawValue: stateText) else {
            throw MessageStoreError.corrupt(reason: "outbox.state has an unknown value \(String(reflecting: stateText))")
        }
        return StoredOutgoingMessage(
            id: try self.storeMessageID(0, "outbox.id"),
            isReply: try self.storeBool(1, "outbox.is_reply"),
            destination: try self.storeAddress(2, "outbox.destination"),
            topic: try self.storeBytes(3, "outbox.topic"),
            payload: try self.storeOptionalBytes(4, "outbox.payload"),
            length: UInt64(bitPattern: try self.storeInt64(5, "outbox.length")),
            created: try self.storeInt64(6, "outbox.created"),
            deadline: try self.storeInt64(7, "outbox.deadline"),
            state: state
        )
    }

    func storedIncomingMessage() throws -> StoredIncomingMessage {
        let message = ReceivedMessage(
            id: try self.storeMessageID(1, "inbox.id"),
            source: try self.storeAddress(2, "inbox.source"),
            sourceKey: try self.storePublicKey(3, "inbox.source_key"),
            destination: try self.storeAddress(4, "inbox.destination"),
            destinationKey: try self.storePublicKey(5, "inbox.destination_key"),
            topic: try self.storeBytes(6, "inbox.topic"),
            payload: try self.storeBytes(7, "inbox.payload")
        )
        return StoredIncomingMessage(
            sequence: try self.storeInt64(0, "inbox.sequence"),
            message: message,
            isReply: try self.storeBool(8, "inbox.is_reply"),
            receivedAt: try self.storeInt64(9, "inbox.received_at")
        )
    }

    func messageDeliveryKey() throws -> MessageDeliveryKey {
        MessageDeliveryKey(
            source: try self.storeAddress(0, "delivered.source"),
            id: try self.storeMessageID(1, "delivered.id"),
            isReply: try self.storeBool(2, "delivered.is_reply"),
            recordedAt: try self.storeInt64(3, "delivered.recorded_at")
        )
    }

    // MARK: - Columns

    func storeInt64(_ index: Int, _ column: String) throws -> Int64 {
        let value: DatabaseValue = self[index]
        guard case .int64(let integer) = value.storage else {
            throw MessageStoreError.corrupt(reason: "\(column) is not an integer")
        }
        return integer
    }

    func storeBool(_ index: Int, _ column: String) throws -> Bool {
        switch try self.storeInt64(index, column) {
        case 0: return false
        case 1: return true
        default: throw MessageStoreError.corrupt(reason: "\(column) is not 0 or 1")
        }
    }

    func storeText(_ index: Int, _ column: String) throws -> String {
        let value: DatabaseValue = self[index]
        guard case .string(let text) = value.storage else {
            throw MessageStoreError.corrupt(reason: "\(column) is not text")
        }
        return text
    }

    /// A BLOB column (`nil` for NULL), copied once out of SQLite's buffer. The schema's CHECKs keep other
    /// types out; SQLite would hand back anything else as its text bytes, which the callers' size checks catch.
    func storeOptionalBytes(_ index: Int, _ column: String) throws -> [UInt8]? {
        try self.withUnsafeData(atIndex: index) { data in data.map { [UInt8]($0) } }
    }

    func storeBytes(_ index: Int, _ column: String) throws -> [UInt8] {
        guard let bytes = try self.storeOptionalBytes(index, column) else {
            throw MessageStoreError.corrupt(reason: "\(column) is NULL")
        }
        return bytes
    }

    func storeMessageID(_ index: Int, _ column: String) throws -> MessageID {
        guard let id = MessageID(bytes: try self.storeBytes(index, column)) else {
            throw MessageStoreError.corrupt(reason: "\(column) is not \(MessageID.byteCount) bytes")
        }
        return id
    }

    func storeAddress(_ index: Int, _ column: String) throws -> IPv6Address {
        guard let address = IPv6Address(bytes: try self.storeBytes(index, column)) else {
            throw MessageStoreError.corrupt(reason: "\(column) is not \(IPv6Address.byteCount) bytes")
        }
        return address
    }

    func storePublicKey(_ index: Int, _ column: String) throws -> X25519.PublicKey {
        do {
            return try X25519.PublicKey(rawBytes: try self.storeBytes(index, column))
        } catch let error as MessageStoreError {
            throw error
        } catch {
            throw MessageStoreError.corrupt(reason: "\(column) is not \(X25519.keyByteCount) bytes")
        }
    }
}
