import SeededRandom
import TillCore

/// The cards the demo's customers carry: real test numbers, dated and coded by the core's card
/// rules (the brand's security-code length, the expiry's MM/YY).
enum DemoCards {
    /// Valid card numbers (as typed, with spaces) and how often customers carry them.
    static let carried: [(String, Int)] = [
        ("4242 4242 4242 4242", 40),  // visa, GoblinPay's always-approved test card
        ("4012 8888 8888 1881", 8),  // visa
        ("5555 5555 5555 4444", 20),  // mastercard
        ("2223 0031 2200 3222", 5),  // mastercard (2-series)
        ("3782 822463 10005", 15),  // amex: 4-digit security code
        ("6011 1111 1111 1117", 12),  // discover
    ]

    /// GoblinPay's test card declined at authorization.
    static let declined = "4000 0000 0000 0002"

    /// How many digits the security code of `number` (as typed) has.
    static func cvvLength(_ number: String) -> Int {
        CardBrand.detect(digits: number.filter(\.isASCIIDigit)).cvvLength
    }
}

extension SplitMix64 {
    /// A card: `number`, else one customers commonly carry; expiring one to five years after
    /// `issued`; a random security code of its brand's length.
    mutating func card(number: String? = nil, issued: YearMonth) -> DemoCard {
        let number = number ?? weighted(DemoCards.carried) ?? DemoCards.declined
        let expiry = CardExpiry(month: issued.adding(months: int(12...59)))
        let cvv = String((0..<DemoCards.cvvLength(number)).map { _ in Character(String(below(10))) })
        return DemoCard(number: number, expiry: expiry.description, cvv: cvv)
    }
}
