public import TillCore

/// The remote card processor as Till sees it. Every call carries a processor key that the
/// caller keeps stable across retries: the processor applies a key at most once, so asking
/// again (or looking the key up) can never charge twice.
public protocol PaymentProcessor: Sendable {
    /// Places a hold for `amount` on the card. The reference in `.approved` names the
    /// authorization in later calls.
    func authorize(key: String, card: CardCredentials, amount: Money) async -> ProcessorOutcome
    /// Takes `amount` of an authorization (several partial captures are allowed).
    func capture(key: String, authorization: String, amount: Money) async -> ProcessorOutcome
    /// Gives back `amount` of what was captured.
    func refund(key: String, authorization: String, amount: Money) async -> ProcessorOutcome
    /// Releases an authorization that was never captured.
    func void(key: String, authorization: String) async -> ProcessorOutcome
    /// Releases the uncaptured rest of a partly captured authorization: nothing more can be
    /// captured afterwards; refunds of what was captured still can be made.
    func release(key: String, authorization: String) async -> ProcessorOutcome
    /// What became of a key whose outcome the caller did not learn (a timeout, a lost response).
    func lookup(key: String) async -> ProcessorLookup
    /// Which processor this is, as recorded with every request sent to it: a request is only
    /// ever resolved by asking the processor it went to.
    var identity: String { get }
}

/// The answer to one processor call.
public enum ProcessorOutcome: Hashable, Sendable {
    /// Applied. `reference` is the processor's id for the authorization (the same one for
    /// captures, refunds and voids of it).
    case approved(reference: String)
    /// Refused by the issuer or the processor; nothing was applied.
    case declined(reason: String)
    /// The processor failed before applying anything (the request may be retried).
    case failed(reason: String)
    /// No answer: the call may or may not have been applied. Resolve with `lookup(key:)`.
    case unknown(reason: String)
}

/// What the processor knows of a key.
public enum ProcessorLookup: Hashable, Sendable {
    /// The operation was applied; same reference as `.approved` would have carried.
    case applied(reference: String)
    /// Nothing was applied under this key (never seen, declined, or failed before applying).
    /// Only this answer frees a request's key.
    case notApplied
    /// The processor could not say (a timeout, its ledger unreadable): the request stays unknown.
    case unknown(reason: String)
}

/// The card as typed, held only in memory on its way to the processor. Its description is
/// redacted, so printing or logging one can never leak the number or the security code.
public struct CardCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The card number's digits (no spaces), already checked by `CardNumber.digits(of:)`.
    public let number: String
    public let expiry: CardExpiry
    public let cvv: String

    public init(number: String, expiry: CardExpiry, cvv: String) {
        self.number = number
        self.expiry = expiry
        self.cvv = cvv
    }

    public var description: String { "card …\(number.suffix(4))" }
    public var debugDescription: String { description }
}
