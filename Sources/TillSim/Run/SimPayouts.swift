import TillCore
import TillProcessor
import TillService

/// Payouts in a run (issue 15): GoblinPay settles at random moments, its notification arrives
/// once, twice or never (an import cycle each), its acknowledgement fails at the seed's rate
/// or loses its answer, and a till may crash between its commit and its acknowledgement.
/// Checked after every payouts step, and at the final check with faults off.
extension Simulator {
    /// GoblinPay's acknowledgement, as the network delivers it: lost answers (applied, but the
    /// till hears nothing) when `losing`; `crashing` answers nothing at all (the till dies
    /// before it hears back), whether GoblinPay applied it or not.
    struct SimPayoutSource: PayoutSource {
        let goblin: GoblinPay
        let losing: Bool
        let crashing: Bool

        func payouts(in state: String) async throws -> PayoutListing { try await goblin.payouts(in: state) }

        func acknowledge(id: String) async -> Bool {
            let applied = await goblin.acknowledge(id: id)
            return applied && !losing && !crashing
        }
    }

    // No wall-clock limit in a run: a seed must replay the same however busy the machine is.
    static let payoutRetry = AcknowledgementRetry(attempts: 2, phase: .seconds(86_400), pause: { _ in }, jitter: { $0 })

    func payouts() async {
        let roll = random.below(100)
        if roll < 40 {
            guard let created = try? await goblin.settle(now: clock.now) else {
                fail(SimViolation(invariant: .payouts, detail: "GoblinPay could not settle"))
                return
            }
            bump(&events, "payouts.settle")
            // The notification: never (the poll finds it later), once, or twice.
            let notifications = [0, 1, 1, 1, 2][random.below(5)]
            bump(&faults, "payouts.notified.\(notifications)")
            log("goblinpay settles \(created.count) payout(s), notified \(notifications)x")
            for _ in 0..<(created.isEmpty ? 0 : notifications) { await importCycle(crash: false) }
        } else {
            await importCycle(crash: roll >= 85)
        }
        if violation == nil { await checkPayouts(final: false) }
    }

    /// One import cycle on an idle instance; `crash`: its acknowledgements get no answer and the
    /// instance dies right after its commit.
    private func importCycle(crash: Bool) async {
        guard let number = idleInstance(), let service = live[number] else { return }
        let losing = !crash && random.chance(200)
        if losing { bump(&faults, "payouts.ack_answer_lost") }
        busy.insert(number)
        let result = await service.importPayouts(
            from: SimPayoutSource(goblin: goblin, losing: losing, crashing: crash), retry: Self.payoutRetry)
        busy.remove(number)
        switch result {
        case .success(let report):
            bump(&events, "payouts.cycle")
            log("i\(number) payouts: listed \(report.listed) recorded \(report.recorded) acknowledged \(report.acknowledged) left \(report.unacknowledged)")
            if !report.refused.isEmpty {
                fail(SimViolation(invariant: .payouts, detail: "GoblinPay's own payouts were refused: \(report.refused)"))
            }
        case .failure(let rejection):
            fail(SimViolation(invariant: .payouts, detail: "an import cycle failed: \(rejection.code.rawValue) \(rejection.message)"))
        }
        if crash {
            bump(&events, "payouts.crash_after_commit")
            log("kill i\(number) after its payout commit")
            drop(number)
        }
    }

    /// Every Till payout is GoblinPay's, whole and once; acknowledged only if GoblinPay has it
    /// processing. `final`: faults off, cycles until GoblinPay has every payout processing,
    /// then Till's count = total = processing, and reconciliation is clean.
    func checkPayouts(final: Bool) async {
        guard let number = liveOrder.first, let service = live[number] else { return }
        if final {
            // A last settlement pays out everything resolved, so every capture and refund meets its entry.
            _ = try? await goblin.settle(now: clock.now)
            for _ in 0..<40 {
                guard let count = try? await goblin.payoutCount(), count.processing < count.total else { break }
                _ = await service.importPayouts(from: goblin, retry: Self.payoutRetry)
            }
        }
        count(.payouts)
        guard case .success(let imported) = await service.importedPayouts(),
              let made = try? await goblin.payouts(state: nil), let count = try? await goblin.payoutCount()
        else {
            fail(SimViolation(invariant: .read, detail: "the payouts could not be read"))
            return
        }
        let byId = Dictionary(made.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard Set(imported.map(\.payout.id)).count == imported.count else {
            fail(SimViolation(invariant: .payouts, detail: "a payout is recorded twice"))
            return
        }
        for record in imported {
            guard let theirs = byId[record.payout.id], theirs.amount == record.payout.amount, theirs.entries == record.payout.entries,
                  case .success(let sum) = Money.sum(record.payout.entries.map(\.amount), currency: record.payout.currency),
                  sum == record.payout.amount
            else {
                fail(SimViolation(invariant: .payouts, detail: "Till's payout \(record.payout.id) is not GoblinPay's, or its entries do not add up"))
                return
            }
            if record.acknowledgedAt != nil, theirs.state != .processing {
                fail(SimViolation(invariant: .payouts, detail: "payout \(record.payout.id) is marked acknowledged but GoblinPay has it \(theirs.state.rawValue)"))
                return
            }
        }
        guard final else { return }
        guard imported.count == count.total, count.total == count.processing else {
            fail(SimViolation(invariant: .payouts, detail: "with faults off: Till has \(imported.count) payouts, GoblinPay \(count.total), processing \(count.processing)"))
            return
        }
        guard case .success((let reconciliation, _)) = await service.reconcilePayouts() else {
            fail(SimViolation(invariant: .read, detail: "the reconciliation could not be read"))
            return
        }
        if !reconciliation.isClean {
            fail(SimViolation(
                invariant: .payouts,
                detail: "reconciliation: \(reconciliation.mismatched.count) mismatched, \(reconciliation.unexpected.count) unexpected after every request resolved"))
        }
        log("payouts: \(imported.count) imported, max update count \(count.maxUpdateCount), \(reconciliation.matched.count) matched, \(reconciliation.inTransit.count) in transit")
    }
}
