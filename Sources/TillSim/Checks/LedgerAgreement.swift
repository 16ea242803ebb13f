import Foundation
import TillCore
import TillProcessor
import TillStore

/// One applied GoblinPay operation, with the Till request it came from: processor keys, as the
/// simulated GoblinPay sees them (`SimProcessor.seen`), are "<client key>#<attempt>:<step>".
struct AppliedEntry: Sendable {
    let entry: GoblinPayLedgerEntry
    let clientKey: String
    let attempt: String

    init(_ entry: GoblinPayLedgerEntry) {
        self.entry = entry
        let beforeStep = entry.key.lastIndex(of: ":").map { String(entry.key[..<$0]) } ?? entry.key
        if let hash = beforeStep.lastIndex(of: "#") {
            clientKey = String(beforeStep[..<hash])
            attempt = String(beforeStep[beforeStep.index(after: hash)...])
        } else {
            clientKey = beforeStep
            attempt = "?"
        }
    }

    var processorKey: String { entry.key }

    /// A processor key or intent id without its leading "<ledger id>/" (32 hex digits): what the
    /// simulated GoblinPay sees, and what an intent's id is matched against.
    static func withoutLedgerId(_ key: String) -> String {
        guard let slash = key.firstIndex(of: "/"), key.distance(from: key.startIndex, to: slash) == 32,
              key[..<slash].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return key }
        return String(key[key.index(after: slash)...])
    }
    var step: GoblinPayOperation { entry.operation }
    var reference: String { entry.reference }
    var amount: Int64 { entry.amount.minorUnits }
}

/// What GoblinPay holds for one authorization, accumulated from its ledger.
struct AuthorizationState: Sendable {
    var currency: String
    var authorized: Int64 = 0
    var captured: Int64 = 0
    var refunded: Int64 = 0
    var voided: Int64 = 0
    var released: Int64 = 0
    var entries: [AppliedEntry] = []

    mutating func add(_ applied: AppliedEntry) {
        switch applied.step {
        case .authorize: authorized += applied.amount
        case .capture: captured += applied.amount
        case .refund: refunded += applied.amount
        case .void: voided += applied.amount
        case .release: released += applied.amount
        }
        entries.append(applied)
    }
}

/// How Till stands towards one attempt (client key + attempt number) GoblinPay applied.
enum AttemptStanding: Equatable {
    /// The request completed under this attempt: what it applied is in Till's ledger.
    case recorded
    /// The request is open under this attempt (in progress, outcome unknown, needs attention).
    case open(String)
    /// The key was freed (refused or not applied), or a later attempt runs under it.
    case released
}

/// Invariants 1, 2, 4 and 11: what GoblinPay applied and what Till recorded agree, attempt by
/// attempt, and neither side's figures break the gateway's rules.
extension SimChecker {
    /// A Till payment must stand on a GoblinPay authorization (never a phantom).
    mutating func checkTillPayment(id: String, ledger: LedgerInspection.Snapshot, dirty: inout Set<String>) throws -> SimViolation? {
        guard let reference = try ledger.payment(id: id)?.processorRef else {
            return nil  // events of a payment that has no row would break invariant 4 below
        }
        count(.ledgersAgree)
        guard authorizations[reference] != nil else {
            return SimViolation(
                invariant: .ledgersAgree,
                detail: "Till payment \(id) names GoblinPay authorization \(reference), which GoblinPay never applied")
        }
        dirty.insert(reference)
        return nil
    }

    /// How Till stands towards an attempt GoblinPay applied.
    static func standing(clientKey: String, attempt: String, ledger: LedgerInspection.Snapshot) throws -> AttemptStanding {
        guard let request = try ledger.request(key: clientKey) else { return .released }
        if request.state == "completed" {
            return String(try ledger.processorAttempts(key: clientKey)) == attempt ? .recorded : .released
        }
        if let intent = request.intent, let id = intentId(intent), AppliedEntry.withoutLedgerId(id) == "\(clientKey)#\(attempt)" {
            return .open(request.state)
        }
        return .released
    }

    /// The `id` of a stored intent (JSON), without the service's private types.
    static func intentId(_ intent: String) -> String? {
        struct Head: Decodable { let id: String }
        return try? JSONDecoder().decode(Head.self, from: Data(intent.utf8)).id
    }

    /// What GoblinPay holds for `reference` equals what Till recorded for it; whatever Till did
    /// not record is explained by a request still open on it, or is a released installment
    /// (authorization + its void under one attempt). Anything else is a lost charge.
    mutating func checkAuthorization(_ reference: String, ledger: LedgerInspection.Snapshot, strict: Bool) throws -> SimViolation? {
        guard let state = authorizations[reference] else { return nil }
        count(.ledgersAgree)
        count(.amounts)
        count(.released)
        func violation(_ invariant: Invariant, _ detail: String) -> SimViolation {
            SimViolation(invariant: invariant, detail: "authorization \(reference): \(detail)")
        }
        if state.captured > state.authorized || state.refunded > state.captured {
            return violation(.amounts, "GoblinPay holds authorized \(state.authorized), captured \(state.captured), refunded \(state.refunded)")
        }
        var recorded = (authorize: false, captured: Int64(0), refunded: Int64(0), voided: false, released: Int64(0))
        var attempts: [String: [AppliedEntry]] = [:]
        var order: [String] = []
        for entry in state.entries {
            let id = entry.clientKey + "#" + entry.attempt
            if attempts[id] == nil { order.append(id) }
            attempts[id, default: []].append(entry)
        }
        for id in order {
            guard let entries = attempts[id], let first = entries.first else { continue }
            let steps = entries.map(\.step.rawValue).joined(separator: "+")
            switch try Self.standing(clientKey: first.clientKey, attempt: first.attempt, ledger: ledger) {
            case .recorded:
                for entry in entries {
                    switch entry.step {
                    case .authorize: recorded.authorize = true
                    case .capture: recorded.captured += entry.amount
                    case .refund: recorded.refunded += entry.amount
                    case .void: recorded.voided = true
                    case .release: recorded.released += entry.amount
                    }
                }
            case .open(let requestState):
                if strict {
                    return violation(.resolves, "attempt \(id) (\(steps)) is still \(requestState) after resolution with faults off")
                }
            case .released:
                let kinds = Set(entries.map(\.step))
                if kinds == [.authorize, .void] { continue }  // a released installment
                if kinds == [.authorize] {
                    // A hold Till forgot: nothing was charged, but the customer's money stays
                    // held until the authorization expires, and a retry would place another.
                    return violation(
                        .ledgersAgree,
                        "LEAKED HOLD: attempt \(id) authorized \(state.authorized) at GoblinPay, but Till freed the key without capturing or voiding it")
                }
                let amounts = entries.map { "\($0.step.rawValue) \($0.amount)" }.joined(separator: ", ")
                return violation(
                    .ledgersAgree,
                    "LOST: GoblinPay applied \(amounts) under attempt \(id), but Till freed that attempt (nothing recorded, nothing pending)")
            }
        }
        guard let payment = try ledger.payment(processorRef: reference) else {
            if recorded.authorize {
                return violation(.ledgersAgree, "the authorizing request completed, but Till has no payment for it")
            }
            if recorded.captured > 0 || recorded.refunded > 0 || recorded.voided || recorded.released > 0 {
                return violation(.ledgersAgree, "completed requests captured/refunded/voided it, but Till has no payment for it")
            }
            return nil
        }
        let id = payment.id
        // Till's figures as Till itself reads them: folded from the payment's events (in order:
        // a capture recorded after the release is a violation of its own).
        let events = try ledger.paymentEventTotals(paymentId: id)
        let (authorized, captured, refunded, voided, released) = (events.authorized, events.captured, events.refunded, events.voided, events.released)
        // The `payments` columns are a read model of the same events: they must agree.
        if (payment.captured, payment.refunded, payment.voided) != (captured, refunded, voided) {
            return violation(
                .amounts,
                "Till payment \(id): columns captured \(payment.captured), refunded \(payment.refunded), voided \(payment.voided) differ from its events (\(captured), \(refunded), \(voided))")
        }
        if captured > authorized || refunded > captured || (released > 0 && captured + released != authorized) {
            return violation(
                .amounts,
                "Till payment \(id) has authorized \(authorized), captured \(captured), refunded \(refunded), released \(released)")
        }
        if events.capturedAfterRelease || (state.released > 0 && state.captured + state.released != state.authorized) {
            return violation(
                .released,
                "payment \(id): captured after its rest was released (Till), or GoblinPay holds captured \(state.captured) + released \(state.released) != authorized \(state.authorized)")
        }
        guard recorded.authorize else {
            return violation(.ledgersAgree, "Till payment \(id) exists, but the request that authorized it is not recorded as completed")
        }
        if authorized != state.authorized || captured != recorded.captured || refunded != recorded.refunded || voided != recorded.voided
            || released != recorded.released {
            return violation(
                .ledgersAgree,
                "Till payment \(id) records authorized \(authorized), captured \(captured), refunded \(refunded), voided \(voided), released \(released); "
                    + "GoblinPay holds authorized \(state.authorized), captured \(state.captured), refunded \(state.refunded), voided \(state.voided), released \(state.released), "
                    + "of which completed requests applied captured \(recorded.captured), refunded \(recorded.refunded), voided \(recorded.voided), released \(recorded.released)")
        }
        return nil
    }

    /// A client key's applied attempts per step: at most one (an authorization voided by its own
    /// attempt, a released installment, does not count).
    mutating func checkOneEffect(clientKey: String) -> SimViolation? {
        guard let entries = entriesByClientKey[clientKey] else { return nil }
        count(.oneEffectPerKey)
        var attemptsByStep: [GoblinPayOperation: [String]] = [:]
        // An attempt that authorized and voided its own authorization (a released installment)
        // left nothing behind: it does not count.
        let voided = Set(entries.filter { $0.step == .void }.map(\.attempt))
        let released = Set(entries.filter { $0.step == .authorize && voided.contains($0.attempt) }.map(\.attempt))
        for entry in entries {
            if released.contains(entry.attempt), entry.step == .authorize || entry.step == .void { continue }
            if !(attemptsByStep[entry.step]?.contains(entry.attempt) ?? false) {
                attemptsByStep[entry.step, default: []].append(entry.attempt)
            }
        }
        for step in GoblinPayOperation.allCases {
            if let attempts = attemptsByStep[step], attempts.count > 1 {
                let keys = entries.filter { $0.step == step }.map { "\($0.processorKey) \($0.amount)" }.joined(separator: ", ")
                return SimViolation(
                    invariant: .oneEffectPerKey,
                    detail: "client key \(clientKey) has \(step.rawValue) applied under attempts \(attempts.joined(separator: ", ")): \(keys)")
            }
        }
        return nil
    }
}
