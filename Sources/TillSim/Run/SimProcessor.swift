import Synchronization
import TillCore
import TillProcessor

/// The one GoblinPay of a run, as every service instance reaches it: a pass-through that counts
/// the calls and their answers for the report, and with `--network` the wire between the till
/// and GoblinPay's service (`wire`). It decides nothing GoblinPay would not.
final class SimProcessor: PaymentProcessor {
    let goblin: GoblinPay
    private let counts = Mutex([String: Int]())
    /// The calls since the simulator last took them, for its trace.
    private let calls = Mutex([String]())
    let wire: SimWire
    var identity: String { goblin.identity }

    /// The key as the simulated network and GoblinPay see it (and the trace prints it): without
    /// the ledger's id, which is random per run. GoblinPay's seeded chance hashes the key, so
    /// with the id a seed would not replay exactly; a run has one ledger, so keys stay unique.
    static func seen(_ key: String) -> String { AppliedEntry.withoutLedgerId(key) }

    init(goblin: GoblinPay, clock: SimClock) {
        self.goblin = goblin
        wire = SimWire(clock: clock)
    }

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
        let key = Self.seen(key)
        return count("authorize", key, amount, await wire.send(key) { [goblin] in await goblin.authorize(key: key, card: card, amount: amount) })
    }

    func capture(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        let key = Self.seen(key)
        return count("capture", key, amount, await wire.send(key) { [goblin] in await goblin.capture(key: key, authorization: authorization, amount: amount) })
    }

    func refund(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        let key = Self.seen(key)
        return count("refund", key, amount, await wire.send(key) { [goblin] in await goblin.refund(key: key, authorization: authorization, amount: amount) })
    }

    func void(key: String, authorization: String) async -> ProcessorOutcome {
        let key = Self.seen(key)
        return count("void", key, nil, await wire.send(key) { [goblin] in await goblin.void(key: key, authorization: authorization) })
    }

    func release(key: String, authorization: String) async -> ProcessorOutcome {
        let key = Self.seen(key)
        return count("release", key, nil, await wire.send(key) { [goblin] in await goblin.release(key: key, authorization: authorization) })
    }

    func lookup(key: String) async -> ProcessorLookup {
        let key = Self.seen(key)
        let answer = wire.calls.isInFlight(key) ? .unknown(reason: "a call under this key is in flight") : await goblin.lookup(key: key)
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

/// The network between the tills and GoblinPay's service, as `--network` simulates it. The next
/// calls may be told one fate each: `slow` (GoblinPay admits it, the till's deadline passes
/// first: unknown to the till, applied when the simulator delivers it) or `late` (it reaches
/// GoblinPay after its deadline: unknown to the till, refused on delivery). GoblinPay's side
/// is the service's own rule, `InFlightCalls`.
final class SimWire: Sendable {
    enum Fate: String, Sendable { case slow, late }

    struct Parked: Sendable {
        let key: String
        let deadline: Int64
        let admitted: Bool
        let apply: @Sendable () async -> ProcessorOutcome
    }

    let calls = InFlightCalls()
    private let clock: SimClock
    private let fates = Mutex<[Fate]>([])
    private let parked = Mutex<[Parked]>([])

    init(clock: SimClock) { self.clock = clock }

    func inject(_ fate: Fate, times: Int) { fates.withLock { $0 += Array(repeating: fate, count: times) } }

    /// No more fates for the calls to come (what is parked still is).
    func clear() { fates.withLock { $0.removeAll() } }

    var parkedCount: Int { parked.withLock { $0.count } }

    /// A call on the wire: straight through, or parked with its fate and answered unknown.
    func send(_ key: String, _ apply: @escaping @Sendable () async -> ProcessorOutcome) async -> ProcessorOutcome {
        guard let fate = fates.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return await apply() }
        let now = clock.milliseconds
        // The till gives up now: that is the call's deadline.
        let admitted = fate == .slow && calls.admit(key: key, deadline: now + 1, now: now)
        parked.withLock { $0.append(Parked(key: key, deadline: now, admitted: admitted, apply: apply)) }
        return .unknown(reason: fate == .slow ? "timed out; still in flight" : "timed out before GoblinPay had it")
    }

    /// Delivers the oldest `count` parked calls (all with nil): an admitted one is applied and
    /// leaves flight; a late one is admitted only before its deadline, which has passed. What
    /// happened to each, for the trace.
    func deliver(_ count: Int? = nil) async -> [String] {
        let taken = parked.withLock { parked -> [Parked] in
            let number = min(count ?? parked.count, parked.count)
            defer { parked.removeFirst(number) }
            return Array(parked.prefix(number))
        }
        var lines: [String] = []
        for call in taken {
            if call.admitted {
                let outcome = await call.apply()
                calls.finish(key: call.key)
                lines.append("wire delivered \(call.key) (in flight) -> \(outcome)")
            } else if calls.admit(key: call.key, deadline: call.deadline, now: clock.milliseconds) {
                let outcome = await call.apply()
                calls.finish(key: call.key)
                lines.append("wire delivered \(call.key) LATE and applied -> \(outcome)")
            } else {
                lines.append("wire refused \(call.key) (past its deadline)")
            }
        }
        return lines
    }
}
