/// A card's expiry month. A card is valid through the last moment of that month.
public struct CardExpiry: Hashable, Sendable, CustomStringConvertible {
    public let month: YearMonth

    public init(month: YearMonth) { self.month = month }

    /// "MM/YY" or "MM/YYYY" (blanks around the parts allowed); month 01-12; two-digit years are
    /// 20YY. Reads the text only: anything malformed is `invalid_expiry`.
    public static func parse(_ text: String) -> Result<CardExpiry, Rejection> {
        let parts = text.trimmingBlanks().split(separator: "/", omittingEmptySubsequences: false)
        let invalid = Rejection(.invalidExpiry, "Enter the expiry as MM/YY.")
        guard parts.count == 2 else { return .failure(invalid) }
        let monthText = String(parts[0]).trimmingBlanks()
        let yearText = String(parts[1]).trimmingBlanks()
        guard (1...2).contains(monthText.count), yearText.count == 2 || yearText.count == 4,
              monthText.allSatisfy(\.isASCIIDigit), yearText.allSatisfy(\.isASCIIDigit),
              let month = Int(monthText), let yearNumber = Int(yearText)
        else { return .failure(invalid) }
        guard (1...12).contains(month) else {
            return .failure(Rejection(.invalidExpiry, "The expiry month must be 01 to 12."))
        }
        let year = yearText.count == 2 ? 2000 + yearNumber : yearNumber
        return .success(CardExpiry(month: YearMonth(year: year, month: month)))
    }

    /// `parse`, then `checked(at:)`.
    public static func parse(_ text: String, now: Instant, utcOffset: TimeSpan = .zero) -> Result<CardExpiry, Rejection> {
        parse(text).flatMap { $0.checked(at: now, utcOffset: utcOffset) }
    }

    /// Cards are issued for a few years; an expiry further ahead than this is mistyped.
    public static let maximumYearsAhead = 20

    /// This expiry, or `card_expired` once the month has ended where the shop is, or
    /// `invalid_expiry` when it is more than `maximumYearsAhead` years away.
    public func checked(at now: Instant, utcOffset: TimeSpan = .zero) -> Result<CardExpiry, Rejection> {
        let current = now.adding(utcOffset).utcYearMonth
        if current > month { return .failure(Rejection(.cardExpired, "The card expired at the end of \(self).")) }
        let horizon = YearMonth(year: current.year + Self.maximumYearsAhead, month: current.month)
        guard month <= horizon else {
            return .failure(Rejection(
                .invalidExpiry, "An expiry is at most \(Self.maximumYearsAhead) years ahead; check the year."))
        }
        return .success(self)
    }

    /// True once `now`, seen at `utcOffset`, is past the end of the expiry month.
    public func hasExpired(at now: Instant, utcOffset: TimeSpan = .zero) -> Bool {
        now.adding(utcOffset).utcYearMonth > month
    }

    /// "03/27".
    public var description: String {
        let mm = month.month < 10 ? "0\(month.month)" : "\(month.month)"
        let yy = month.year % 100 < 10 ? "0\(month.year % 100)" : "\(month.year % 100)"
        return "\(mm)/\(yy)"
    }
}
