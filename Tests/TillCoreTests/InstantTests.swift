import Testing
@testable import TillCore

@Suite("Time")
struct InstantTests {
    static let monthCases: [(Int64, Int, Int)] = [
        (Int64(0), 1970, 1), (-1, 1969, 12), (951_696_000_000, 2000, 2), (951_782_400_000, 2000, 2), // 2000-02-28, 2000-02-29
        (951_868_800_000 - 1, 2000, 2), (951_868_800_000, 2000, 3), // 2000-03-01
        (1_795_348_800_000, 2026, 11), (1_796_083_199_999, 2026, 11),
        (1_796_083_200_000, 2026, 12), (4_102_444_800_000, 2100, 1), (253_402_300_799_000, 9999, 12),
    ]

    @Test("instants map to their UTC month", arguments: monthCases)
    func months(ms: Int64, year: Int, month: Int) {
        #expect(Instant(millisecondsSinceEpoch: ms).utcYearMonth == YearMonth(year: year, month: month))
    }

    @Test("the ends of time neither trap nor wrap")
    func extremes() {
        _ = Instant(millisecondsSinceEpoch: .min).utcYearMonth
        _ = Instant(millisecondsSinceEpoch: .max).utcYearMonth
        #expect(Instant(millisecondsSinceEpoch: .max).adding(.days(7)).millisecondsSinceEpoch == .max)
        #expect(Instant(millisecondsSinceEpoch: .min).adding(TimeSpan(milliseconds: -1)).millisecondsSinceEpoch == .min)
        #expect(TimeSpan.days(.max).milliseconds == .max)
    }
}
