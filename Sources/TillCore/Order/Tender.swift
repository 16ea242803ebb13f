/// How a customer pays an installment.
public enum Tender: Hashable, Sendable {
    /// A card charged through the gateway (authorize + capture).
    case card(CardSummary)
    /// Notes and coins handed over; may be more than the amount, the rest is change.
    case cash(tendered: Money)
    /// A store-credit wallet, by name.
    case storeCredit(wallet: String)

    public var kind: Kind {
        switch self {
        case .card: .card
        case .cash: .cash
        case .storeCredit: .storeCredit
        }
    }

    /// The raw values are the wire format (`tender` in JSON).
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case card, cash
        case storeCredit = "store_credit"

        /// "Card", "Cash", "Store credit": the name every screen and report gives it.
        public var displayName: String {
            switch self {
            case .card: "Card"
            case .cash: "Cash"
            case .storeCredit: "Store credit"
            }
        }
    }
}
