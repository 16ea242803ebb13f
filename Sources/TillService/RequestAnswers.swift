import TillCore
import TillProcessor
import TillStore

/// What the till that called the processor (or looked up) does with the answer: the lifecycle
/// table's `in_flight` row, each move a compare-and-set on this till's lease.
extension TillService {
    /// Records a processor answer for an intent, as the table says for the holder.
    func settle(_ intent: Intent, key: String, outcome: ProcessorOutcome) async -> ProcessorRun {
        var intent = intent
        switch RequestLifecycle.transition(from: .inFlight, on: outcome.event).action {
        case .record:
            if case .approved(let reference) = outcome { intent.processorReference = intent.processorReference ?? reference }
            return await finish(intent, key: key)
        case .free:
            return await refuse(intent, key: key, rejection: outcome.isDecline
                ? Rejection(.processorDeclined, "GoblinPay declined: \(outcome.reason).")
                : Rejection(.processorError, "GoblinPay failed (\(outcome.reason)); nothing was charged. Try again."))
        case .giveUp, .call, .replay, .lookUp, .park, .keep, .reject:
            return await markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending,
                "GoblinPay did not answer (\(outcome.reason)). Till resolves the outcome with GoblinPay; to retry, use the same key: \(key)."
            ).retrying(intent.retryHint(key: key)))
        }
    }

    /// A refused processor call: the key is freed; a refused capture or refund stays in the
    /// payment's history as a failed attempt.
    func refuse(_ intent: Intent, key: String, rejection: Rejection) async -> ProcessorRun {
        let failedKind: PaymentEvent.Kind? = switch intent.kind {
        case .capture: .captureFailed
        case .refund, .orderRefund: .refundFailed
        default: nil
        }
        let owner = self.owner.id
        let result = await write { ledger, now in
            // Declined or failed: nothing of this attempt was applied, and GoblinPay takes the same
            // processor keys again, so the next try keeps them (a late call of this attempt and
            // the retry can then never both apply).
            try ledger.release(key: key, owner: owner, countsAttempt: false)
            if let failedKind, let money = intent.money, let stored = try ledger.payment(id: intent.paymentId) {
                let event = PaymentEvent(kind: failedKind, amount: money, at: stored.payment.eventTime(at: now))
                if case .success(let next) = stored.payment.applying(event) {
                    try ledger.append(next.events[next.events.count - 1], to: next)
                }
            }
        }
        if case .failure(let storage) = result { return .refused(storage) }
        return .refused(rejection)
    }

    /// Frees the key of a request the processor never applied (or whose hold was released);
    /// `countsAttempt` when this attempt is over for good (see `Ledger.release`).
    func forget(_ intent: Intent, key: String, countsAttempt: Bool, rejection: Rejection) async -> ProcessorRun {
        let owner = self.owner.id
        let result = await write { ledger, _ in try ledger.release(key: key, owner: owner, countsAttempt: countsAttempt) }
        if case .failure(let storage) = result { return .refused(storage) }
        return .refused(rejection)
    }

    /// Gives up the lease on a request whose outcome is not known: any till may resolve it.
    func markUnknown(_ intent: Intent, key: String, rejection: Rejection) async -> ProcessorRun {
        let owner = self.owner.id
        if let text = try? Self.encode(intent) {
            _ = await write { ledger, now in try ledger.markOutcomeUnknown(key: key, owner: owner, intent: text, at: now) }
        }
        return .pending(rejection)
    }

    /// Parks a request an operator must look at (by default: one the processor applied but the
    /// ledger would not record), with the reason: this till's own request, or one whose row was
    /// freed meanwhile (a lookup raced the call), parked afresh, never lost.
    func park(_ intent: Intent, key: String, reason: String, rejection: Rejection? = nil) async -> ProcessorRun {
        let owner = self.owner.id
        if let text = try? Self.encode(intent) {
            _ = await write { ledger, now in
                let stored = try ledger.request(key: key)
                let stage = Self.stage(of: stored, at: now, holder: owner)
                guard RequestLifecycle.transition(from: stage, on: .unrecordable).action == .park else { return }
                if stage == .inFlight {
                    try ledger.markNeedsAttention(key: key, owner: owner, intent: text, reason: reason, at: now)
                } else if let identity = intent.request {
                    try ledger.insert(RequestRecord(
                        key: key, operation: identity.operation, target: identity.target, fingerprint: identity.fingerprint,
                        state: .needsAttention, intent: text, attention: reason), at: now)
                }
            }
        }
        return .pending(rejection ?? Rejection(
            .paymentPending,
            "GoblinPay applied the request but Till could not record it (\(reason)); it needs attention: see `till pending`."
        ).retrying(intent.retryHint(key: key)))
    }

    /// An intent that cannot be carried out (it lost data it needs): nothing was sent.
    func abandon(_ intent: Intent, key: String) async -> ProcessorRun {
        await forget(intent, key: key, countsAttempt: false, rejection: Rejection(
            .invalidRequest, "The request could not be carried out; nothing was charged."))
    }

    static func heldElsewhere(_ intent: Intent, key: String) -> Rejection {
        Rejection(.paymentPending, "Another till took this request over; it resolves it with GoblinPay.")
            .retrying(intent.retryHint(key: key))
    }


    /// Records what the processor applied, and completes the request with its response. The
    /// money moved, so it is never forgotten: recorded by whichever till hears the answer while
    /// the request is open under this attempt, or even after its row was freed (a lookup raced
    /// the call); if the ledger refuses to record it, the request is parked as needing
    /// attention with the reason (`till pending`); a transient storage error leaves it unknown.
    func finish(_ intent: Intent, key: String) async -> ProcessorRun {
        let holdWindow = self.holdWindow, clock = self.clock, owner = self.owner.id
        do {
            // Recorded as the operator who asked, whichever till hears the answer.
            let operatorName = intent.operatorName.flatMap(OperatorName.restore) ?? self.operatorName
            await LineTurn.untilEarlierLinesFinished()
            let response = try await database.write(as: operatorName) { ledger -> String in
                let now = clock()
                let stored = try ledger.request(key: key)
                switch RequestLifecycle.transition(from: Self.stage(of: stored, at: now, holder: owner), on: .applied).action {
                case .replay:
                    // Another till recorded this request first; a different request completed
                    // under the key since cannot stand for this answer.
                    guard let stored, let response = stored.response else {
                        throw RequestRecordConflict(key: key, expected: "attempt \(intent.id)")
                    }
                    guard intent.request.map({ $0.fingerprint == stored.fingerprint }) ?? true else {
                        throw RequestRecordConflict(key: key, expected: "request \(intent.id)")
                    }
                    return response
                case .record:
                    if let stored {
                        guard Self.intent(of: stored)?.id == intent.id else {
                            throw RequestRecordConflict(key: key, expected: "attempt \(intent.id)")
                        }
                        let response = try Self.record(intent, ledger: ledger, now: now, holdWindow: holdWindow)
                        try ledger.complete(stored, response: response, at: now)
                        return response
                    }
                    guard let identity = intent.request else { throw RequestRecordConflict(key: key, expected: "open") }
                    let response = try Self.record(intent, ledger: ledger, now: now, holdWindow: holdWindow)
                    try ledger.insert(RequestRecord(
                        key: key, operation: identity.operation, target: identity.target, fingerprint: identity.fingerprint,
                        state: .completed, response: response), at: now)
                    return response
                case .call, .lookUp, .free, .giveUp, .park, .keep, .reject:
                    // A damaged record: nobody can tell this attempt's answer from another's.
                    throw RequestRecordConflict(key: key, expected: "attempt \(intent.id)")
                }
            }
            return .completed(response)
        } catch let conflict as RequestRecordConflict {
            return .pending(Rejection(
                .paymentPending, "GoblinPay applied it, but the request moved on meanwhile (\(conflict)); see `till pending`."
            ).retrying(intent.retryHint(key: key)))
        } catch where StorageFailure.isTransient(error) {
            return await markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending, "GoblinPay applied it; the ledger was busy (\(StorageFailure.describe(error))), so it is recorded on the next resolution."
            ).retrying(intent.retryHint(key: key)))
        } catch {
            let reason = (error as? Rejection)?.description ?? Self.storageRejection(error).message
            return await park(intent, key: key, reason: reason)
        }
    }
}
