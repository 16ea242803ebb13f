import TillCore
import TillProcessor
import TillService

/// What happens while a request waits at one of its named steps (`RequestHooks`): the instance
/// crashes there, another till runs something else meanwhile (the same key again, a resolution,
/// something on the same order or payment, anything, a new instance), the clock moves, and
/// GoblinPay is told to fail.
extension Simulator {
    func hook(instance: Int, step requestStep: RequestStep, key: String) async -> StepAction {
        guard violation == nil, live[instance] != nil else { return .proceed }
        bump(&events, "hook")
        log("hook \(requestStep.rawValue) key=\(key) i\(instance)")
        let roll = random.below(1000)
        if roll < 25 {
            log("CRASH i\(instance) at \(requestStep.rawValue) key=\(key)")
            bump(&events, "crash.\(requestStep.rawValue)")
            drop(instance)
            return .crash
        }
        if roll < 220, depth < 4 {
            await interleave(key: key)
        }
        if random.chance(120), hookAdvance < Self.lease.milliseconds / 2 {
            let advance = min(random.between(50, 15_000), Self.lease.milliseconds / 2 - hookAdvance)
            hookAdvance += advance
            clock.advance(by: advance)
            log("clock +\(advance)ms (in hook)")
        }
        if random.chance(40) { injectFault() }
        return .proceed
    }

    /// Runs something else while a request waits at a step, on another instance.
    private func interleave(key: String) async {
        bump(&events, "interleave")
        switch random.below(6) {
        case 0, 1:
            // The same key again, from another till, while the first still holds it.
            guard let op = issued[key], let other = idleInstance() else { return }
            bump(&events, "interleave.duplicate")
            log("duplicate of \(key)")
            if let answer = await send(op, on: other), answer.ok, live[other] != nil {
                fail(SimViolation(
                    invariant: .duplicate,
                    detail: "key \(key) answered \(answer.replayed ? "replayed" : "executed") on i\(other) while its request was still in flight: \(answer.response)"))
            }
        case 2:
            guard let other = idleInstance(), let service = live[other] else { return }
            bump(&events, "interleave.resolve")
            await resolve(service, number: other, attention: random.chance(300))
        case 3:
            // Something else on the same order or payment.
            guard let op = issued[key], let other = idleInstance() else { return }
            bump(&events, "interleave.same_target")
            if let conflicting = conflicting(with: op) { await send(conflicting, on: other) }
        case 4:
            guard let other = idleInstance(), let op = generate(Action.workload[random.below(Action.workload.count)]) else { return }
            bump(&events, "interleave.other")
            await send(op, on: other)
        default:
            guard liveOrder.count < options.instances + 1 else { return }
            bump(&events, "interleave.start")
            await openInstance(startup: true)
        }
    }

    /// GoblinPay fails the next one to three calls of one operation, one way.
    func injectFault() {
        let operations = GoblinPayOperation.allCases
        let operation = operations[random.below(operations.count)]
        let times = 1 + random.below(3)
        let fault: String
        switch random.below(options.network ? 7 : 5) {
        case 5, 6:
            let fate: SimWire.Fate = random.chance(500) ? .slow : .late
            processor.wire.inject(fate, times: times)
            bump(&faults, "network_\(fate.rawValue)")
            log("fault network \(fate.rawValue) x\(times)")
            return
        case 0:
            goblin.inject(.decline(reason: "sim decline"), on: operation, times: times)
            fault = "decline"
        case 1:
            goblin.inject(.errorBeforeApplying, on: operation, times: times)
            fault = "error_before_applying"
        case 2:
            goblin.inject(.errorAfterApplying, on: operation, times: times)
            fault = "error_after_applying"
        case 3:
            goblin.inject(.latency(.zero), on: operation, times: times)
            fault = "latency"
        default:
            goblin.injectUnknownLookups(times: times)
            bump(&faults, "unknown_lookup")
            log("fault unknown lookups x\(times)")
            return
        }
        bump(&faults, "\(fault).\(operation.rawValue)")
        log("fault \(fault) on \(operation.rawValue) x\(times)")
    }
}
