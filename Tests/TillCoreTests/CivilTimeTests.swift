import Testing
@testable import TillCore

/// The one calendar (TillCore/Time): days since 1970 and civil dates both ways, wall-clock
/// readings at an offset, day and quarter-hour floors, ISO 8601 out and in.
@Suite("Civil time")
struct CivilTimeTests {
    static let day: Int64 = 86_400_000
    static let hour = 3600

    static func date(_ year: Int, _ month: Int, _ day: Int) throws -> CivilDate {
        try #require(CivilDate(year: year, month: month, day: day))
    }

    static func instant(_ text: String) throws -> Instant { try ISO8601.parse(text).get() }

    // MARK: Dates

    static let knownDays: [(Int64, Int, Int, Int, Int)] = [  // days, year, month, day, weekday
        (0, 1970, 1, 1, 4), (-1, 1969, 12, 31, 3), (-719_528, 0, 1, 1, 6),
        (11_016, 2000, 2, 29, 2), (11_017, 2000, 3, 1, 3), (-25_508, 1900, 3, 1, 4),
        (20_779, 2026, 11, 22, 0), (47_540, 2100, 2, 28, 0), (2_932_896, 9999, 12, 31, 5),
    ]

    @Test("days since 1970 name the right date and weekday", arguments: knownDays)
    func knownDates(days: Int64, year: Int, month: Int, day: Int, weekday: Int) throws {
        let date = CivilDate(daysSinceEpoch: days)
        #expect(date == (try Self.date(year, month, day)))
        #expect(date.daysSinceEpoch == days)
        #expect(date.weekday == weekday)
    }

    /// Independent of the formulas: walking day by day from 1970 the dates follow the
    /// Gregorian rules (leap years every 4, not every 100, again every 400).
    @Test("every day from 1599 to 2401 follows the day before it")
    func successiveDays() throws {
        func isLeap(_ year: Int) -> Bool { year % 400 == 0 || (year % 4 == 0 && year % 100 != 0) }
        func length(_ month: Int, _ year: Int) -> Int {
            [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        }
        let first = try Self.date(1599, 1, 1).daysSinceEpoch
        var expected = (year: 1599, month: 1, day: 1)
        var weekday = CivilDate(daysSinceEpoch: first).weekday
        for days in first...(try Self.date(2401, 12, 31).daysSinceEpoch) {
            let date = CivilDate(daysSinceEpoch: days)
            guard (date.year, date.month, date.day) == expected, date.daysSinceEpoch == days, date.weekday == weekday else {
                Issue.record("day \(days) is \(date) (weekday \(date.weekday)), expected \(expected) (weekday \(weekday))")
                return
            }
            expected.day += 1
            if expected.day > length(expected.month, expected.year) { (expected.day, expected.month) = (1, expected.month + 1) }
            if expected.month > 12 { (expected.month, expected.year) = (1, expected.year + 1) }
            weekday = (weekday + 1) % 7
        }
    }

    @Test("only dates that exist are made")
    func validation() {
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CivilDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 1, day: 0) == nil)
        #expect(CivilDate(year: Int.max, month: 1, day: 1) == nil)
        #expect(CivilDate(year: Int.min, month: 1, day: 1) == nil)
    }

    @Test("months add across years both ways")
    func monthArithmetic() {
        let november = YearMonth(year: 2026, month: 11)
        #expect(november.adding(months: 0) == november)
        #expect(november.adding(months: 2) == YearMonth(year: 2027, month: 1))
        #expect(november.adding(months: 59) == YearMonth(year: 2031, month: 10))
        #expect(november.adding(months: -11) == YearMonth(year: 2025, month: 12))
        #expect(november.adding(months: -23) == YearMonth(year: 2024, month: 12))
        #expect(YearMonth(year: 1, month: 1).adding(months: -1) == YearMonth(year: 0, month: 12))
        #expect(YearMonth(year: Int.max, month: 12).adding(months: 1).year == Int.max)
    }

    // MARK: Instants at an offset

    @Test("an instant reads as the wall clock at its offset, up to ±14 hours")
    func offsets() throws {
        let instant = try Self.instant("2026-11-22T10:05:00Z")
        func reading(_ offset: Int) -> String {
            let time = instant.civil(atOffsetSeconds: offset)
            return "\(time.date) \(time.hour):\(time.minute):\(time.second).\(time.millisecond)"
        }
        #expect(reading(0) == "2026-11-22 10:5:0.0")
        #expect(reading(14 * Self.hour) == "2026-11-23 0:5:0.0")
        #expect(reading(-14 * Self.hour) == "2026-11-21 20:5:0.0")
        #expect(reading(5 * Self.hour + 45 * 60) == "2026-11-22 15:50:0.0")
        #expect(reading(-(9 * Self.hour + 30 * 60)) == "2026-11-22 0:35:0.0")
    }

    @Test("the last millisecond of a day is still that day, before 1970 too")
    func endOfDay() throws {
        for text in ["2026-11-22T23:59:59.999Z", "1969-12-31T23:59:59.999Z", "2000-02-29T23:59:59.999Z", "1900-02-28T23:59:59.999Z"] {
            let last = try Self.instant(text)
            let reading = last.civil(atOffsetSeconds: 0)
            #expect((reading.hour, reading.minute, reading.second, reading.millisecond) == (23, 59, 59, 999), "\(text)")
            let next = last.adding(TimeSpan(milliseconds: 1)).civil(atOffsetSeconds: 0)
            #expect(next.date.daysSinceEpoch == reading.date.daysSinceEpoch + 1, "\(text)")
            #expect((next.hour, next.minute, next.second, next.millisecond) == (0, 0, 0, 0), "\(text)")
        }
        #expect(Instant(millisecondsSinceEpoch: -1).civil(atOffsetSeconds: 0).date == (try Self.date(1969, 12, 31)))
    }

    @Test("a day starts at local midnight, whatever the offset")
    func startOfDay() throws {
        var random = SeededGenerator(seed: 12)
        let offsets = [0, 14 * Self.hour, -14 * Self.hour, 5 * Self.hour + 45 * 60, -(3 * Self.hour + 30 * 60), 60, -60]
        for _ in 0..<2000 {
            let instant = Instant(millisecondsSinceEpoch: random.int64(in: -80_000_000_000_000...250_000_000_000_000))
            let offset = random.element(of: offsets)
            let start = instant.startOfDay(atOffsetSeconds: offset)
            #expect(start <= instant && instant < start.adding(.day), "\(instant) at \(offset): \(start)")
            let midnight = start.civil(atOffsetSeconds: offset)
            #expect(midnight.date == instant.civil(atOffsetSeconds: offset).date)
            #expect((midnight.hour, midnight.minute, midnight.second, midnight.millisecond) == (0, 0, 0, 0))
        }
        let instant = try Self.instant("2026-11-22T10:05:00Z")
        #expect(instant.startOfDay(atOffsetSeconds: 14 * Self.hour) == (try Self.instant("2026-11-22T10:00:00Z")))
        #expect(instant.startOfDay(atOffsetSeconds: -14 * Self.hour) == (try Self.instant("2026-11-21T14:00:00Z")))
        #expect(Instant(millisecondsSinceEpoch: -1).startOfDay(atOffsetSeconds: 0).millisecondsSinceEpoch == -Self.day)
    }

    @Test("quarter hours floor down, before 1970 too")
    func quarterHours() {
        func floor(_ ms: Int64) -> Int64 { Instant(millisecondsSinceEpoch: ms).quarterHourFloor.millisecondsSinceEpoch }
        #expect(floor(0) == 0)
        #expect(floor(899_999) == 0)
        #expect(floor(900_000) == 900_000)
        #expect(floor(-1) == -900_000)
        #expect(floor(1_795_341_900_000 + 14 * 60_000) == 1_795_342_500_000)
    }

    @Test("the ends of time neither trap nor wrap")
    func extremes() {
        for ms in [Int64.min, Int64.min + 1, Int64.max - 1, Int64.max] {
            let instant = Instant(millisecondsSinceEpoch: ms)
            for offset in [0, 14 * Self.hour, -14 * Self.hour, Int.max, Int.min] {
                _ = instant.civil(atOffsetSeconds: offset)
                let start = instant.startOfDay(atOffsetSeconds: offset)
                if offset == 0 { #expect(start <= instant) }
            }
            _ = instant.quarterHourFloor
            _ = ISO8601.format(instant)
        }
        #expect(Instant(millisecondsSinceEpoch: .min).quarterHourFloor.millisecondsSinceEpoch == .min)
        _ = CivilDate(daysSinceEpoch: .max)
        _ = CivilDate(daysSinceEpoch: .min)
    }

    // MARK: ISO 8601

    @Test("instants are written in UTC to the millisecond")
    func format() {
        #expect(ISO8601.format(Instant(millisecondsSinceEpoch: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ISO8601.format(Instant(millisecondsSinceEpoch: -1)) == "1969-12-31T23:59:59.999Z")
        #expect(ISO8601.format(Instant(millisecondsSinceEpoch: 951_827_696_789)) == "2000-02-29T12:34:56.789Z")
        #expect(ISO8601.format(Instant(millisecondsSinceEpoch: 253_402_300_799_999)) == "9999-12-31T23:59:59.999Z")
        #expect(CivilDate(daysSinceEpoch: -719_528).description == "0000-01-01")
    }

    static let accepted: [(String, Int64)] = [
        ("2026-11-22", 1_795_305_600_000),
        ("2026-11-22T10:05", 1_795_341_900_000),
        ("2026-11-22 10:05", 1_795_341_900_000),
        ("  2026-11-22T10:05:00Z\n", 1_795_341_900_000),
        ("2026-11-22T10:05:00.5Z", 1_795_341_900_500),
        ("2026-11-22T10:05:00.123456Z", 1_795_341_900_123),
        ("2026-11-23T00:05:00+14:00", 1_795_341_900_000),
        ("2026-11-21T20:05:00-14:00", 1_795_341_900_000),
        ("2026-11-22T15:50+05:45", 1_795_341_900_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000),
        ("1969-12-31T23:59:59.999Z", -1),
        ("0000-01-01T00:00:00Z", -62_167_219_200_000),
    ]

    @Test("the forms people and scripts write are read", arguments: accepted)
    func parse(text: String, ms: Int64) throws {
        #expect(try ISO8601.parse(text).get().millisecondsSinceEpoch == ms)
    }

    static let refused = [
        "", " ", "2026", "2026-11", "26-11-22", "2026-1-22", "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10",
        "2026-11-00", "2026-04-31", "2026-11-22T", "2026-11-22T24:00", "2026-11-22T10:60", "2026-11-22T10:00:60",
        "2026-11-22T10:00:00.", "2026-11-22T10:00:00.5.5Z", "2026-11-22T10:00Zjunk", "2026-11-22T10:00+1:00",
        "2026-11-22T10:00+24:00", "2026-11-22T10:00+05:60", "2026-11-22X10:00", "２０２６-11-22", "2026-11-22\u{0}",
        "2026-11-22T10:00:00ZZ", "+2026-11-22", "2026/11/22", "٢٠٢٦-11-22",
    ]

    @Test("anything else is refused with a rejection that echoes it safely", arguments: refused)
    func refusals(text: String) {
        guard case .failure(let rejection) = ISO8601.parse(text) else {
            Issue.record("\(text.debugDescription) was read")
            return
        }
        #expect(rejection.code == .invalidRequest)
        #expect(rejection.message.contains("ISO 8601"))
        #expect(!rejection.message.unicodeScalars.contains { $0.value < 0x20 }, "\(rejection.message.debugDescription)")
    }

    @Test("the short way of writing an instant is the long way's text, years 0 to 9999")
    func formatInPlaceIsTheLongWay() {
        var random = SeededGenerator(seed: 8601)
        var instants = [0, -1, 951_827_696_789, -62_167_219_200_000, 253_402_300_799_999].map { Instant(millisecondsSinceEpoch: $0) }
        for _ in 0..<5000 { instants.append(Instant(millisecondsSinceEpoch: random.int64(in: -62_167_219_200_000...253_402_300_799_999))) }
        for instant in instants {
            #expect(ISO8601.format(instant) == ISO8601.spelledOut(instant.civil(atOffsetSeconds: 0)))
        }
        // Outside years 0 to 9999 the long way writes it.
        #expect(ISO8601.format(Instant(millisecondsSinceEpoch: 253_402_300_800_000)) == "10000-01-01T00:00:00.000Z")
    }

    @Test("what is written reads back as the same instant, years 0 to 9999")
    func roundTrip() throws {
        var random = SeededGenerator(seed: 1970)
        for _ in 0..<5000 {
            let instant = Instant(millisecondsSinceEpoch: random.int64(in: -62_167_219_200_000...253_402_300_799_999))
            let text = ISO8601.format(instant)
            #expect(try ISO8601.parse(text).get() == instant, "\(text)")
            #expect(CivilDate(daysSinceEpoch: instant.civil(atOffsetSeconds: 0).date.daysSinceEpoch).description == String(text.prefix(10)))
        }
    }
}
