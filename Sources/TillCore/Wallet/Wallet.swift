/// A store-credit or house account: a named balance in one currency that may go below zero
/// down to its overdraft limit, never further.
public struct Wallet: Hashable, Sendable {
    /// The name as opened, for display.
    public let name: String
    public let currency: Currency
    public private(set) var balance: Money
    /// How far below zero the balance may go; zero means not at all.
    public let overdraftLimit: Money
    /// The customer the store credit belongs to, if any (matched by `Email.key`).
    public let customer: Email?

    /// Wallet names are unique without regard to case ("Ann" and "ann" are one wallet) or to
    /// how an accent was typed (NFC). Lowercase, not full case folding: "Straße" and "Strasse"
    /// stay two wallets, as they were when they were opened.
    public var key: String { Self.key(for: name) }

    public static let maximumNameLength = 64

    public static func key(for name: String) -> String { name.trimmingBlanks().canonical.lowercased().canonical }

    /// Checks a name: 1 to 64 characters after trimming, no control or zero-width characters.
    public static func validName(_ text: String) -> Result<String, Rejection> {
        let name = text.trimmingBlanks().canonical
        guard !name.isEmpty, name.count <= maximumNameLength,
              name.isPrintable
        else {
            return .failure(Rejection(
                .invalidName, "A wallet name has 1 to \(maximumNameLength) characters and no control characters."))
        }
        return .success(name)
    }

    /// A new wallet. In order: `invalid_name`, `invalid_amount` for a negative opening balance,
    /// `invalid_overdraft` for a negative limit, `currency_mismatch` if either is in another
    /// currency. `customer` is an address parsed already.
    public static func open(
        name: String, currency: Currency, balance: Money? = nil, overdraftLimit: Money? = nil, customer: Email? = nil
    ) -> Result<Wallet, Rejection> {
        validName(name).flatMap { name in
            let balance = balance ?? .zero(currency)
            let limit = overdraftLimit ?? .zero(currency)
            guard balance.minorUnits >= 0 else {
                return .failure(Rejection(.invalidAmount, "The opening balance cannot be negative."))
            }
            guard limit.minorUnits >= 0 else { return .failure(Rejection(.invalidOverdraft)) }
            guard balance.currency == currency, limit.currency == currency else {
                return .failure(Rejection(.currencyMismatch, "A \(currency.code) wallet takes \(currency.code) amounts."))
            }
            return .success(Wallet(
                name: name, currency: currency, balance: balance, overdraftLimit: limit, customer: customer))
        }
    }

    /// A wallet rebuilt from its stored read model; nil if the stored values break an invariant
    /// (a name that is not valid, mixed currencies, a balance below minus the overdraft limit).
    public static func restore(name: String, balance: Money, overdraftLimit: Money, customer: Email? = nil) -> Wallet? {
        guard case .success = validName(name), balance.currency == overdraftLimit.currency,
              overdraftLimit.minorUnits >= 0, balance.minorUnits >= -overdraftLimit.minorUnits
        else { return nil }
        return Wallet(
            name: name, currency: balance.currency, balance: balance, overdraftLimit: overdraftLimit, customer: customer)
    }

    /// Adds money. `invalid_amount`, `currency_mismatch`, `amount_too_large` on overflow.
    public func credit(_ amount: Money) -> Result<Wallet, Rejection> {
        checked(amount).flatMap { balance.adding($0) }.map { balance in
            var next = self
            next.balance = balance
            return next
        }
    }

    /// Takes money. `invalid_amount`, `currency_mismatch`, then `insufficient_funds` when the
    /// amount is more than is `available`.
    public func debit(_ amount: Money) -> Result<Wallet, Rejection> {
        checked(amount).flatMap { amount -> Result<Wallet, Rejection> in
            guard amount.minorUnits <= available.minorUnits else {
                return .failure(Rejection(
                    .insufficientFunds, "\(name) has \(available.formatted) available; \(amount.formatted) was asked."))
            }
            var next = self
            // balance - amount >= -limit, so the difference fits.
            next.balance = Money(minorUnits: balance.minorUnits - amount.minorUnits, currency: currency)
            return .success(next)
        }
    }

    /// How much may still be debited: the balance plus the overdraft limit. Never negative (the
    /// balance never goes below minus the limit); a sum past `Int64.max` is read as `Int64.max`,
    /// more than any amount can ask. The one figure a debit, a view and a screen use.
    public var available: Money {
        let (sum, overflow) = balance.minorUnits.addingReportingOverflow(overdraftLimit.minorUnits)
        return Money(minorUnits: overflow ? .max : sum, currency: currency)
    }

    private func checked(_ amount: Money) -> Result<Money, Rejection> {
        amount.requirePositive().flatMap { $0.require(currency: currency, of: "Wallet \(name)") }
    }
}
