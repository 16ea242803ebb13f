/// What Till keeps of a card: brand, the first six and last four digits. It has no room for
/// the full number or the security code, so neither can reach a store, a log or a screen
/// through it.
public struct CardSummary: Hashable, Sendable, CustomStringConvertible {
    public let brand: CardBrand
    public let first6: String
    public let last4: String
    public let expiry: CardExpiry

    public init(brand: CardBrand, first6: String, last4: String, expiry: CardExpiry) {
        self.brand = brand
        self.first6 = first6
        self.last4 = last4
        self.expiry = expiry
    }

    /// "Visa 424242…4242": the most any screen shows.
    public var masked: String { "\(brand.displayName) \(first6)…\(last4)" }

    public var description: String { masked }
}

/// Validates what a customer typed for a card, in the fixed order number, expiry, security
/// code (so the first mistake is the one reported).
public enum CardValidation {
    /// A valid card's summary, or the first rejection among `invalid_card_number`,
    /// `invalid_expiry`, `card_expired`, `invalid_cvv`. The PAN and CVV are read, checked and
    /// dropped here: the result cannot carry them.
    public static func validate(
        number: String, expiry: String, cvv: String, now: Instant
    ) -> Result<CardSummary, Rejection> {
        let digits: String
        switch CardNumber.digits(of: number) {
        case .success(let value): digits = value
        case .failure(let rejection): return .failure(rejection)
        }
        let brand = CardBrand.detect(digits: digits)
        let parsedExpiry: CardExpiry
        switch CardExpiry.parse(expiry, now: now) {
        case .success(let value): parsedExpiry = value
        case .failure(let rejection): return .failure(rejection)
        }
        let code = cvv.trimmingBlanks()
        guard code.count == brand.cvvLength, code.allSatisfy(\.isASCIIDigit) else {
            return .failure(Rejection(
                .invalidCvv, "The security code has \(brand.cvvLength) digits for \(brand.displayName)."))
        }
        return .success(CardSummary(
            brand: brand, first6: String(digits.prefix(6)), last4: String(digits.suffix(4)),
            expiry: parsedExpiry))
    }
}
