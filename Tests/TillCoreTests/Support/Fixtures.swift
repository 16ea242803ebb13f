import Testing
@testable import TillCore

/// Shared values for the core tests: fixed instants and ready-made cards and amounts.
enum Fixture {
    /// 2026-11-22T12:00:00Z.
    static let now = Instant(millisecondsSinceEpoch: 1_795_348_800_000)
    static let day: Int64 = 86_400_000

    static func later(days: Int64, hours: Int64 = 0) -> Instant {
        Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch + days * day + hours * 3_600_000)
    }

    static let visa = CardSummary(
        digits: "4242424242424242", brand: .visa, expiry: CardExpiry(month: YearMonth(year: 2030, month: 12)))

    static func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }
    static func gbp(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .gbp) }

    /// Unwraps a result the test expects to succeed, recording the rejection otherwise.
    static func success<T>(_ result: Result<T, Rejection>, _ what: String = "") -> T? {
        switch result {
        case .success(let value): return value
        case .failure(let rejection):
            Issue.record("expected success \(what), got \(rejection)")
            return nil
        }
    }

    static func authorized(_ minor: Int64 = 1000, currency: Currency = .usd) -> Payment? {
        success(Payment.authorize(
            id: "pay_1", card: visa, amount: Money(minorUnits: minor, currency: currency), at: now))
    }
}

/// The rejection code of a result the test expects to fail, or nil if it succeeded.
func rejectionCode<T>(_ result: Result<T, Rejection>) -> Rejection.Code? {
    if case .failure(let rejection) = result { return rejection.code }
    return nil
}
