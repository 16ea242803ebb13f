/// Reading amounts the way people type them ("10", "10.5", "10.00", ".50") and writing them the
/// way receipts show them ("$10.00", "¥1,000", "KWD 1.234"). Parsing is exact: the text's digits
/// become minor units by integer arithmetic only.
extension Money {
    /// Parses a non-negative amount in major units. Accepted: ASCII digits with at most one
    /// decimal point and no more decimals than the currency has; blanks around it are ignored.
    /// Refused with `invalid_amount`: empty text, signs ("-0", "+1"), exponents ("1e3"), "NaN",
    /// group separators, non-ASCII digits, too many decimals. A value beyond `Int64` minor units
    /// is `amount_too_large`. Zero parses; operations that need a positive amount refuse it.
    public static func parse(_ text: String, currency: Currency) -> Result<Money, Rejection> {
        let trimmed = text.trimmingBlanks()
        let shown = trimmed.echoed(limit: 24)
        guard !trimmed.isEmpty else { return .failure(Rejection(.invalidAmount, "Enter an amount.")) }

        let parts = trimmed.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            return .failure(Rejection(.invalidAmount, "\(shown) is not an amount."))
        }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
              !(whole.isEmpty && fraction.isEmpty),
              !(parts.count == 2 && fraction.isEmpty)
        else {
            return .failure(Rejection(.invalidAmount, "\(shown) is not an amount."))
        }
        guard fraction.count <= currency.exponent else {
            let allowed = currency.exponent == 0
                ? "\(currency.code) has no decimals"
                : "\(currency.code) has at most \(currency.exponent) decimals"
            return .failure(Rejection(.invalidAmount, "\(shown): \(allowed)."))
        }

        // whole * 10^exponent + fraction padded to exponent digits, every step checked.
        var minor: Int64 = 0
        let digits = String(whole) + String(fraction) + String(repeating: "0", count: currency.exponent - fraction.count)
        for digit in digits {
            guard let value = digit.wholeNumberValue else { continue }
            let (shifted, overflowA) = minor.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.addingReportingOverflow(Int64(value))
            guard !overflowA, !overflowB else {
                return .failure(Rejection(.amountTooLarge, "\(shown) is too large an amount."))
            }
            minor = next
        }
        return .success(Money(minorUnits: minor, currency: currency))
    }

    /// Parses an amount that must be greater than zero: what every payment, capture, refund,
    /// credit and debit takes.
    public static func parsePositive(_ text: String, currency: Currency) -> Result<Money, Rejection> {
        parse(text, currency: currency).flatMap { $0.requirePositive() }
    }

    /// "10.00", "1000", "1.234": the amount in major units without symbol or grouping, the form
    /// `parse` reads back to the same value.
    public var plainText: String {
        let sign = minorUnits < 0 ? "-" : ""
        let (whole, fraction) = splitMagnitude()
        return sign + whole + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// "$1,234.50", "-£3.00", "¥1,000", "KWD 1.234": for people, with the currency's symbol
    /// or code and thousands grouped.
    public var formatted: String {
        let sign = minorUnits < 0 ? "-" : ""
        let (whole, fraction) = splitMagnitude()
        let number = Self.grouped(whole) + (fraction.isEmpty ? "" : "." + fraction)
        if let symbol = currency.symbol { return sign + symbol + number }
        return sign + currency.code + " " + number
    }

    /// The magnitude's digits split at the currency's decimal point. Uses the unsigned
    /// magnitude so `Int64.min` formats without overflow.
    private func splitMagnitude() -> (whole: String, fraction: String) {
        var digits = String(minorUnits.magnitude)
        let exponent = currency.exponent
        if digits.count <= exponent {
            digits = String(repeating: "0", count: exponent - digits.count + 1) + digits
        }
        let cut = digits.index(digits.endIndex, offsetBy: -exponent)
        return (String(digits[..<cut]), String(digits[cut...]))
    }

    private static func grouped(_ digits: String) -> String {
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

extension Character {
    /// Only 0-9: Unicode digits such as "٣" or "３" are not amounts or card numbers here.
    public var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
