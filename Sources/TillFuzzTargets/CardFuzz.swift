import TillCore

/// Card number, expiry and security code as typed. Input: the three texts separated by
/// newlines (number, expiry, CVV), checked on a fixed day (2026-11-30, UTC).
///
/// Properties: nothing traps and every refusal has a safe message; an accepted number is 12 to
/// 19 ASCII digits that pass Luhn, of a length its brand issues, and that normalized form
/// validates again to itself; an accepted expiry has a month 1-12, reads back through MM/YY,
/// and, unless expired, is at most 20 years ahead; a valid card's summary keeps at most first 6
/// and last 4, hides at least 5 digits and has a CVV length that fits its brand.
enum CardFuzz {
    private static let now = Instant(millisecondsSinceEpoch: 1_796_032_800_000)

    static func run(_ input: [UInt8]) throws {
        var bytes = FuzzBytes(input)
        let parts = fields(bytes.restText(), 3)
        let number = parts[0], expiry = parts[1], cvv = parts[2]

        _ = CardBrand.detect(digits: number)
        _ = CardNumber.passesLuhn(number)
        if let digits = try accepted(CardNumber.digits(of: number), "CardNumber.digits") {
            try require(CardNumber.lengths.contains(digits.count), "accepted \(digits.count) digits")
            try require(digits.allSatisfy(\.isASCIIDigit), "accepted digits \(digits.debugDescription)")
            try require(CardNumber.passesLuhn(digits), "accepted a number that fails Luhn")
            let brand = CardBrand.detect(digits: digits)
            try require(brand.lengths.contains(digits.count), "accepted a \(digits.count)-digit \(brand)")
            try require(CardNumber.digits(of: digits) == .success(digits), "the normalized number does not validate to itself")
        }

        if let parsed = try accepted(CardExpiry.parse(expiry), "CardExpiry.parse") {
            try require((1...12).contains(parsed.month.month), "accepted month \(parsed.month.month)")
            if (2000...2099).contains(parsed.month.year) {
                let again = CardExpiry.parse(parsed.description)
                try require(again == .success(parsed), "expiry \(parsed) reads back as \(again)")
            }
            if let valid = try accepted(parsed.checked(at: now), "CardExpiry.checked") {
                try require(
                    valid.month.year <= 2026 + CardExpiry.maximumYearsAhead,
                    "accepted an expiry more than \(CardExpiry.maximumYearsAhead) years ahead: \(valid.month)")
            }
        }

        guard let summary = try accepted(
            CardValidation.validate(number: number, expiry: expiry, cvv: cvv, now: now), "CardValidation.validate")
        else { return }
        guard case .success(let digits) = CardNumber.digits(of: number) else {
            throw FuzzFailure("validate accepted a number that CardNumber.digits refuses")
        }
        try require(summary.brand == CardBrand.detect(digits: digits), "validate's brand differs from detect's")
        try require(
            summary.first6.count <= 6 && digits.hasPrefix(summary.first6) && digits.hasSuffix(summary.last4),
            "summary \(summary.first6)…\(summary.last4) is not a cut of the number")
        try require(
            digits.count - summary.first6.count - summary.last4.count >= 5,
            "summary of \(digits.count) digits hides fewer than 5")
        try require(cvv.trimmingBlanks().count == summary.brand.cvvLength, "CVV length does not fit \(summary.brand)")
        try require(!summary.masked.contains(digits), "the masked card shows the full number")
    }
}
