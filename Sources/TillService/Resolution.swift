import TillCore
import TillProcessor
import TillStore

/// What a pass over open requests did.
public struct ResolutionSummary: Sendable, Equatable {
    /// Applied at the processor and now recorded.
    public var recorded = 0
    /// Never applied (or released): their keys are free again.
    public var released = 0
    /// Still unknown, held by another till's lease, or needing attention.
    public var open = 0

    public init() {}
}

extension TillService {
    /// Resolves the open requests this instance may claim (outcome unknown, or their holder's
    /// lease ran out), by asking the processor what became of each of their keys: on every
    /// start, on a retry, from `till pending --resolve` and from the POS's order screen.
    /// `target` limits it to one order's or payment's requests; `includingAttention` also
    /// retries recording the ones parked as needing attention (an operator asked for it).
    public func resolveOpenRequests(target: String? = nil, includingAttention: Bool = false) async -> ResolutionSummary {
        var summary = ResolutionSummary()
        // Keys only: a damaged request row fails its own claim below, not every other one.
        guard case .success(let keys) = await read({ ledger, _ in try ledger.openRequestKeys(target: target) })
        else { return summary }
        let owner = self.owner.id, lease = leaseDuration
        for key in keys {
            let claimed = await write { ledger, now -> Intent? in
                // Another till may have claimed or finished it since the read.
                let current = try ledger.request(key: key)
                let event: RequestEvent = includingAttention ? .sweepAll : .sweep
                guard RequestLifecycle.transition(from: Self.stage(of: current, at: now), on: event).action == .lookUp,
                      let current, let intent = Self.intent(of: current)
                else { return nil }
                try ledger.claim(current, owner: owner, until: now.adding(lease), at: now)
                return intent
            }
            guard case .success(let intent?) = claimed else {
                summary.open += 1
                continue
            }
            switch await resume(intent, key: key) {
            case .completed: summary.recorded += 1
            case .notApplied, .refused: summary.released += 1
            case .pending, .crashed: summary.open += 1
            }
        }
        return summary
    }

    /// Finishes an intent whose outcome was not heard, by looking its keys up at the processor.
    /// Whatever was applied is recorded; a lookup that cannot answer leaves it unknown; only
    /// "not applied" frees the key. A card installment whose authorization went through goes
    /// on to its capture (the customer handed the card over for it, and its amount is still
    /// reserved on the order); one whose capture failed is released (voided) instead.
    func resume(_ intent: Intent, key: String) async -> ProcessorRun {
        var intent = intent
        let unknown = { (reason: String) in
            await self.markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending, "GoblinPay could not say what became of the request (\(reason)); it stays pending.")
                .retrying(intent.retryHint(key: key)))
        }
        // Only the processor the request went to can say what became of it: another one has
        // never heard of its keys, and its "not applied" would free a key whose charge stands.
        let sentTo = intent.processor ?? GoblinPay.inProcessIdentity
        guard sentTo == processor.identity else {
            return await unknown("it was sent to \(sentTo), and this till reaches \(processor.identity)")
        }
        // The request's own lookup, decided by the table for its holder; an installment's
        // capture and release are its later steps, still in flight.
        let lookup = await processor.lookup(key: intent.processorKey(intent.kind.processorStep))
        switch RequestLifecycle.transition(from: .inFlight, on: lookup.event).action {
        case .free:
            _ = await forget(intent, key: key, countsAttempt: false, rejection: Rejection(.processorError))
            return .notApplied
        case .record:
            if case .applied(let reference) = lookup { intent.processorReference = intent.processorReference ?? reference }
            guard intent.kind == .orderCard else { return await finish(intent, key: key) }
        case .giveUp, .call, .replay, .lookUp, .park, .keep, .reject:
            return await unknown(lookup.reason)
        }
        // An installment that was authorized: captured, to capture, or being released.
        switch await processor.lookup(key: intent.processorKey("capture")) {
        case .applied: return await finish(intent, key: key)
        case .unknown(let reason): return await unknown(reason)
        case .notApplied: break
        }
        if intent.releasing != true {
            return await captureInstallment(intent, key: key)
        }
        switch await processor.lookup(key: intent.processorKey("void")) {
        case .applied:
            _ = await forget(intent, key: key, countsAttempt: true, rejection: Rejection(.processorError))
            return .notApplied
        case .unknown(let reason): return await unknown(reason)
        case .notApplied: break
        }
        let released = await release(intent, key: key, because: Rejection(
            .processorError, "The installment was authorized but never captured; the authorization was released."))
        if case .refused = released { return .notApplied }
        return released
    }
}
