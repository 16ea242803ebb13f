public import TillCore

/// ISO 8601 in UTC for JSON and scripts, by calendar arithmetic on epoch milliseconds (no
/// formatter, no locale, no time zone database).
public enum Timestamp {
    /// "2026-11-22T10:00:00.000Z".
    public static func iso8601(_ instant: Instant) -> String {
        let ms = instant.millisecondsSinceEpoch
        let (days, msOfDay) = floorDivide(ms, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = msOfDay / 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):"
            + "\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    /// "2026-11-22": the calendar day `days` after 1970-01-01.
    public static func day(daysSinceEpoch days: Int64) -> String {
        let (year, month, day) = civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Reads "2026-11-22", "2026-11-22T10:00", "2026-11-22T10:00:00Z", with optional fraction and
    /// "+01:00"-style offsets. nil for anything else.
    public static func parse(_ text: String) -> Instant? {
        let scalars = Array(text.trimmingBlanks().utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= scalars.count else { return nil }
            var value: Int64 = 0
            for byte in scalars[index..<index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < scalars.count, scalars[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var ms = days(fromCivil: year, month, day) * 86_400_000
        guard index < scalars.count else { return Instant(millisecondsSinceEpoch: ms) }
        guard expect(84) || expect(32), let hour = number(2), expect(58), let minute = number(2),
              hour < 24, minute < 60 else { return nil }
        ms += (hour * 60 + minute) * 60_000
        if expect(58) {
            guard let second = number(2), second < 60 else { return nil }
            ms += second * 1000
            if expect(46) {
                var scale: Int64 = 100
                var digits = 0
                while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                    ms += Int64(scalars[index] - 48) * scale
                    scale /= 10
                    index += 1
                    digits += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        if expect(90) {
            // UTC.
        } else if index < scalars.count, scalars[index] == 43 || scalars[index] == 45 {
            let sign: Int64 = scalars[index] == 43 ? 1 : -1
            index += 1
            guard let hours = number(2), expect(58), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            ms -= sign * (hours * 60 + minutes) * 60_000
        }
        guard index == scalars.count else { return nil }
        return Instant(millisecondsSinceEpoch: ms)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a / b, remainder = a % b
        return remainder < 0 ? (quotient - 1, remainder + b) : (quotient, remainder)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
