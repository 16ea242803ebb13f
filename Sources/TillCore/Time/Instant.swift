/// A point in time as milliseconds since 1970-01-01T00:00:00Z. The core never reads a clock:
/// callers pass "now" in, so every decision is repeatable.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// `self + span`, saturating at the ends of time instead of trapping.
    public func adding(_ span: TimeSpan) -> Instant {
        let (sum, overflow) = millisecondsSinceEpoch.addingReportingOverflow(span.milliseconds)
        if overflow { return Instant(millisecondsSinceEpoch: span.milliseconds > 0 ? .max : .min) }
        return Instant(millisecondsSinceEpoch: sum)
    }

    /// The UTC calendar month this instant falls in (card expiry is by month).
    public var utcYearMonth: YearMonth {
        // Days since the epoch, floored, then Howard Hinnant's civil_from_days.
        let millisPerDay: Int64 = 86_400_000
        var days = millisecondsSinceEpoch / millisPerDay
        if millisecondsSinceEpoch % millisPerDay < 0 { days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return YearMonth(year: Int(year), month: Int(month))
    }

    public var description: String { "\(millisecondsSinceEpoch)ms" }
}

/// A length of time in milliseconds (authorization hold windows).
public struct TimeSpan: Hashable, Comparable, Sendable {
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = TimeSpan(milliseconds: 0)

    public static func days(_ days: Int64) -> TimeSpan {
        let (ms, overflow) = days.multipliedReportingOverflow(by: 86_400_000)
        return TimeSpan(milliseconds: overflow ? (days > 0 ? .max : .min) : ms)
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.milliseconds < rhs.milliseconds }
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

    public var description: String {
        let mm = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(mm)"
    }
}
