/// An amount of money: a whole number of minor units (cents, yen, fils) and its currency.
/// Never a floating-point number. Every arithmetic step is overflow-checked and answers a
/// rejection instead of trapping.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    public var isPositive: Bool { minorUnits > 0 }
    public var isZero: Bool { minorUnits == 0 }

    public var description: String { formatted }

    /// This amount as the operand of an operation: `invalid_amount` unless it is above zero.
    public func requirePositive() -> Result<Money, Rejection> {
        isPositive ? .success(self) : .failure(Rejection(.invalidAmount, "The amount must be greater than zero."))
    }

    /// This amount if it is in `expected`, else `currency_mismatch` naming the target
    /// ("This order is in USD, not EUR.").
    public func require(currency expected: Currency, of target: String) -> Result<Money, Rejection> {
        currency == expected
            ? .success(self)
            : .failure(Rejection(.currencyMismatch, "\(target) is in \(expected.code), not \(currency.code)."))
    }

    /// `self + other`, or `currency_mismatch` / `amount_too_large`.
    public func adding(_ other: Money) -> Result<Money, Rejection> {
        combine(other, Int64.addingReportingOverflow)
    }

    /// `self - other`, or `currency_mismatch` / `amount_too_large`.
    public func subtracting(_ other: Money) -> Result<Money, Rejection> {
        combine(other, Int64.subtractingReportingOverflow)
    }

    /// Sums amounts of one currency; an empty list is zero.
    public static func sum(_ amounts: [Money], currency: Currency) -> Result<Money, Rejection> {
        var total = Money.zero(currency)
        for amount in amounts {
            switch total.adding(amount) {
            case .success(let next): total = next
            case .failure(let rejection): return .failure(rejection)
            }
        }
        return .success(total)
    }

    private func combine(
        _ other: Money, _ operation: (Int64) -> (Int64) -> (partialValue: Int64, overflow: Bool)
    ) -> Result<Money, Rejection> {
        guard other.currency == currency else {
            return .failure(Rejection(
                .currencyMismatch, "Cannot combine \(currency.code) with \(other.currency.code)."))
        }
        let (value, overflow) = operation(minorUnits)(other.minorUnits)
        guard !overflow else { return .failure(Rejection(.amountTooLarge)) }
        return .success(Money(minorUnits: value, currency: currency))
    }
}

/// `a + b` in minor units, nil on overflow: for figures kept as bare `Int64` (the drawer's, the takings rule).
func plus(_ a: Int64, _ b: Int64) -> Int64? {
    let (value, overflow) = a.addingReportingOverflow(b)
    return overflow ? nil : value
}

/// `a - b` in minor units, nil on overflow.
func minus(_ a: Int64, _ b: Int64) -> Int64? {
    let (value, overflow) = a.subtractingReportingOverflow(b)
    return overflow ? nil : value
}
