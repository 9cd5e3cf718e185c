import NIOCore

extension ByteBuffer {
    /// Writes `bytes` as an IMAP `string` (RFC 3501 §4.3): quoted when every byte is 7-bit, not NUL, CR or LF and the
    /// string is short; otherwise as a synchronising literal `{n}\r\n` followed by the bytes.
    @discardableResult
    public mutating func writeIMAPString(_ bytes: some Collection<UInt8>) -> Int {
        let start = self.writerIndex
        if bytes.count <= 1024, bytes.allSatisfy({ $0 != 0 && $0 != 13 && $0 != 10 && $0 < 0x80 }) {
            self.writeInteger(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { self.writeInteger(UInt8(ascii: "\\")) }
                self.writeInteger(byte)
            }
            self.writeInteger(UInt8(ascii: "\""))
        } else {
            self.writeString("{\(bytes.count)}\r\n")
            self.writeBytes(bytes)
        }
        return self.writerIndex - start
    }

    /// Writes `string`'s UTF-8 as an IMAP `string`.
    @discardableResult
    public mutating func writeIMAPString(_ string: String) -> Int {
        self.writeIMAPString(Array(string.utf8))
    }

    /// Writes an IMAP `nstring`: `NIL` for `nil`, else a `string`.
    @discardableResult
    public mutating func writeIMAPNString(_ bytes: (some Collection<UInt8>)?) -> Int {
        guard let bytes else { return self.writeString("NIL") }
        return self.writeIMAPString(bytes)
    }
}
