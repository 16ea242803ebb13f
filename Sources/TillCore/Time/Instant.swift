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
    public var utcYearMonth: YearMonth { civil(atOffsetSeconds: 0).date.yearMonth }

    public var description: String { "\(millisecondsSinceEpoch)ms" }
}

/// A length of time in milliseconds (authorization hold windows).
public struct TimeSpan: Hashable, Comparable, Sendable {
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = TimeSpan(milliseconds: 0)
    public static let quarterHour = TimeSpan(milliseconds: 900_000)
    public static let day = TimeSpan(milliseconds: 86_400_000)

    /// `days` whole days, saturating instead of trapping.
    public static func days(_ days: Int64) -> TimeSpan { day.times(days) }

    /// `seconds` whole seconds (a UTC offset), saturating instead of trapping.
    public static func seconds(_ seconds: Int64) -> TimeSpan { TimeSpan(milliseconds: 1000).times(seconds) }

    private func times(_ count: Int64) -> TimeSpan {
        let (ms, overflow) = milliseconds.multipliedReportingOverflow(by: count)
        return TimeSpan(milliseconds: overflow ? (count > 0 ? .max : .min) : ms)
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.milliseconds < rhs.milliseconds }
}
