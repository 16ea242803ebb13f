/// One keyed request as the ledger keeps it (the `idempotency` table): what it is (operation,
/// target, fingerprint), where it stands, and, while it is open, the intent and the lease that
/// let any till finish it. The one record of a key, for every mutating operation;
/// `RequestLifecycle` says how it moves.
public struct RequestRecord: Sendable, Hashable {
    public enum State: String, Sendable {
        case inProgress = "in_progress"
        case outcomeUnknown = "outcome_unknown"
        case needsAttention = "needs_attention"
        case completed
    }

    public let key: String
    public let operation: String
    /// What the request acts on (an order, a payment, a wallet, or a new order's id).
    public let target: String
    public let fingerprint: String
    public let state: State
    /// The response answered to the request, stored once it completed.
    public let response: String?
    /// What a request that talks to the processor needs to be resolved later (JSON).
    public let intent: String?
    /// Who may call the processor for this request now, and until when (the ledger clock's
    /// epoch milliseconds). Set exactly while `in_progress`.
    public let leaseOwner: String?
    public let leaseExpiresAt: Int64?
    /// Why a `needs_attention` request could not be recorded.
    public let attention: String?
    public let createdAt: Int64
    public let updatedAt: Int64

    /// A request as it is first written (`updatedAt` nil), or as it is read back.
    public init(
        key: String, operation: String, target: String, fingerprint: String, state: State,
        response: String? = nil, intent: String? = nil, leaseOwner: String? = nil, leaseExpiresAt: Int64? = nil,
        attention: String? = nil, createdAt: Int64 = 0, updatedAt: Int64? = nil
    ) {
        self.key = key
        self.operation = operation
        self.target = target
        self.fingerprint = fingerprint
        self.state = state
        self.response = response
        self.intent = intent
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.attention = attention
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}
