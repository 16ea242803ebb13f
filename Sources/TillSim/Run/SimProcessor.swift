import Synchronization
import TillCore
import TillProcessor

/// The one GoblinPay of a run, as every service instance reaches it: a transparent pass-through
/// that counts the calls and their answers for the report. It decides nothing.
final class SimProcessor: PaymentProcessor {
    let goblin: GoblinPay
    private let counts = Mutex([String: Int]())
    /// The calls since the simulator last took them, for its trace.
    private let calls = Mutex([String]())

    init(goblin: GoblinPay) { self.goblin = goblin }

    var callCounts: [String: Int] { counts.withLock { $0 } }

    /// The calls made since the last time, oldest first.
    func takeCalls() -> [String] {
        calls.withLock { taken in
            defer { taken.removeAll() }
            return taken
        }
    }

    private func count(_ call: String, _ key: String, _ amount: Money?, _ outcome: ProcessorOutcome) -> ProcessorOutcome {
        let answer: String, detail: String
        switch outcome {
        case .approved: (answer, detail) = ("approved", "")
        case .declined(let reason): (answer, detail) = ("declined", " (\(reason))")
        case .failed(let reason): (answer, detail) = ("failed", " (\(reason))")
        case .unknown(let reason): (answer, detail) = ("unknown", " (\(reason))")
        }
        counts.withLock { $0["\(call).\(answer)", default: 0] += 1 }
        calls.withLock { $0.append("gp \(call) \(key)\(amount.map { " \($0.minorUnits)" } ?? "") -> \(answer)\(detail)") }
        return outcome
    }

    func authorize(key: String, card: CardCredentials, amount: Money) async -> ProcessorOutcome {
        count("authorize", key, amount, await goblin.authorize(key: key, card: card, amount: amount))
    }

    func capture(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        count("capture", key, amount, await goblin.capture(key: key, authorization: authorization, amount: amount))
    }

    func refund(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        count("refund", key, amount, await goblin.refund(key: key, authorization: authorization, amount: amount))
    }

    func void(key: String, authorization: String) async -> ProcessorOutcome {
        count("void", key, nil, await goblin.void(key: key, authorization: authorization))
    }

    func release(key: String, authorization: String) async -> ProcessorOutcome {
        count("release", key, nil, await goblin.release(key: key, authorization: authorization))
    }

    func lookup(key: String) async -> ProcessorLookup {
        let answer = await goblin.lookup(key: key)
        let name = switch answer {
        case .applied: "applied"
        case .notApplied: "not_applied"
        case .unknown: "unknown"
        }
        counts.withLock { $0["lookup.\(name)", default: 0] += 1 }
        calls.withLock { $0.append("gp lookup \(key) -> \(name)") }
        return answer
    }
}
