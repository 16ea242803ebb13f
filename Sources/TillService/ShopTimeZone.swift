public import Foundation
public import TillCore

/// The shop's time zone: the one setting every layer reads local dates by. A card is valid
/// through the end of its expiry month here (the service's check and the POS's inline check
/// alike), and the POS shows its times here. The offset is asked for at an instant, so
/// daylight saving is followed.
public struct ShopTimeZone: Sendable {
    private let offset: @Sendable (Instant) -> Int

    /// A zone given by its offset from UTC (in seconds) at any instant.
    public init(utcOffsetSeconds: @escaping @Sendable (Instant) -> Int) { offset = utcOffsetSeconds }

    /// The zone's offset from UTC at `instant`, in seconds (east positive).
    public func utcOffsetSeconds(at instant: Instant) -> Int { offset(instant) }

    /// The same, as a span for the core's calendar checks.
    public func utcOffset(at instant: Instant) -> TimeSpan {
        TimeSpan(milliseconds: Int64(offset(instant)) * 1000)
    }

    /// A fixed offset (a shop without daylight saving; tests).
    public static func fixed(seconds: Int) -> ShopTimeZone { ShopTimeZone { _ in seconds } }

    /// A Foundation time zone, read at each instant.
    public init(_ zone: TimeZone) {
        offset = { instant in
            zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.millisecondsSinceEpoch / 1000)))
        }
    }

    /// The process's zone: `TZ` when set, else the system's.
    public static var current: ShopTimeZone { ShopTimeZone(TimeZone.current) }

    /// The zone named by a `TZ` value ("America/New_York", "UTC"), else the process's zone.
    public static func from(environment: [String: String]) -> ShopTimeZone {
        guard var name = environment["TZ"], !name.isEmpty else { return .current }
        if name.hasPrefix(":") { name.removeFirst() }
        return TimeZone(identifier: name).map(ShopTimeZone.init) ?? .current
    }
}
