/// Character classes and date arithmetic of the IMAP grammar (RFC 3501 §9).
public enum IMAPGrammar {
    /// `ATOM-CHAR`: any CHAR except `atom-specials` ( `(` `)` `{` SP CTL `%` `*` `"` `\` `]` ).
    public static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F...0xFF: false
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            false
        default: true
        }
    }

    /// `ASTRING-CHAR = ATOM-CHAR / resp-specials`.
    public static func isAStringChar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "]") || Self.isAtomChar(byte)
    }

    /// `list-char = ATOM-CHAR / list-wildcards / resp-specials`.
    public static func isListChar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*") || Self.isAStringChar(byte)
    }

    /// Month names of `date-month`.
    public static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (inverse of `days(year:month:day:)`).
    public static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    /// The earliest and latest times a `date-time` can show (years 0001 to 9999); others are clamped.
    public static let representableSeconds: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// Floor division of seconds into days.
    public static func day(ofSeconds seconds: Int64) -> Int64 {
        let quotient = seconds / 86_400
        return seconds % 86_400 < 0 ? quotient - 1 : quotient
    }
}
