/// One movement of a wallet as its history lists it: what moved, the balance it left and who
/// moved it. The store reads it from `wallet_events`; the service and its screens show it.
public struct WalletEvent: Sendable, Hashable {
    /// "opened", "credited", "debited", …: the ledger's name for the movement.
    public let kind: String
    public let amount: Int64
    public let balanceAfter: Int64
    /// The request or refund that moved it, if any.
    public let reference: String?
    public let at: Instant
    /// Who moved it.
    public let operatorName: String

    public init(kind: String, amount: Int64, balanceAfter: Int64, reference: String?, at: Instant, operatorName: String) {
        self.kind = kind
        self.amount = amount
        self.balanceAfter = balanceAfter
        self.reference = reference
        self.at = at
        self.operatorName = operatorName
    }
}
