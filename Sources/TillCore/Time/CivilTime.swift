/// A wall-clock reading: the date and time of day at a fixed offset from UTC. The offset is
/// passed in (the terminal reads the system's; a dashboard is asked for one), so this is
/// arithmetic on the instant alone, with no time zone database.
public struct CivilTime: Hashable, Sendable {
    public let date: CivilDate
    public let hour: Int
    public let minute: Int
    public let second: Int
    public let millisecond: Int

    /// `instant` at `offsetSeconds` east of UTC (negative west). An instant at the ends of time
    /// is read as the end it reaches, never wrapped.
    public init(_ instant: Instant, offsetSeconds: Int) {
        let local = instant.adding(.seconds(Int64(offsetSeconds))).millisecondsSinceEpoch
        let (days, msOfDay) = Self.floorDivide(local, by: TimeSpan.day.milliseconds)
        date = CivilDate(daysSinceEpoch: days)
        let secondOfDay = Int(msOfDay / 1000)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        millisecond = Int(msOfDay % 1000)
    }

    /// The quotient rounded down and a remainder in `0..<divisor`: before 1970 a time still
    /// belongs to the day (or quarter hour) that started before it. `divisor` > 0.
    static func floorDivide(_ value: Int64, by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = value / divisor, remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}

extension Instant {
    /// The date and time of day at `offsetSeconds` east of UTC.
    public func civil(atOffsetSeconds offsetSeconds: Int) -> CivilTime { CivilTime(self, offsetSeconds: offsetSeconds) }

    /// When the day holding this instant began at `offsetSeconds` east of UTC: local midnight,
    /// as an instant. Saturates at the ends of time.
    public func startOfDay(atOffsetSeconds offsetSeconds: Int) -> Instant {
        let offset = TimeSpan.seconds(Int64(offsetSeconds))
        let midnight = adding(offset).floor(to: .day)
        return midnight.adding(TimeSpan(milliseconds: offset.milliseconds == .min ? .max : -offset.milliseconds))
    }

    /// The start of the quarter hour holding this instant: the takings' resolution. The same
    /// at every real offset, each a whole number of quarter hours.
    public var quarterHourFloor: Instant { floor(to: .quarterHour) }

    /// The latest multiple of `span` (> 0) since the epoch at or before this instant; the
    /// earliest instant when that multiple lies before the beginning of time.
    private func floor(to span: TimeSpan) -> Instant {
        let (_, rest) = CivilTime.floorDivide(millisecondsSinceEpoch, by: span.milliseconds)
        let (start, overflow) = millisecondsSinceEpoch.subtractingReportingOverflow(rest)
        return Instant(millisecondsSinceEpoch: overflow ? .min : start)
    }
}
