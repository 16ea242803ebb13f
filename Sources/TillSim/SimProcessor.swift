import Synchronization
import TillCore
import TillProcessor

/// The one GoblinPay of a run, as every service instance reaches it: a transparent pass-through
/// that counts the calls and their answers for the report. It decides nothing.
final class SimProcessor: PaymentProcessor {
    let goblin: GoblinPay
    private let counts = Mutex([String: Int]())

    init(goblin: GoblinPay) { self.goblin = goblin }

    var callCounts: [String: Int] { counts.withLock { $0 } }

    private func count(_ call: String, _ outcome: ProcessorOutcome) -> ProcessorOutcome {
        let answer = switch outcome {
        case .approved: "approved"
        case .declined: "declined"
        case .failed: "failed"
        case .unknown: "unknown"
        }
        counts.withLock { $0["\(call).\(answer)", default: 0] += 1 }
        return outcome
    }

    func authorize(key: String, card: CardCredentials, amount: Money) async -> ProcessorOutcome {
        count("authorize", await goblin.authorize(key: key, card: card, amount: amount))
    }

    func capture(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        count("capture", await goblin.capture(key: key, authorization: authorization, amount: amount))
    }

    func refund(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        count("refund", await goblin.refund(key: key, authorization: authorization, amount: amount))
    }

    func void(key: String, authorization: String) async -> ProcessorOutcome {
        count("void", await goblin.void(key: key, authorization: authorization))
    }

    func lookup(key: String) async -> ProcessorLookup {
        let answer = await goblin.lookup(key: key)
        let name = switch answer {
        case .applied: "applied"
        case .notApplied: "not_applied"
        case .unknown: "unknown"
        }
        counts.withLock { $0["lookup.\(name)", default: 0] += 1 }
        return answer
    }
}
