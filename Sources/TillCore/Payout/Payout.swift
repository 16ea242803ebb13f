/// A payout: what GoblinPay paid the shop's bank in one currency, with the entries it is made
/// of. Read from GoblinPay's text fields exactly (`Payout.read`): a payout Till records always
/// has entries whose sum is its amount.
public struct Payout: Hashable, Sendable {
    public let id: String
    public let amount: Money
    public let createdAt: Instant
    public let recipient: String
    public let entries: [PayoutEntry]

    public init(id: String, amount: Money, createdAt: Instant, recipient: String, entries: [PayoutEntry]) {
        self.id = id
        self.amount = amount
        self.createdAt = createdAt
        self.recipient = recipient
        self.entries = entries
    }

    public var currency: Currency { amount.currency }

    /// The longest payout id, recipient and entry reference Till keeps.
    public static let maximumTextLength = 200

    /// Reads a payout from GoblinPay's fields, strictly, as its API writes them: the id of
    /// letters, digits, ".", "_" and "-" (not "." or ".."); the currency's code as written
    /// ("USD"); amounts with exactly the currency's decimals ("12.34", "-5.00", "1000" for JPY),
    /// no blanks, no "+", no "-0"; the time as ISO 8601; at least one entry, the entries adding up
    /// to an amount above zero. Refused (`invalid_request`, `invalid_amount`, `unknown_currency`,
    /// `amount_too_large`) otherwise: such a payout is never recorded, and so never acknowledged.
    public static func read(
        id: String, amount: String, currency: String, createTime: String, recipient: String,
        entries: [(kind: String, reference: String, amount: String)]
    ) -> Result<Payout, Rejection> {
        guard isId(id) else {
            return .failure(Rejection(.invalidRequest, "Payout id \(id.echoed(limit: 40)) is not an id."))
        }
        let named = "Payout \(id.echoed(limit: 40))"
        guard recipient.count <= maximumTextLength, recipient.isPrintable else {
            return .failure(Rejection(.invalidRequest, "\(named) has a recipient that is too long or not printable."))
        }
        guard !entries.isEmpty else { return .failure(Rejection(.invalidRequest, "\(named) has no entries.")) }
        return Currency.named(currency).flatMap { (known: Currency) -> Result<Currency, Rejection> in
            known.code == currency ? .success(known) : .failure(Rejection(.unknownCurrency, "\(currency.echoed(limit: 8)) is not written as a currency code."))
        }.flatMap { currency in
            signedAmount(amount, currency: currency).flatMap { total in
                guard total.isPositive else { return .failure(Rejection(.invalidAmount, "\(named) is not above zero.")) }
                return ISO8601.parse(createTime).flatMap { created in
                    readEntries(entries, currency: currency, payout: named).flatMap { read in
                        Money.sum(read.map(\.amount), currency: currency).flatMap { sum in
                            guard sum == total else {
                                return .failure(Rejection(
                                    .invalidRequest, "\(named): its entries add up to \(sum.plainText), not \(total.plainText)."))
                            }
                            return .success(Payout(id: id, amount: total, createdAt: created, recipient: recipient, entries: read))
                        }
                    }
                }
            }
        }
    }

    private static func readEntries(
        _ entries: [(kind: String, reference: String, amount: String)], currency: Currency, payout: String
    ) -> Result<[PayoutEntry], Rejection> {
        var read: [PayoutEntry] = []
        for entry in entries {
            guard let kind = PayoutEntry.Kind(rawValue: entry.kind) else {
                return .failure(Rejection(.invalidRequest, "\(payout) has an entry of unknown kind \(entry.kind.echoed(limit: 20))."))
            }
            guard entry.reference.count <= maximumTextLength, entry.reference.isPrintable else {
                return .failure(Rejection(.invalidRequest, "\(payout) has an entry reference that is too long or not printable."))
            }
            switch signedAmount(entry.amount, currency: currency) {
            case .success(let amount): read.append(PayoutEntry(kind: kind, reference: entry.reference, amount: amount))
            case .failure(let rejection): return .failure(rejection)
            }
        }
        return .success(read)
    }

    /// Whether `id` can be a payout's id: 1 to 200 ASCII letters, digits, ".", "_" and "-"
    /// (safe in a URL path), and not the path steps "." or "..".
    public static func isId(_ id: String) -> Bool {
        !id.isEmpty && id.count <= maximumTextLength && id.allSatisfy(\.isIdCharacter) && id != "." && id != ".."
    }

    /// "12.34" or "-12.34" with exactly the currency's decimals, nothing around it; "-0.00" is
    /// refused (a sign on nothing).
    public static func signedAmount(_ text: String, currency: Currency) -> Result<Money, Rejection> {
        let negative = text.hasPrefix("-")
        let magnitude = negative ? text.dropFirst() : Substring(text)
        let parts = magnitude.split(separator: ".", omittingEmptySubsequences: false)
        let wellFormed = !parts[0].isEmpty && parts[0].allSatisfy(\.isASCIIDigit)
            && (currency.exponent == 0
                ? parts.count == 1
                : parts.count == 2 && parts[1].count == currency.exponent && parts[1].allSatisfy(\.isASCIIDigit))
        guard wellFormed else {
            return .failure(Rejection(.invalidAmount, "\(text.echoed(limit: 24)) is not an amount with \(currency.exponent) decimals."))
        }
        return Money.parse(String(magnitude), currency: currency).flatMap { parsed in
            guard !(negative && parsed.isZero) else { return .failure(Rejection(.invalidAmount, "\(text.echoed(limit: 24)) is not an amount.")) }
            // Negating a parsed magnitude cannot overflow: it is at most Int64.max.
            return .success(negative ? Money(minorUnits: -parsed.minorUnits, currency: currency) : parsed)
        }
    }
}

/// A payout as Till recorded it.
public struct ImportedPayout: Hashable, Sendable {
    public let payout: Payout
    public let importedAt: Instant
    /// When GoblinPay confirmed it; nil while the acknowledgement has not stuck.
    public let acknowledgedAt: Instant?

    public init(payout: Payout, importedAt: Instant, acknowledgedAt: Instant?) {
        self.payout = payout
        self.importedAt = importedAt
        self.acknowledgedAt = acknowledgedAt
    }
}

/// One line of a payout. Captures and positive adjustments are positive; refunds and fees are
/// negative. `reference` is the processor's authorization reference for a capture or refund.
public struct PayoutEntry: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case capture, refund, fee, adjustment
    }

    public let kind: Kind
    public let reference: String
    public let amount: Money

    public init(kind: Kind, reference: String, amount: Money) {
        self.kind = kind
        self.reference = reference
        self.amount = amount
    }
}

extension Character {
    /// What a payout id may hold: ASCII letters, digits, ".", "_", "-" (safe in a URL path).
    var isIdCharacter: Bool { isASCII && (isLetter || isNumber || self == "." || self == "_" || self == "-") }
}
