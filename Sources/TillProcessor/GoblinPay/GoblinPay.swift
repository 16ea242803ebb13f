public import TillCore
import Synchronization

/// The payment processor simulator: the one remote party, in-process, with its own ledger of
/// what it authorized, captured, refunded and voided per processor key.
///
/// Like a real processor it enforces its own rules whatever the caller checked: capture up to
/// authorized - captured, never after a void, a refund or a release; refund up to captured -
/// refunded; void only before any capture; release only of an uncaptured rest after a capture. A call that breaks them is `.declined` and applies nothing.
///
/// Each processor key is applied at most once. Calling again with an applied key answers
/// `.approved` with the same reference and applies nothing (with a different operation,
/// authorization, amount or card it is `.declined`: the key is taken). A key that was declined
/// or failed was not applied and may be sent again. `lookup(key:)` tells which.
///
/// Chance is seeded and hashed, never drawn: an ordinary card's capture fails (`.failed`,
/// nothing applied) when a hash of the seed, the key and the number of earlier failed
/// attempts under that key falls below `captureFailureRate`. So retrying a failed capture with
/// the same key rolls again and may succeed, and one seed with one history always gives the
/// same outcomes, in any process and any order. Test cards (`GoblinPay.TestCard`) have fixed
/// outcomes and never roll.
///
/// Tests can inject faults per operation (`inject(_:on:times:)`). Faults live in this
/// instance only; the ledger is shared by every instance opened on the same file.
public final class GoblinPay: PaymentProcessor {
    public let configuration: GoblinPayConfiguration
    /// What this GoblinPay applied, for tests and for reconciliation.
    public let ledger: GoblinPayLedger
    let storage: any LedgerStorage
    private let faults = Mutex(FaultQueue())
    /// Acknowledgements tried per payout in this instance: each try rolls its failure anew.
    let acknowledgementAttempts = Mutex<[String: Int]>([:])
    private let lookupFaults = Mutex(0)

    /// A GoblinPay whose ledger lives in memory, as long as this instance.
    public convenience init(configuration: GoblinPayConfiguration = GoblinPayConfiguration()) {
        self.init(storage: MemoryLedgerStorage(), configuration: configuration)
    }

    /// A GoblinPay whose ledger is the SQLite file at `ledgerPath`, created (mode 0600) if
    /// missing. Every instance on the same path, in any process, sees the same ledger and
    /// applies each key at most once between them. Throws `GoblinPayLedgerError`.
    public convenience init(
        ledgerPath: String, configuration: GoblinPayConfiguration = GoblinPayConfiguration()
    ) throws {
        self.init(storage: try SQLiteLedgerStorage(path: ledgerPath), configuration: configuration)
    }

    init(storage: any LedgerStorage, configuration: GoblinPayConfiguration) {
        self.storage = storage
        self.configuration = configuration
        self.ledger = GoblinPayLedger(storage: storage)
    }

    /// GoblinPay in the till's own process (its ledger beside the till's, or in memory).
    public static let inProcessIdentity = "GoblinPay in-process"
    public var identity: String { Self.inProcessIdentity }

    // MARK: Faults

    /// Queues `fault` for the next `times` calls of `operation` on this instance (after any
    /// faults already waiting for it). Each call takes at most one fault, oldest first.
    public func inject(_ fault: GoblinPayFault, on operation: GoblinPayOperation, times: Int = 1) {
        faults.withLock { $0.add(fault, on: operation, times: times) }
    }

    /// How many injected faults are still waiting for `operation`.
    public func pendingFaults(on operation: GoblinPayOperation) -> Int {
        faults.withLock { $0.count(for: operation) }
    }

    /// The next `times` lookups answer `.unknown` (as a lookup that timed out would).
    public func injectUnknownLookups(times: Int = 1) {
        lookupFaults.withLock { $0 += max(0, times) }
    }

    /// Drops every fault still waiting.
    public func removeAllFaults() {
        faults.withLock { $0.removeAll() }
        lookupFaults.withLock { $0 = 0 }
    }

    // MARK: PaymentProcessor

    /// Authorizes `amount` on the card. The ledger keeps the card's brand and last four digits,
    /// never its number or security code.
    public func authorize(key: String, card: CardCredentials, amount: Money) async -> ProcessorOutcome {
        let onFile: CardOnFile?
        switch CardNumber.digits(of: card.number) {
        case .success(let digits):
            onFile = CardOnFile(
                brand: CardBrand.detect(digits: digits), last4: String(digits.suffix(4)),
                profile: CardProfile(digits: digits))
        case .failure:
            onFile = nil
        }
        let request = LedgerRequest(
            key: key, operation: .authorize, authorization: nil, amount: amount, card: onFile)
        return await perform(request, losesFirstAnswer: onFile?.profile == .lostResponse)
    }

    public func capture(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        await perform(LedgerRequest(
            key: key, operation: .capture, authorization: authorization, amount: amount, card: nil))
    }

    public func refund(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        await perform(LedgerRequest(
            key: key, operation: .refund, authorization: authorization, amount: amount, card: nil))
    }

    /// Releases the whole authorization; the ledger records the authorized amount as voided.
    public func void(key: String, authorization: String) async -> ProcessorOutcome {
        await perform(LedgerRequest(
            key: key, operation: .void, authorization: authorization, amount: nil, card: nil))
    }

    /// Releases the uncaptured rest after a partial capture; the ledger records the rest.
    public func release(key: String, authorization: String) async -> ProcessorOutcome {
        await perform(LedgerRequest(
            key: key, operation: .release, authorization: authorization, amount: nil, card: nil))
    }

    /// `.applied` with the authorization's reference when the key was applied, `.notApplied`
    /// when it was not, `.unknown` when the ledger cannot be read (or an injected fault says so):
    /// never a guess that could free a key whose charge went through.
    public func lookup(key: String) async -> ProcessorLookup {
        let faulted = lookupFaults.withLock { waiting -> Bool in
            guard waiting > 0 else { return false }
            waiting -= 1
            return true
        }
        if faulted { return .unknown(reason: GoblinPayReason.unreachable) }
        do {
            let reference = try await storage.read { try $0.entry(key: key)?.reference }
            return reference.map { .applied(reference: $0) } ?? .notApplied
        } catch {
            return .unknown(reason: "GoblinPay could not read its ledger")
        }
    }

    /// Runs one call: its injected fault, then the ledger's one transaction, then the answer.
    private func perform(_ original: LedgerRequest, losesFirstAnswer: Bool = false) async -> ProcessorOutcome {
        var request = original
        var answerIsLost = false
        switch faults.withLock({ $0.next(for: request.operation) }) {
        case nil:
            break
        case .latency(let duration):
            // A cancelled wait ends early and the call goes on, as a sent request would.
            try? await Task.sleep(for: duration)
        case .errorBeforeApplying:
            return .failed(reason: GoblinPayReason.unreachable)
        case .errorAfterApplying:
            answerIsLost = true
        case .decline(let reason):
            request.forcedDecline = reason
        }
        let decision: LedgerDecision
        do {
            let configuration = configuration
            let sent = request
            decision = try await storage.write { try $0.apply(sent, configuration: configuration) }
        } catch {
            // The transaction rolled back: nothing was applied.
            let code = SQLiteLedgerStorage.sqliteCode(error).map { " (SQLite error \($0))" } ?? ""
            return .failed(reason: "GoblinPay ledger error\(code); nothing applied")
        }
        if answerIsLost { return .unknown(reason: GoblinPayReason.lostResponse) }
        switch decision {
        case .applied(let reference, let firstTime):
            return firstTime && losesFirstAnswer
                ? .unknown(reason: GoblinPayReason.lostResponse)
                : .approved(reference: reference)
        case .declined(let reason):
            return .declined(reason: reason)
        case .failed(let reason):
            return .failed(reason: reason)
        }
    }
}
