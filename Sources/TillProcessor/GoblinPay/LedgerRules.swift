import TillCore

/// One call as the ledger sees it: no card number, only what may be kept of the card.
struct LedgerRequest: Sendable {
    let key: String
    let operation: GoblinPayOperation
    /// The authorization's reference; nil for an authorization.
    let authorization: String?
    /// Nil for a void.
    let amount: Money?
    /// Authorizations only; nil when the card number is not valid.
    let card: CardOnFile?
    /// An injected decline, answered unless the key was already applied.
    var forcedDecline: String?
}

/// What GoblinPay keeps of a card: brand, last four, and which test card it is.
struct CardOnFile: Sendable, Hashable {
    let brand: CardBrand
    let last4: String
    let profile: CardProfile
}

/// The ledger's answer to one request.
enum LedgerDecision: Sendable, Hashable {
    /// `firstTime` is false for a replay of a key applied before.
    case applied(reference: String, firstTime: Bool)
    case declined(String)
    case failed(String)
}

/// GoblinPay's answers in words, stable so tests and logs can match them.
enum GoblinPayReason {
    static let cardDeclined = "card declined"
    static let insufficientFunds = "insufficient funds"
    static let invalidCard = "invalid card number"
    static let invalidAmount = "invalid amount"
    static let keyReused = "processor key already used for a different request"
    static let unknownAuthorization = "unknown authorization"
    static let currencyMismatch = "currency mismatch"
    static let alreadyVoided = "authorization voided"
    static let captureAfterRefund = "capture after refund"
    static let exceedsAuthorized = "exceeds authorized amount"
    static let exceedsCaptured = "exceeds captured amount"
    static let voidAfterCapture = "void after capture"
    static let alreadyReleased = "authorization released"
    static let releaseBeforeCapture = "nothing captured to release after"
    static let nothingToRelease = "nothing left to release"
    static let authorizationFailed = "authorization failed at the issuer; nothing applied"
    static let captureFailed = "capture failed at GoblinPay; nothing applied"
    static let refundFailed = "refund failed at GoblinPay; nothing applied"
    static let unreachable = "GoblinPay unreachable; nothing applied"
    static let lostResponse = "GoblinPay's response was lost; look the key up"
}

extension LedgerTransaction {
    /// Applies a request, all in the caller's one transaction, checking in this order:
    /// 1. the key: applied before with the same request answers its reference again (a replay
    ///    never fails because the world moved on); with a different request, declined;
    /// 2. an injected decline;
    /// 3. the request itself: card number, amount > 0, the authorization exists, same currency;
    /// 4. the card's fixed outcome at authorize (declined, insufficient funds, fails);
    /// 5. the authorization's state and amounts, as this table says:
    ///
    ///    | operation | refused when                                                       |
    ///    |-----------|--------------------------------------------------------------------|
    ///    | capture   | voided; released; any refund applied; captured + amount > authorized |
    ///    | refund    | refunded + amount > captured (so nothing after a void)             |
    ///    | void      | voided already; anything captured                                  |
    ///    | release   | voided; released already; nothing captured; nothing uncaptured     |
    ///
    /// 6. failures before applying: the card's fixed failures, then the seeded capture roll
    ///    (ordinary cards only), counted under the key so the next attempt rolls anew;
    /// 7. applied.
    func apply(_ request: LedgerRequest, configuration: GoblinPayConfiguration) throws -> LedgerDecision {
        if let existing = try entry(key: request.key) {
            guard existing.answers(request) else { return .declined(GoblinPayReason.keyReused) }
            return .applied(reference: existing.reference, firstTime: false)
        }
        if let reason = request.forcedDecline { return .declined(reason) }
        switch request.operation {
        case .authorize: return try authorize(request, configuration: configuration)
        case .capture, .refund, .void, .release: return try follow(request, configuration: configuration)
        }
    }

    private func authorize(_ request: LedgerRequest, configuration: GoblinPayConfiguration) throws -> LedgerDecision {
        guard let card = request.card else { return .declined(GoblinPayReason.invalidCard) }
        guard let amount = request.amount, amount.isPositive else { return .declined(GoblinPayReason.invalidAmount) }
        switch card.profile {
        case .declined: return .declined(GoblinPayReason.cardDeclined)
        case .insufficientFunds: return .declined(GoblinPayReason.insufficientFunds)
        case .authorizationFails:
            try recordFailure(key: request.key, operation: .authorize)
            return .failed(GoblinPayReason.authorizationFailed)
        case .ordinary, .approved, .captureFails, .refundFails, .lostResponse: break
        }
        let reference = authorizationReference(seed: configuration.seed, key: request.key)
        guard try entries(reference: reference).isEmpty else {
            throw GoblinPayLedgerError("reference \(reference) already exists")
        }
        try insert(NewLedgerEntry(key: request.key, operation: .authorize, reference: reference, amount: amount, card: card))
        return .applied(reference: reference, firstTime: true)
    }

    /// Capture, refund, void or release of an existing authorization.
    private func follow(_ request: LedgerRequest, configuration: GoblinPayConfiguration) throws -> LedgerDecision {
        guard let reference = request.authorization,
              let state = try GoblinPayAuthorizationSummary(entries: entries(reference: reference))
        else { return .declined(GoblinPayReason.unknownAuthorization) }
        if let amount = request.amount {
            guard amount.isPositive else { return .declined(GoblinPayReason.invalidAmount) }
            guard amount.currency == state.authorized.currency else {
                return .declined(GoblinPayReason.currencyMismatch)
            }
        }
        if let reason = state.refusal(of: request.operation, amount: request.amount) {
            return .declined(reason)
        }
        if let reason = try failureBeforeApplying(request, state: state, configuration: configuration) {
            try recordFailure(key: request.key, operation: request.operation)
            return .failed(reason)
        }
        try insert(NewLedgerEntry(
            key: request.key, operation: request.operation, reference: reference,
            amount: request.amount ?? (request.operation == .release ? state.uncaptured : state.authorized),
            card: nil))
        return .applied(reference: reference, firstTime: true)
    }

    private func failureBeforeApplying(
        _ request: LedgerRequest, state: GoblinPayAuthorizationSummary, configuration: GoblinPayConfiguration
    ) throws -> String? {
        switch (request.operation, state.profile) {
        case (.capture, .captureFails): return GoblinPayReason.captureFailed
        case (.refund, .refundFails): return GoblinPayReason.refundFailed
        case (.capture, let profile) where profile.rollsForCaptureFailure:
            let attempt = try failedAttempts(key: request.key)
            return configuration.captureFailureRate.fails(seed: configuration.seed, key: request.key, attempt: attempt)
                ? GoblinPayReason.captureFailed : nil
        default: return nil
        }
    }
}

extension GoblinPayAuthorizationSummary {
    /// Why `operation` is not allowed on this authorization now, or nil (the table in
    /// `LedgerTransaction.apply`). Amounts are in the authorization's currency.
    func refusal(of operation: GoblinPayOperation, amount: Money?) -> String? {
        switch operation {
        case .authorize:
            return nil
        case .capture:
            if isVoided { return GoblinPayReason.alreadyVoided }
            if isReleased { return GoblinPayReason.alreadyReleased }
            if refunded.isPositive { return GoblinPayReason.captureAfterRefund }
            return fits(amount, on: captured, within: authorized) ? nil : GoblinPayReason.exceedsAuthorized
        case .refund:
            return fits(amount, on: refunded, within: captured) ? nil : GoblinPayReason.exceedsCaptured
        case .void:
            if isVoided { return GoblinPayReason.alreadyVoided }
            return captured.isPositive ? GoblinPayReason.voidAfterCapture : nil
        case .release:
            if isVoided { return GoblinPayReason.alreadyVoided }
            if isReleased { return GoblinPayReason.alreadyReleased }
            if !captured.isPositive { return GoblinPayReason.releaseBeforeCapture }
            return uncaptured.isPositive ? nil : GoblinPayReason.nothingToRelease
        }
    }

    /// What is authorized and neither captured nor released (the sums stay within the
    /// authorized amount by the rules above).
    var uncaptured: Money {
        Money(minorUnits: authorized.minorUnits - captured.minorUnits - released.minorUnits, currency: authorized.currency)
    }

    /// `total + amount <= limit`; an overflowing sum does not fit.
    private func fits(_ amount: Money?, on total: Money, within limit: Money) -> Bool {
        guard let amount, case .success(let sum) = total.adding(amount) else { return false }
        return sum.minorUnits <= limit.minorUnits
    }
}

extension GoblinPayLedgerEntry {
    /// Whether a request repeats this entry: same operation, authorization, amount and card.
    func answers(_ request: LedgerRequest) -> Bool {
        guard operation == request.operation else { return false }
        switch operation {
        case .authorize:
            return request.amount == amount && request.card?.brand == cardBrand && request.card?.last4 == cardLast4
        case .capture, .refund:
            return request.authorization == reference && request.amount == amount
        case .void, .release:
            return request.authorization == reference
        }
    }
}
