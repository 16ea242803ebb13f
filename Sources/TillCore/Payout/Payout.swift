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

    /// Reads a payout from GoblinPay's fields: amounts as text with the currency's decimals
    /// ("12.34", "-5.00"), the time as ISO 8601. Refused (`invalid_request`, `invalid_amount`,
    /// `unknown_currency`, `amount_too_large`) when a field does not read or the entries do not
    /// add up to the amount: such a payout is never recorded, and so never acknowledged.
    public static func read(
        id: String, amount: String, currency: String, createTime: String, recipient: String,
        entries: [(kind: String, reference: String, amount: String)]
    ) -> Result<Payout, Rejection> {
        guard !id.isEmpty, id.count <= maximumTextLength, id.allSatisfy(\.isPrintableASCII) else {
            return .failure(Rejection(.invalidRequest, "Payout id \(id.echoed(limit: 40)) is not an id."))
        }
        let named = "Payout \(id.echoed(limit: 40))"
        guard recipient.count <= maximumTextLength, recipient.isPrintable else {
            return .failure(Rejection(.invalidRequest, "\(named) has a recipient that is too long or not printable."))
        }
        return Currency.named(currency).flatMap { currency in
            signedAmount(amount, currency: currency).flatMap { total in
                ISO8601.parse(createTime).flatMap { created in
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

    /// "12.34" or "-12.34" in the currency's decimals, exactly.
    public static func signedAmount(_ text: String, currency: Currency) -> Result<Money, Rejection> {
        let negative = text.hasPrefix("-")
        return Money.parse(negative ? String(text.dropFirst()) : text, currency: currency).map { magnitude in
            // Negating a parsed magnitude cannot overflow: it is at most Int64.max.
            negative ? Money(minorUnits: -magnitude.minorUnits, currency: currency) : magnitude
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
    var isPrintableASCII: Bool { isASCII && (asciiValue.map { $0 >= 0x21 && $0 < 0x7f } ?? false) }
}
