/// A broken invariant: which one, with the figures.
public struct SimViolation: Sendable, Codable, Equatable, CustomStringConvertible {
    public let invariant: String
    public let detail: String

    init(invariant: Invariant, detail: String) {
        self.invariant = invariant.rawValue
        self.detail = detail
    }

    public var description: String { "\(invariant): \(detail)" }
}

/// The invariants, named as the report prints them (and what stopped a run before any could
/// be checked: the ledger could not be set up, reopened or read).
enum Invariant: String, CaseIterable {
    case ledgersAgree = "1 ledgers agree (Till vs GoblinPay per authorization)"
    case oneEffectPerKey = "2 at most one applied attempt per client key and step"
    case orders = "3 orders: paid <= total, payments sum to paid, refunded <= paid"
    case amounts = "4 refunded <= captured <= authorized"
    case wallets = "5 wallets: balance >= -overdraft, equal to the sum of its events"
    case replay = "6 acknowledged answers survive (replay answers the same)"
    case duplicate = "6 a concurrent duplicate never executes"
    case resolves = "7 every unknown request resolves once faults stop"
    case integrity = "8 PRAGMA integrity_check"
    case readModels = "9 read models equal their events (till check)"
    case drawer = "10 drawer: expected = the fold of its journal = the read model; every installment and refund journalled once"
    case released = "11 no capture after a release; captured + released = authorized"
    case payouts = "12 payouts: each recorded once as GoblinPay made it; once faults stop, Till's = GoblinPay's total = processing, reconciliation clean"
    case setup, reopen, read
}
