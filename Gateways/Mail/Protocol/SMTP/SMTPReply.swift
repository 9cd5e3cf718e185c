import NIOCore

/// One SMTP reply (RFC 5321 §4.2): a three-digit code and one or more text lines, each line carrying the RFC 2034
/// enhanced status code when there is one.
///
/// RFC 2034 §3: "the enhanced status code MUST be included in all 2xx, 4xx, and 5xx responses, except the initial
/// greeting and any response to HELO or EHLO" — so `enhancedStatus` is `nil` exactly for those and for the 3xx
/// intermediate replies (`334` SASL challenges, `354`).
public struct SMTPReply: Hashable, Sendable {
    /// The longest text line written; longer text is cut (RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets).
    public static let maximumTextLength = 500

    public var code: Int
    public var enhancedStatus: String?
    public var lines: [String]

    public init(code: Int, enhancedStatus: String?, lines: [String]) {
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.lines = lines.isEmpty ? [""] : lines
    }

    public init(code: Int, _ enhancedStatus: String?, _ text: String) {
        self.init(code: code, enhancedStatus: enhancedStatus, lines: [text])
    }

    /// A submission's rejection, answered as is.
    public init(_ rejection: MailRejection) {
        self.init(code: rejection.code, rejection.enhancedStatus, rejection.text)
    }

    /// Writes the reply: `code SP text CRLF`, with `code "-"` on every line but the last (RFC 5321 §4.2.1). Text bytes
    /// that are not printable ASCII are written as `?`, so nothing a client sent can break the reply framing.
    @discardableResult
    public func write(into buffer: inout ByteBuffer) -> Int {
        let start = buffer.writerIndex
        let code = Self.codeText(self.code)
        for (index, line) in self.lines.enumerated() {
            buffer.writeString(code)
            buffer.writeInteger(index == self.lines.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
            if let status = self.enhancedStatus {
                Self.writeSanitised(status, into: &buffer)
                buffer.writeInteger(UInt8(ascii: " "))
            }
            Self.writeSanitised(line, into: &buffer)
            buffer.writeString("\r\n")
        }
        return buffer.writerIndex - start
    }

    /// The reply as it goes on the wire.
    public var wireText: String {
        var buffer = ByteBuffer()
        self.write(into: &buffer)
        return String(buffer: buffer)
    }

    private static func codeText(_ code: Int) -> String {
        (200...599).contains(code) ? String(code) : "451"
    }

    private static func writeSanitised(_ text: String, into buffer: inout ByteBuffer) {
        for byte in text.utf8.prefix(Self.maximumTextLength) {
            buffer.writeInteger((0x20...0x7E).contains(byte) ? byte : UInt8(ascii: "?"))
        }
    }
}
