/// What a shop took in one currency over a period, by tender, and the one definition of
/// "net takings" (DESIGN §3): new money in, card plus cash (cash after change), less the
/// refunds paid back by card or in cash. Store credit spent on an order is not new money (it
/// was paid for when the credit was bought), and a refund to store credit pays nothing out:
/// both are kept apart, never in the net. The dashboard and the X/Z drawer reports ask this.
public struct Takings: Hashable, Sendable {
    public let currency: Currency
    /// Installments applied to orders, by the tender that paid them (cash after change).
    public private(set) var taken: [Tender.Kind: Money]
    /// Refunds by where the money went: back to the card, handed back in cash, or credited to
    /// a wallet (a refund of a store-credit installment, or one sent to a wallet).
    public private(set) var refunded: [Tender.Kind: Money]

    public init(currency: Currency) {
        self.currency = currency
        taken = [:]
        refunded = [:]
    }

    /// Counts an installment of `amount` (for cash: the amount applied, not the cash handed
    /// over). `currency_mismatch` or `amount_too_large` leave the figures as they were.
    public mutating func take(_ amount: Money, by tender: Tender.Kind) -> Result<Void, Rejection> {
        (taken[tender] ?? .zero(currency)).adding(amount).map { taken[tender] = $0 }
    }

    /// Counts a refund of an installment paid by `tender`; `toStoreCredit` when it was
    /// credited to a wallet instead of going back the way it came.
    public mutating func refund(_ amount: Money, of tender: Tender.Kind, toStoreCredit: Bool) -> Result<Void, Rejection> {
        let destination: Tender.Kind = toStoreCredit ? .storeCredit : tender
        return (refunded[destination] ?? .zero(currency)).adding(amount).map { refunded[destination] = $0 }
    }

    public func taken(by tender: Tender.Kind) -> Money { taken[tender] ?? .zero(currency) }
    public func refunded(to tender: Tender.Kind) -> Money { refunded[tender] ?? .zero(currency) }

    /// Card + cash taken, less refunds by card and in cash; `amount_too_large` on overflow.
    public var net: Result<Money, Rejection> {
        guard let net = Self.net(
            card: taken(by: .card).minorUnits, cash: taken(by: .cash).minorUnits,
            refundedToCard: refunded(to: .card).minorUnits, refundedInCash: refunded(to: .cash).minorUnits)
        else { return .failure(Rejection(.amountTooLarge, "The takings are too large to add up.")) }
        return .success(Money(minorUnits: net, currency: currency))
    }

    /// The rule itself, in minor units of one currency, for figures kept elsewhere (the drawer's
    /// journal): card + cash after change − refunds by card − refunds in cash; nil on overflow.
    public static func net(card: Int64, cash: Int64, refundedToCard: Int64, refundedInCash: Int64) -> Int64? {
        plus(card, cash).flatMap { minus($0, refundedToCard) }.flatMap { minus($0, refundedInCash) }
    }

    /// Store credit spent on orders: shown beside the takings, never in them.
    public var storeCreditRedeemed: Money { taken(by: .storeCredit) }
    /// Refunds credited to wallets: no money left the till.
    public var refundedToStoreCredit: Money { refunded(to: .storeCredit) }
}
