public import TillCore

/// The service's name for the core's ISO 8601 (`TillCore/Time`), as its views and their callers
/// spell it: the arithmetic lives in the core, once.
public enum Timestamp {
    /// "2026-11-22T10:00:00.000Z".
    public static func iso8601(_ instant: Instant) -> String { ISO8601.format(instant) }

    /// "2026-11-22": the calendar day `days` after 1970-01-01.
    public static func day(daysSinceEpoch days: Int64) -> String { CivilDate(daysSinceEpoch: days).description }

    /// `ISO8601.parse`, nil for text it refuses.
    public static func parse(_ text: String) -> Instant? { try? ISO8601.parse(text).get() }
}
