import TillCore

/// Money text in every currency exponent (0, 2, 3, 4). Input: one byte picks a currency of
/// `Currency.known`, one byte picks the mode; in text mode the rest is the amount as typed, in
/// number mode the next 8 bytes are minor units to format.
///
/// Properties: parsing never traps and refuses with a safe message; a parsed amount is not
/// negative, its `plainText` parses back to the same amount in its currency, `parsePositive`
/// agrees with `parse`, and checked sums of it never trap; any `Int64` formats, and a
/// non-negative one round-trips through `plainText`; `Currency.named` finds what it names.
enum MoneyTextFuzz {
    /// One currency of each exponent, so every input is also read with 0, 2, 3 and 4 decimals.
    private static let exponents: [Currency] = [0, 2, 3, 4].compactMap { exponent in
        Currency.known.first { $0.exponent == exponent }
    }

    static func run(_ input: [UInt8]) throws {
        var bytes = FuzzBytes(input)
        guard let chosen = bytes.choose(Currency.known) else { return }
        if bytes.byte() < 32 {
            try roundTrip(minorUnits: Int64(bitPattern: bytes.uint64()), currency: chosen)
            return
        }
        let text = bytes.restText()
        for currency in [chosen] + exponents {
            try parse(text, currency: currency)
        }
        if let named = try accepted(Currency.named(text), "Currency.named") {
            try require(Currency.named(named.code) == .success(named), "Currency.named(\(named.code)) is not \(named.code)")
        }
    }

    private static func parse(_ text: String, currency: Currency) throws {
        let context = "Money.parse(\(text.debugDescription), \(currency.code))"
        let positive = Money.parsePositive(text, currency: currency)
        guard let money = try accepted(Money.parse(text, currency: currency), context) else {
            try require((try? positive.get()) == nil, "\(context) refused but parsePositive accepted")
            return
        }
        try require(money.currency == currency, "\(context) changed the currency")
        try require(money.minorUnits >= 0, "\(context) is negative: \(money.minorUnits)")
        try require(
            ((try? positive.get()) != nil) == money.isPositive,
            "\(context) = \(money.minorUnits) but parsePositive says \(positive)")
        try roundTrip(minorUnits: money.minorUnits, currency: currency)
        // Checked arithmetic: a sum either is exact or is refused, never traps.
        switch money.adding(money) {
        case .success(let double):
            try require(double.minorUnits == money.minorUnits &* 2, "\(context): \(money) + \(money) = \(double)")
        case .failure(let rejection):
            try require(rejection.code == .amountTooLarge, "\(context): doubling refused with \(rejection.code)")
        }
        let zero = try? money.subtracting(money).get()
        try require(zero?.isZero == true, "\(context): \(money) - \(money) is not zero")
    }

    /// Formats `minorUnits`; a non-negative amount's `plainText` parses back to itself.
    private static func roundTrip(minorUnits: Int64, currency: Currency) throws {
        let money = Money(minorUnits: minorUnits, currency: currency)
        let plain = money.plainText
        try require(!money.formatted.isEmpty, "\(minorUnits) \(currency.code) formats as nothing")
        guard minorUnits >= 0 else {
            try require(plain.hasPrefix("-"), "\(minorUnits) \(currency.code) formats without its sign: \(plain)")
            return
        }
        let again = Money.parse(plain, currency: currency)
        try require(
            again == .success(money),
            "\(minorUnits) \(currency.code) formats as \(plain.debugDescription), which parses as \(again)")
    }
}
