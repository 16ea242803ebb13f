public import TillCore
import TillService

/// A wall-clock reading in the operator's time zone. The offset is passed in (the terminal edge
/// reads it from the system), so everything here stays pure arithmetic.
public struct LocalTime: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// 0 = Sunday.
    public let weekday: Int

    public init(_ instant: Instant, utcOffsetSeconds: Int) {
        let ms = instant.millisecondsSinceEpoch + Int64(utcOffsetSeconds) * 1000
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }

    /// A stored ISO 8601 time (as the service's views carry them) on the operator's clock.
    public init?(iso: String, utcOffsetSeconds: Int) {
        guard let instant = Timestamp.parse(iso) else { return nil }
        self.init(instant, utcOffsetSeconds: utcOffsetSeconds)
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "14:05"
    public var clock: String { two(hour) + ":" + two(minute) }
    /// "Sun 22 Nov"
    public var shortDate: String { "\(Self.weekdays[weekday]) \(day) \(Self.months[month - 1])" }
    /// "2026-11-22"
    public var isoDay: String { "\(year)-\(two(month))-\(two(day))" }
    /// "22 Nov 14:05"
    public var dayAndClock: String { "\(day) \(Self.months[month - 1]) \(clock)" }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
