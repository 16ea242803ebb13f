public import TillCore

/// GoblinPay's own record of what it applied, one entry per processor key, so a test can
/// prove that nothing was charged twice. Read-only: only GoblinPay's calls write to it.
public struct GoblinPayLedger: Sendable {
    let storage: any LedgerStorage

    /// Every applied operation, in the order applied.
    public func entries() async throws -> [GoblinPayLedgerEntry] {
        try await storage.read { try $0.allEntries() }
    }

    /// The operations applied to one authorization (itself first), in the order applied.
    public func entries(reference: String) async throws -> [GoblinPayLedgerEntry] {
        try await storage.read { try $0.entries(reference: reference) }
    }

    /// Totals of one authorization, or nil when no authorization has that reference.
    public func summary(reference: String) async throws -> GoblinPayAuthorizationSummary? {
        try await storage.read { try GoblinPayAuthorizationSummary(entries: $0.entries(reference: reference)) }
    }

    /// How many times the key was applied: 0 or 1, always (the ledger refuses a second).
    public func timesApplied(key: String) async throws -> Int {
        try await storage.read { try $0.timesApplied(key: key) }
    }

    /// How many calls under the key failed before applying (simulated processor failures;
    /// injected `errorBeforeApplying` faults never reach the ledger and are not counted). The
    /// capture failure roll for a key's next attempt depends on this count.
    public func failedAttempts(key: String) async throws -> Int {
        try await storage.read { try $0.failedAttempts(key: key) }
    }
}

/// One applied operation. The ledger keeps the card's brand and last four digits on an
/// authorization, never the number or the security code.
public struct GoblinPayLedgerEntry: Hashable, Sendable {
    /// Position in the ledger, from 1, increasing in the order applied.
    public let sequence: Int64
    /// The processor key it was applied under (unique in the ledger).
    public let key: String
    public let operation: GoblinPayOperation
    /// The authorization it belongs to (its own reference for an authorization).
    public let reference: String
    /// The amount authorized, captured or refunded; for a void, the authorized amount released;
    /// for a release, the uncaptured rest given up.
    public let amount: Money
    /// Authorizations only.
    public let cardBrand: CardBrand?
    /// Authorizations only: the last four digits.
    public let cardLast4: String?
    /// Authorizations only: how the card behaves at GoblinPay.
    let profile: CardProfile?
}

/// What happened to one authorization, summed from its ledger entries.
public struct GoblinPayAuthorizationSummary: Hashable, Sendable {
    public let reference: String
    public let authorized: Money
    public let captured: Money
    public let refunded: Money
    /// The amount released by a void (the authorized amount), zero when not voided.
    public let voided: Money
    /// The uncaptured rest given up by a release, zero when not released.
    public let released: Money
    let profile: CardProfile

    public var isVoided: Bool { voided.isPositive }
    public var isReleased: Bool { released.isPositive }

    /// Sums the entries of one authorization (its own entry first); nil when there is none.
    /// The ledger's rules keep every sum within the authorized amount, so a sum that overflows
    /// or mixes currencies means the file was altered: that is an error, never a trap.
    init?(entries: [GoblinPayLedgerEntry]) throws {
        guard let authorization = entries.first, authorization.operation == .authorize else {
            guard entries.isEmpty else {
                throw GoblinPayLedgerError("authorization missing for \(entries[0].reference)")
            }
            return nil
        }
        let currency = authorization.amount.currency
        var captured = Money.zero(currency)
        var refunded = Money.zero(currency)
        var voided = Money.zero(currency)
        var released = Money.zero(currency)
        func add(_ amount: Money, to total: inout Money) throws {
            switch total.adding(amount) {
            case .success(let sum): total = sum
            case .failure(let rejection):
                throw GoblinPayLedgerError("inconsistent totals for \(authorization.reference): \(rejection)")
            }
        }
        for entry in entries.dropFirst() {
            switch entry.operation {
            case .authorize: throw GoblinPayLedgerError("two authorizations named \(authorization.reference)")
            case .capture: try add(entry.amount, to: &captured)
            case .refund: try add(entry.amount, to: &refunded)
            case .void: try add(entry.amount, to: &voided)
            case .release: try add(entry.amount, to: &released)
            }
        }
        reference = authorization.reference
        authorized = authorization.amount
        self.captured = captured
        self.refunded = refunded
        self.voided = voided
        self.released = released
        profile = authorization.profile ?? .ordinary
    }
}

/// The ledger could not be opened, read or written; the description says why.
public struct GoblinPayLedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { "GoblinPay ledger: \(message)" }
}
