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

    /// Wallet names are unique without regard to case: "Ann" and "ann" are one wallet.
    public var key: String { Self.key(for: name) }

    public static let maximumNameLength = 64

    public static func key(for name: String) -> String { name.trimmingBlanks().caseFolded }

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
    /// balance would fall below minus the overdraft limit.
    public func debit(_ amount: Money) -> Result<Wallet, Rejection> {
        checked(amount).flatMap { amount -> Result<Wallet, Rejection> in
            // balance - amount >= -limit  <=>  amount <= balance + limit, computed without overflow:
            // balance >= -limit always holds, so available = balance + limit is in 0...2*Int64.max
            // and fits in UInt64.
            let available = UInt64(bitPattern: balance.minorUnits &+ overdraftLimit.minorUnits)
            guard UInt64(amount.minorUnits) <= available else {
                return .failure(Rejection(
                    .insufficientFunds, "\(name) has \(availableText) available; \(amount.formatted) was asked."))
            }
            var next = self
            next.balance = Money(minorUnits: balance.minorUnits &- amount.minorUnits, currency: currency)
            return .success(next)
        }
    }

    private var availableText: String {
        let (available, overflow) = balance.minorUnits.addingReportingOverflow(overdraftLimit.minorUnits)
        return overflow ? "more than can be shown" : Money(minorUnits: available, currency: currency).formatted
    }

    private func checked(_ amount: Money) -> Result<Money, Rejection> {
        amount.requirePositive().flatMap { $0.require(currency: currency, of: "Wallet \(name)") }
    }
}
