/// The ESMTP parameters of MAIL FROM that this server offers: `SIZE` (RFC 1870) and `BODY` (RFC 6152), plus RFC 4954
/// §5's `AUTH=` which a server offering AUTH must accept (it is ignored: the submitter is the authenticated user).
public struct SMTPMailParameters: Hashable, Sendable {
    /// RFC 6152 §2 `BODY=` values.
    public enum Body: String, Hashable, Sendable {
        case sevenBit = "7BIT"
        case eightBitMIME = "8BITMIME"
    }

    /// The most decimal digits a `SIZE=` value may have (RFC 1870 §3 `size-value ::= 1*20DIGIT`); 18 keep it in `Int`.
    public static let maximumSizeDigits = 18

    /// The client's declared message size (RFC 1870), if given.
    public var size: Int?
    /// The declared body type (RFC 6152), if given.
    public var body: Body?

    public init(size: Int? = nil, body: Body? = nil) {
        self.size = size
        self.body = body
    }

    /// Parses `*( SP esmtp-keyword ["=" esmtp-value] )` (RFC 5321 §4.1.2 `Mail-parameters`). Unknown keywords are
    /// ``SMTPCommandError/unsupportedParameter(_:)`` (RFC 5321 §4.1.1.11 / RFC 1869: 555); bad values of known ones
    /// are ``SMTPCommandError/syntax(_:)``.
    init(parsing text: ArraySlice<UInt8>) throws(SMTPCommandError) {
        self.init()
        for parameter in text.split(separator: UInt8(ascii: " ")) {
            let parts = parameter.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let keyword = SMTPByteCursor.asciiUppercased(parts[0]) else { throw .syntax("Bad parameter syntax") }
            let value = parts.count == 2 ? parts[1] : nil
            switch keyword {
            case "SIZE":
                guard let value, (1...Self.maximumSizeDigits).contains(value.count),
                    value.allSatisfy({ (0x30...0x39).contains($0) }),
                    let size = Int(String(decoding: value, as: UTF8.self))
                else { throw .syntax("Bad SIZE parameter") }
                self.size = size
            case "BODY":
                guard let value, let name = SMTPByteCursor.asciiUppercased(value), let body = Body(rawValue: name)
                else {
                    throw .syntax("Bad BODY parameter")
                }
                self.body = body
            case "AUTH":
                guard let value, !value.isEmpty else { throw .syntax("Bad AUTH parameter") }
            default:
                throw .unsupportedParameter(keyword)
            }
        }
    }
}
