/// The charsets SEARCH decodes (RFC 2047 words and text bodies): UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and
/// Windows-1252. Unknown charsets are read as UTF-8 when valid, else as Windows-1252 (best effort, never fails).
enum MIMECharset: Sendable, Equatable {
    case utf8
    case latin1
    case latin9
    case windows1252
    case unknown

    /// Looks a charset name up (case-insensitive; an RFC 2231 §5 `*language` suffix is ignored).
    init(name: some Collection<UInt8>) {
        var lowered = name.map(MIMEHeader.lower)
        if let star = lowered.firstIndex(of: UInt8(ascii: "*")) { lowered.removeSubrange(star...) }
        switch String(decoding: lowered, as: UTF8.self) {
        case "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "unicode-1-1-utf-8":
            self = .utf8
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819":
            self = .latin1
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", "l9":
            self = .latin9
        case "windows-1252", "cp1252", "x-cp1252":
            self = .windows1252
        default:
            self = .unknown
        }
    }

    /// Converts `bytes` to a String.
    func decode(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            return MIMECharset.singleByte(bytes) { Unicode.Scalar($0) }
        case .latin9:
            return MIMECharset.singleByte(bytes) { byte in
                switch byte {
                case 0xA4: return "\u{20AC}"
                case 0xA6: return "\u{0160}"
                case 0xA8: return "\u{0161}"
                case 0xB4: return "\u{017D}"
                case 0xB8: return "\u{017E}"
                case 0xBC: return "\u{0152}"
                case 0xBD: return "\u{0153}"
                case 0xBE: return "\u{0178}"
                default: return Unicode.Scalar(byte)
                }
            }
        case .windows1252:
            return MIMECharset.singleByte(bytes) { byte in
                guard byte >= 0x80, byte <= 0x9F else { return Unicode.Scalar(byte) }
                return Unicode.Scalar(MIMECharset.windows1252High[Int(byte) - 0x80]) ?? Unicode.Scalar(byte)
            }
        case .unknown:
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return String(decoding: bytes, as: UTF8.self)
                case .error: return MIMECharset.windows1252.decode(bytes)
                }
            }
        }
    }

    private static func singleByte(_ bytes: some Collection<UInt8>, _ map: (UInt8) -> Unicode.Scalar) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(map(byte)) }
        return String(scalars)
    }

    /// Windows-1252 0x80–0x9F (the five undefined positions map to the C1 control of the same value).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]
}
