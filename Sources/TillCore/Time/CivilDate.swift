/// A day of the proleptic Gregorian calendar, with no time zone: what a receipt, a dashboard's
/// chart and the demo's busy days are counted in. Days since 1970-01-01 convert both ways by
/// Howard Hinnant's `days_from_civil` / `civil_from_days`, exact for every day an `Instant`
/// can reach.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    /// 1 = January.
    public let month: Int
    public let day: Int

    /// Years further than this from year 0 are refused, so the day arithmetic stays in `Int64`
    /// (an `Instant` reaches about 292 million years either way).
    public static let yearLimit = 1_000_000_000

    /// The date if it exists: a month 1...12, a day of that month (29 February in leap years
    /// only), a year within `yearLimit`.
    public init?(year: Int, month: Int, day: Int) {
        guard (-Self.yearLimit...Self.yearLimit).contains(year), (1...12).contains(month),
              (1...Self.days(inMonth: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `days` after 1970-01-01 (before it when negative). Counts beyond what an
    /// `Instant` reaches are held at its ends rather than overflow.
    public init(daysSinceEpoch days: Int64) {
        let reach = Int64.max / TimeSpan.day.milliseconds + 1
        let z = min(max(days, -reach), reach) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 = March
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        self.month = Int(month)
        self.day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
    }

    /// Days since 1970-01-01: negative before it.
    public var daysSinceEpoch: Int64 {
        let year = Int64(month <= 2 ? self.year - 1 : self.year)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// 0 = Sunday ... 6 = Saturday.
    public var weekday: Int { Self.weekday(daysSinceEpoch: daysSinceEpoch) }

    /// The weekday of the day `days` after 1970-01-01, a Thursday: 0 = Sunday ... 6 = Saturday.
    public static func weekday(daysSinceEpoch days: Int64) -> Int { Int((days % 7 + 11) % 7) }

    public var yearMonth: YearMonth { YearMonth(year: year, month: month) }

    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// 28 to 31; 0 for a month outside 1...12.
    public static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        case 1...12: 31
        default: 0
        }
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// ISO 8601: "2026-11-22" (the year in at least four digits).
    public var description: String {
        ISO8601.digits(year, 4) + "-" + ISO8601.digits(month, 2) + "-" + ISO8601.digits(day, 2)
    }
}

/// A calendar month, e.g. 2027-03; ordered by time.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    /// The month `months` later (earlier when negative); the year saturates instead of trapping.
    public func adding(months: Int) -> YearMonth {
        let shifted = month - 1 + months % 12  // -12...22 for a month 1...12
        let carry = shifted >= 0 ? shifted / 12 : (shifted - 11) / 12
        let (year, overflow) = self.year.addingReportingOverflow(months / 12 + carry)
        return YearMonth(year: overflow ? (months > 0 ? .max : .min) : year, month: shifted - carry * 12 + 1)
    }

    public var description: String {
        let mm = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(mm)"
    }
}
