public import TillCore

/// A wall-clock reading in the operator's time zone, as the screens write it. The core's
/// `CivilTime` does the arithmetic; the offset is passed in (the terminal edge reads it from
/// the system).
public struct LocalTime: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// 0 = Sunday.
    public let weekday: Int
    private let date: CivilDate

    public init(_ instant: Instant, utcOffsetSeconds: Int) {
        let civil = instant.civil(atOffsetSeconds: utcOffsetSeconds)
        date = civil.date
        (year, month, day) = (civil.date.year, civil.date.month, civil.date.day)
        (hour, minute, second) = (civil.hour, civil.minute, civil.second)
        weekday = civil.date.weekday
    }

    /// A stored ISO 8601 time (as the service's views carry them) on the operator's clock.
    public init?(iso: String, utcOffsetSeconds: Int) {
        guard case .success(let instant) = ISO8601.parse(iso) else { return nil }
        self.init(instant, utcOffsetSeconds: utcOffsetSeconds)
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "14:05"
    public var clock: String { two(hour) + ":" + two(minute) }
    /// "Sun 22 Nov"
    public var shortDate: String { "\(Self.weekdays[weekday]) \(day) \(Self.months[month - 1])" }
    /// "2026-11-22"
    public var isoDay: String { date.description }
    /// "22 Nov 14:05"
    public var dayAndClock: String { "\(day) \(Self.months[month - 1]) \(clock)" }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
