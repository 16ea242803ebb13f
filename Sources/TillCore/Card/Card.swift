/// What Till keeps of a card: brand, the leading digits (the BIN), the last four and the
/// expiry. It has no room for the full number or the security code: the digit fields are
/// checked on the way in, so neither can reach a store, a log or a screen through it.
public struct CardSummary: Hashable, Sendable, CustomStringConvertible {
    public let brand: CardBrand
    /// The first 6 digits; fewer for cards under 15 digits, so at least 5 digits stay hidden.
    public let first6: String
    public let last4: String
    public let expiry: CardExpiry

    /// Rebuilds a summary from stored parts; nil unless `first6` is 1 to 6 ASCII digits and
    /// `last4` exactly 4, so a full number can never be put in one.
    public init?(brand: CardBrand, first6: String, last4: String, expiry: CardExpiry) {
        guard (1...6).contains(first6.count), first6.allSatisfy(\.isASCIIDigit),
              last4.count == 4, last4.allSatisfy(\.isASCIIDigit)
        else { return nil }
        self.brand = brand
        self.first6 = first6
        self.last4 = last4
        self.expiry = expiry
    }

    /// The summary of a checked card number: at most 6 leading digits, and never so many that
    /// fewer than 5 stay hidden (a 12-digit card keeps 3 + 4).
    init(digits: String, brand: CardBrand, expiry: CardExpiry) {
        let leading = max(1, min(6, digits.count - 9))
        self.brand = brand
        self.first6 = String(digits.prefix(leading))
        self.last4 = String(digits.suffix(4))
        self.expiry = expiry
    }

    /// "Visa 424242…4242": the most any screen shows.
    public var masked: String { "\(brand.displayName) \(first6)…\(last4)" }

    public var description: String { masked }
}

/// Validates what a customer typed for a card: first what depends only on the text (number,
/// expiry format, security code), then what depends on the date (`card_expired`), so the first
/// mistake reported is always the same for the same text.
public enum CardValidation {
    /// A valid card's summary, or the first rejection among `invalid_card_number`,
    /// `invalid_expiry`, `invalid_cvv`, `card_expired`. The PAN and CVV are read, checked and
    /// dropped here: the result cannot carry them. `utcOffset` is the shop's offset from UTC,
    /// so a card stays valid to the end of its month where the shop is.
    public static func validate(
        number: String, expiry: String, cvv: String, now: Instant, utcOffset: TimeSpan = .zero
    ) -> Result<CardSummary, Rejection> {
        let digits: String
        switch CardNumber.digits(of: number) {
        case .success(let value): digits = value
        case .failure(let rejection): return .failure(rejection)
        }
        let brand = CardBrand.detect(digits: digits)
        let parsedExpiry: CardExpiry
        switch CardExpiry.parse(expiry) {
        case .success(let value): parsedExpiry = value
        case .failure(let rejection): return .failure(rejection)
        }
        if case .failure(let rejection) = CardSecurityCode.parse(cvv, brand: brand) { return .failure(rejection) }
        return parsedExpiry.checked(at: now, utcOffset: utcOffset).map {
            CardSummary(digits: digits, brand: brand, expiry: $0)
        }
    }
}

/// A card's security code (CVV / CVC) as typed: as many ASCII digits as the brand has
/// (`CardBrand.cvvLength`), blanks around it allowed. The one check the service, the POS's card
/// fields and the demo's cards use.
public enum CardSecurityCode {
    /// The code's digits, or `invalid_cvv`. The code itself is never put in the message.
    public static func parse(_ text: String, brand: CardBrand) -> Result<String, Rejection> {
        let code = text.trimmingBlanks()
        guard code.count == brand.cvvLength, code.allSatisfy(\.isASCIIDigit) else {
            return .failure(Rejection(.invalidCvv, "The security code has \(brand.cvvLength) digits for \(brand.displayName)."))
        }
        return .success(code)
    }
}
