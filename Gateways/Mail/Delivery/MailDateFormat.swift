#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 5322 §3.3 date-times for the header fields the gateway writes (`Date:`, `Received:`), always in UTC:
/// `Sat, 21 Nov 2026 09:30:00 +0000`.
public enum MailDateFormat {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `seconds` since 1970-01-01 UTC as an RFC 5322 date-time.
    public static func string(fromSeconds seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let weekday = Self.weekdays[Int(parts.tm_wday) % 7]
        let month = Self.months[Int(parts.tm_mon) % 12]
        return "\(weekday), \(parts.tm_mday) \(month) \(parts.tm_year + 1900) "
            + "\(Self.twoDigits(parts.tm_hour)):\(Self.twoDigits(parts.tm_min)):\(Self.twoDigits(parts.tm_sec)) +0000"
    }

    private static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
