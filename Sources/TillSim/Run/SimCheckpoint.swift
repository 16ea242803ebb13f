import TillCore
import TillProcessor
import TillService
import TillStore

/// When the invariants are checked: after every step what it touched (`SimChecker.afterStep`),
/// and at every checkpoint everything, after replaying acknowledged answers on a fresh instance
/// and resolving every open request with faults off.
extension Simulator {
    func check() async {
        guard let ledger else { return }
        do {
            let entries = try await goblin.ledger.entries()
            var checker = self.checker
            let found = try ledger.read { snapshot in try checker.afterStep(entries: entries, ledger: snapshot) }
            self.checker = checker
            if let found { fail(found) }
        } catch {
            fail(SimViolation(invariant: .read, detail: "the ledgers could not be read: \(error)"))
        }
    }

    /// Replays acknowledged requests on a fresh instance, resolves everything with faults off,
    /// then checks every invariant everywhere with nothing left open.
    func checkpoint(final: Bool) async {
        log(final ? "final check" : "checkpoint")
        bump(&events, final ? "check.final" : "check.checkpoint")
        guard let probeNumber = await openInstance(startup: false, hooked: false), let probe = live[probeNumber] else { return }
        // 6: what was acknowledged answers the same, from a new process.
        let sample = final ? min(acknowledgedKeys.count, 200) : min(acknowledgedKeys.count, 8)
        for _ in 0..<sample {
            guard violation == nil, let key = random.pick(acknowledgedKeys), let op = issued[key], let earlier = acknowledged[key] else { break }
            let answer = await op.run(on: probe)
            count(.replay)
            if !answer.ok || !answer.replayed || answer.response != earlier {
                fail(SimViolation(
                    invariant: .replay,
                    detail: "key \(key) (\(op.traceText)) was acknowledged with \(earlier); on a fresh instance it answers \(answer.ok ? "(replayed \(answer.replayed)) \(answer.response)" : "\(answer.code): \(answer.message)")"))
                return
            }
        }
        // 7: with faults off, the network drained and every lease run out, everything resolves.
        goblin.removeAllFaults()
        processor.wire.clear()
        for line in await processor.wire.deliver() { log(line) }
        var open: [String] = []
        for round in 1...4 {
            clock.advance(by: Self.lease.milliseconds + 1_000)
            let summary = await probe.resolveOpenRequests(includingAttention: true)
            log("settle round \(round): recorded \(summary.recorded) released \(summary.released) open \(summary.open)")
            open = requests({ try $0.unresolvedRequests() }) { "\($0.key) \($0.operation) \($0.state)" }
            if open.isEmpty { break }
        }
        count(.resolves)
        if !open.isEmpty {
            fail(SimViolation(invariant: .resolves, detail: "still open after 4 rounds with faults off: \(open.joined(separator: "; "))"))
            return
        }
        let attention = requests({ try $0.requestsNeedingAttention() }) { "\($0.key) \($0.operation): \($0.attention ?? "no reason")" }
        if !attention.isEmpty {
            fail(SimViolation(invariant: .resolves, detail: "needs attention after resolution: \(attention.joined(separator: "; "))"))
            return
        }
        // 1-5 with nothing pending, and 8.
        guard let ledger else { return }
        do {
            let entries = try await goblin.ledger.entries()
            var checker = self.checker
            let found = try ledger.read { snapshot in try checker.fullCheck(entries: entries, ledger: snapshot, strict: true) }
            self.checker = checker
            if let found { fail(found); return }
            if final { await checkPayouts(final: true) }
            if violation != nil { return }
            let integrity = try ledger.integrityCheck()
            count(.integrity)
            if integrity != "ok" { fail(SimViolation(invariant: .integrity, detail: integrity)) }
        } catch {
            fail(SimViolation(invariant: .read, detail: "the ledgers could not be read: \(error)"))
        }
        drop(probeNumber)
        pendingKeys.removeAll { acknowledged[$0] != nil }
    }

    /// The requests `read` finds, each as one line of a violation's detail.
    private func requests(
        _ read: (LedgerInspection.Snapshot) throws -> [LedgerInspection.RequestRow], _ line: (LedgerInspection.RequestRow) -> String
    ) -> [String] {
        guard let ledger, let rows = try? ledger.read(read) else { return ["(the ledger could not be read)"] }
        return rows.map(line)
    }
}
