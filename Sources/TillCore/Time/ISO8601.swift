/// ISO 8601 text for JSON, scripts and `TILL_NOW`: written in UTC to the millisecond, read
/// with or without a time, a fraction and an offset. Calendar arithmetic only: no formatter,
/// no locale, no time zone database.
public enum ISO8601 {
    /// "2026-11-22T10:00:00.000Z".
    public static func format(_ instant: Instant) -> String {
        let time = instant.civil(atOffsetSeconds: 0)
        // Years 0 to 9999 (every instant a shop records) are 24 bytes written in place: a page
        // of history formats one per row.
        guard (0...9999).contains(time.date.year) else { return spelledOut(time) }
        return String(unsafeUninitializedCapacity: 24) { bytes in
            /// `value` in `width` digits from `start`, then `separator`.
            func put(_ value: Int, width: Int, at start: Int, then separator: Unicode.Scalar) {
                var value = value
                for place in (start..<start + width).reversed() {
                    bytes[place] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                    value /= 10
                }
                bytes[start + width] = UInt8(ascii: separator)
            }
            put(time.date.year, width: 4, at: 0, then: "-")
            put(time.date.month, width: 2, at: 5, then: "-")
            put(time.date.day, width: 2, at: 8, then: "T")
            put(time.hour, width: 2, at: 11, then: ":")
            put(time.minute, width: 2, at: 14, then: ":")
            put(time.second, width: 2, at: 17, then: ".")
            put(time.millisecond, width: 3, at: 20, then: "Z")
            return 24
        }
    }

    /// The long way, for any year: what `format` writes in place for years 0 to 9999.
    static func spelledOut(_ time: CivilTime) -> String {
        time.date.description + "T" + digits(time.hour, 2) + ":" + digits(time.minute, 2) + ":"
            + digits(time.second, 2) + "." + digits(time.millisecond, 3) + "Z"
    }

    /// Reads "2026-11-22" (its midnight UTC), "2026-11-22T10:00" or "2026-11-22 10:00",
    /// "2026-11-22T10:00:00Z", with an optional fraction of a second and "+01:00"-style offsets
    /// (no offset is UTC). Blanks around the text are ignored. Anything else, a date that does
    /// not exist (2026-02-29) or a time past 23:59:59 included, is `invalid_request`.
    public static func parse(_ text: String) -> Result<Instant, Rejection> {
        var reader = Reader(Array(text.trimmingBlanks().utf8))
        guard let instant = reader.instant() else {
            return .failure(Rejection(.invalidRequest, "\(text.echoed()) is not an ISO 8601 time such as 2026-11-22T10:00:00Z."))
        }
        return .success(instant)
    }

    /// `value` in decimal, zero-padded on the left to `width` characters.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// One pass over the bytes; every field has a fixed width, so nothing can grow large.
    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func instant() -> Instant? {
            guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
                  let date = CivilDate(year: Int(year), month: Int(month), day: Int(day))
            else { return nil }
            var ms = date.daysSinceEpoch * TimeSpan.day.milliseconds
            guard index < bytes.count else { return Instant(millisecondsSinceEpoch: ms) }
            guard expect("T") || expect(" "), let hour = number(2), expect(":"), let minute = number(2),
                  hour < 24, minute < 60 else { return nil }
            ms += (hour * 60 + minute) * 60_000
            if expect(":") {
                guard let second = number(2), second < 60 else { return nil }
                ms += second * 1000
                if expect(".") {
                    // Tenths, hundredths, thousandths; further digits are read and dropped.
                    var scale: Int64 = 100
                    var count = 0
                    while let digit = digit() {
                        ms += digit * scale
                        scale /= 10
                        count += 1
                    }
                    guard count > 0 else { return nil }
                }
            }
            if expect("Z") {
                // UTC.
            } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
                index += 1
                guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
                ms -= sign * (hours * 60 + minutes) * 60_000
            }
            guard index == bytes.count else { return nil }
            return Instant(millisecondsSinceEpoch: ms)
        }

        /// Exactly `width` ASCII digits.
        mutating func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<width {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func digit() -> Int64? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            index += 1
            return Int64(bytes[index - 1] - UInt8(ascii: "0"))
        }

        mutating func expect(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }
    }
}
