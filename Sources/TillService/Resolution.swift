import TillCore
import TillProcessor
import TillStore

/// What a pass over open requests did.
public struct ResolutionSummary: Sendable, Equatable {
    /// Applied at the processor and now recorded.
    public var recorded = 0
    /// Never applied (or released): their keys are free again.
    public var released = 0
    /// Still unknown, or held by a live process.
    public var open = 0
}

extension TillService {
    /// Resolves every request left open with an unknown outcome, or by a process that is gone,
    /// by asking the processor what became of each of its keys. Runs on every start.
    public func resolveOpenRequests() async -> ResolutionSummary {
        var summary = ResolutionSummary()
        guard case .success(let requests) = await read({ ledger, _ in try ledger.openRequests() }) else { return summary }
        let owner = self.owner
        for request in requests {
            guard owner.mayResolve(request) else {
                summary.open += 1
                continue
            }
            let claimed = await write { ledger, _ -> Intent? in
                // Another process may have claimed or finished it since the read.
                guard let current = try ledger.request(key: request.key), owner.mayResolve(current),
                      let text = current.intent, let intent = try? Self.decode(Intent.self, text)
                else { return nil }
                try ledger.claim(key: request.key, pid: owner.pid, startedAt: owner.startedAt)
                return intent
            }
            guard case .success(let intent?) = claimed else {
                summary.open += 1
                continue
            }
            switch await resume(intent, key: request.key) {
            case .completed: summary.recorded += 1
            case .notApplied, .refused: summary.released += 1
            case .pending: summary.open += 1
            }
        }
        return summary
    }

    /// Finishes an intent whose outcome was not heard, by looking its keys up at the processor.
    /// Whatever was applied is recorded. A card installment whose authorization went through
    /// goes on to its capture (the customer handed the card over for it, and its amount is
    /// still reserved on the order); one whose capture failed is released (voided) instead.
    func resume(_ intent: Intent, key: String) async -> ProcessorRun {
        var intent = intent
        switch intent.kind {
        case .authorize, .capture, .refund, .void, .orderRefund:
            let step = intent.kind == .orderRefund ? "refund" : intent.kind.rawValue
            switch await processor.lookup(key: intent.processorKey(step)) {
            case .applied(let reference):
                intent.processorReference = intent.processorReference ?? reference
                return await finish(intent, key: key)
            case .notApplied:
                _ = await forget(key: key, rejection: Rejection(.processorError))
                return .notApplied
            }
        case .orderCard:
            guard case .applied(let reference) = await processor.lookup(key: intent.processorKey("authorize")) else {
                _ = await forget(key: key, rejection: Rejection(.processorError))
                return .notApplied
            }
            intent.processorReference = reference
            if case .applied = await processor.lookup(key: intent.processorKey("capture")) {
                return await finish(intent, key: key)
            }
            if intent.releasing != true {
                return await captureInstallment(intent, key: key)
            }
            if case .applied = await processor.lookup(key: intent.processorKey("void")) {
                _ = await forget(key: key, rejection: Rejection(.processorError))
                return .notApplied
            }
            let released = await release(intent, key: key, because: Rejection(
                .processorError, "The installment was authorized but never captured; the authorization was released."))
            if case .refused = released { return .notApplied }
            return released
        }
    }
}
