/// RFC 5322 §3.3 date-time, parsed leniently for SEARCH SENTBEFORE/SENTON/SENTSINCE.
enum MIMEDate {
    /// `[day-of-week ","] day month year hour ":" minute [":" second] zone` → seconds since 1970 UTC. Accepts the
    /// RFC 5322 §4.3 obsolete forms (2- and 3-digit years, named zones, comments); a missing zone is UTC.
    static func parse(_ value: [UInt8]) -> Int64? {
        var scanner = MIMEScanner(value)
        var tokens: [[UInt8]] = []
        var current: [UInt8] = []
        while let byte = scanner.peek, tokens.count < 16 {
            if byte == UInt8(ascii: "(") {
                if !current.isEmpty { tokens.append(current) }
                current = []
                _ = scanner.comment()
                continue
            }
            scanner.advance()
            if byte == 32 || byte == 9 || byte == 13 || byte == 10 || byte == UInt8(ascii: ",") {
                if !current.isEmpty { tokens.append(current) }
                current = []
            } else if current.count < 32 {
                current.append(byte)
            }
        }
        if !current.isEmpty { tokens.append(current) }

        var day: Int?
        var month: Int?
        var year: Int?
        var time: (Int, Int, Int)?
        var offset = 0
        for token in tokens {
            let lowered = token.map(MIMEHeader.lower)
            if token.contains(UInt8(ascii: ":")) {
                let pieces = token.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map(number)
                guard pieces.count >= 2, pieces.count <= 3, let hour = pieces[0], let minute = pieces[1] else { return nil }
                let second = pieces.count == 3 ? pieces[2] : 0
                guard let second, hour < 24, minute < 60, second <= 60 else { return nil }
                time = (hour, minute, second)
            } else if let sign = token.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), token.count == 5,
                let digits = number(token.dropFirst())
            {
                let minutes = (digits / 100) * 60 + digits % 100
                offset = (sign == UInt8(ascii: "-") ? -minutes : minutes) * 60
            } else if let value = number(token[...]) {
                if day == nil, year == nil, token.count <= 2, value >= 1, value <= 31 {
                    day = value
                } else if year == nil {
                    switch token.count {
                    case 1, 2: year = value < 50 ? 2000 + value : 1900 + value
                    case 3: year = 1900 + value
                    default: year = value
                    }
                }
            } else if lowered.count >= 3, month == nil, let index = months.firstIndex(of: Array(lowered.prefix(3))) {
                month = index + 1
            } else if let zone = zones[String(decoding: lowered, as: UTF8.self)] {
                offset = zone * 3600
            }
        }
        guard let day, let month, let year, let time, year >= 1, year <= 9999 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(time.0 * 3600 + time.1 * 60 + time.2) - Int64(offset)
        return seconds
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    private static let months: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { Array($0.utf8) }

    /// RFC 5322 §4.3 obs-zone (military zones other than Z are "-0000": treated as UTC).
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
        "pst": -8, "pdt": -7,
    ]

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
