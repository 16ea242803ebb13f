/// A card's expiry month. A card is valid through the last moment of that month (UTC).
public struct CardExpiry: Hashable, Sendable, CustomStringConvertible {
    public let month: YearMonth

    public init(month: YearMonth) { self.month = month }

    /// "MM/YY" or "MM/YYYY" (blanks around the parts allowed); month 01-12. Two-digit years are
    /// 20YY. Malformed text is `invalid_expiry`; a month before `now`'s is `card_expired`.
    public static func parse(_ text: String, now: Instant) -> Result<CardExpiry, Rejection> {
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
        let expiry = CardExpiry(month: YearMonth(year: year, month: month))
        guard !expiry.hasExpired(at: now) else {
            return .failure(Rejection(.cardExpired, "The card expired at the end of \(expiry)."))
        }
        return .success(expiry)
    }

    /// True once `now` is past the end of the expiry month.
    public func hasExpired(at now: Instant) -> Bool { now.utcYearMonth > month }

    /// "03/27".
    public var description: String {
        let mm = month.month < 10 ? "0\(month.month)" : "\(month.month)"
        let yy = month.year % 100 < 10 ? "0\(month.year % 100)" : "\(month.year % 100)"
        return "\(mm)/\(yy)"
    }
}
