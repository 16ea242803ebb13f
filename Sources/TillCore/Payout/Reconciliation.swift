/// A capture or refund Till recorded on a card payment: what the shop expects GoblinPay to pay
/// out (a capture) or to take back (a refund).
public struct CardMovement: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case capture, refund
    }

    public let kind: Kind
    /// The processor's authorization reference (the payment's `processor_ref`).
    public let reference: String
    /// Positive: what was captured or refunded.
    public let amount: Money
    public let paymentId: String
    /// The order the payment belongs to, when it is an order's installment.
    public let orderId: String?
    public let at: Instant

    public init(kind: Kind, reference: String, amount: Money, paymentId: String, orderId: String?, at: Instant) {
        self.kind = kind
        self.reference = reference
        self.amount = amount
        self.paymentId = paymentId
        self.orderId = orderId
        self.at = at
    }

    /// What it does to the shop's bank balance: a capture adds, a refund takes away.
    public var signedAmount: Money {
        kind == .capture ? amount : Money(minorUnits: -amount.minorUnits, currency: amount.currency)
    }
}

/// A payout entry where it was found.
public struct PlacedEntry: Hashable, Sendable {
    public let payoutId: String
    public let entry: PayoutEntry
}

/// Every Till capture and refund in exactly one bucket, against the payouts imported so far:
/// - matched: in a payout entry of the same kind, processor reference, amount and currency;
/// - in transit: in no payout yet;
/// - mismatched: an entry of the same kind and reference exists, but its amount or currency
///   differ (paired in order, after every exact pair is taken);
/// - unexpected: a capture or refund entry Till has no record of.
/// Fees and adjustments are not Till's movements: they are listed apart.
public struct Reconciliation: Hashable, Sendable {
    public struct Match: Hashable, Sendable {
        public let movement: CardMovement
        public let payoutId: String
    }

    public struct Mismatch: Hashable, Sendable {
        public let movement: CardMovement
        public let placed: PlacedEntry
    }

    public private(set) var matched: [Match] = []
    public private(set) var inTransit: [CardMovement] = []
    public private(set) var mismatched: [Mismatch] = []
    public private(set) var unexpected: [PlacedEntry] = []
    public private(set) var feesAndAdjustments: [PlacedEntry] = []

    /// Sorts `movements` (in the order Till recorded them) against `payouts` (any order).
    public init(movements: [CardMovement], payouts: [Payout]) {
        struct Group: Hashable {
            let kind: String
            let reference: String
        }
        var entriesByGroup: [Group: [PlacedEntry]] = [:]
        var groupOrder: [Group] = []
        for payout in payouts {
            for entry in payout.entries {
                let placed = PlacedEntry(payoutId: payout.id, entry: entry)
                switch entry.kind {
                case .fee, .adjustment:
                    feesAndAdjustments.append(placed)
                case .capture, .refund:
                    let group = Group(kind: entry.kind.rawValue, reference: entry.reference)
                    if entriesByGroup[group] == nil { groupOrder.append(group) }
                    entriesByGroup[group, default: []].append(placed)
                }
            }
        }
        var movementsByGroup: [Group: [CardMovement]] = [:]
        for movement in movements {
            movementsByGroup[Group(kind: movement.kind.rawValue, reference: movement.reference), default: []].append(movement)
        }
        // Till's movements, group by group in the order recorded; then the entries Till never saw.
        var seen = Set<Group>()
        for movement in movements {
            let group = Group(kind: movement.kind.rawValue, reference: movement.reference)
            guard seen.insert(group).inserted else { continue }
            sort(movementsByGroup[group] ?? [], against: entriesByGroup[group] ?? [])
        }
        for group in groupOrder where !seen.contains(group) {
            unexpected += entriesByGroup[group] ?? []
        }
    }

    private mutating func sort(_ movements: [CardMovement], against entries: [PlacedEntry]) {
        var open = entries
        var unpaired: [CardMovement] = []
        for movement in movements {
            if let index = open.firstIndex(where: { $0.entry.amount == movement.signedAmount }) {
                matched.append(Match(movement: movement, payoutId: open[index].payoutId))
                open.remove(at: index)
            } else {
                unpaired.append(movement)
            }
        }
        for movement in unpaired {
            if open.isEmpty {
                inTransit.append(movement)
            } else {
                mismatched.append(Mismatch(movement: movement, placed: open.removeFirst()))
            }
        }
        unexpected += open
    }

    /// Per currency, what is still to be paid out (captures less refunds in transit).
    public func inTransitTotals() -> Result<[Currency: Money], Rejection> {
        var totals: [Currency: Money] = [:]
        for movement in inTransit {
            let currency = movement.amount.currency
            switch (totals[currency] ?? .zero(currency)).adding(movement.signedAmount) {
            case .success(let sum): totals[currency] = sum
            case .failure(let rejection): return .failure(rejection)
            }
        }
        return .success(totals)
    }

    /// Whether everything Till recorded is accounted for: nothing mismatched or unexpected.
    public var isClean: Bool { mismatched.isEmpty && unexpected.isEmpty }
}
