import Foundation
import TillCore
import TillProcessor
import TillService

/// Sample data through the real service API, so every row obeys the domain rules.
///
/// The data is a plan made up front from `seed` and `now` alone (SplitMix64, integer
/// arithmetic): customers, wallets, orders with their installments and refunds, standalone card
/// payments, each step at its own time in the 90 days before `now`. The steps then run in
/// time order against a `TillService` whose clock is set to each step's time. Steps of
/// different customers (and different card payments) are independent, so a window of
/// consecutive steps with distinct owners runs concurrently, each on its own service (same
/// database, same processor, own clock); one owner's steps always run one after another.
/// Amounts, tenders and times are the same on every run with the same seed and `now`; ids
/// are random.
///
/// Running it again on the same database appends: idempotency keys carry the seed and a
/// random run id, and a wallet name already taken gets a " 2" (" 3"...) suffix. A ledger that
/// holds data no demo made is refused unless `intoExisting` (`TillService.openForDemo`).
///
/// Beyond `plannedOrders`, the older orders are `DemoHistory`: two years before the planned
/// days, recorded in bulk: a planned order costs several service calls of a few
/// milliseconds each, a history order about a tenth of a millisecond, so a million orders
/// take a couple of minutes.
///
/// One idea a file: `DemoPlan` (the model), `PlanMaker` (the generator), `DemoNames` and
/// `DemoCards` (the tables), `DemoDraws` (the shop's habits), `DemoWalletBalances` (the plan
/// kept within what the core's wallets allow), `DemoRunner` (the steps against the service),
/// `DemoHistory` (the bulk past), `DemoSummary` (what was written); this file runs them.
enum DemoData {
    /// Steps running at once (independent owners only).
    static let concurrency = 8
    /// The most recent orders, made step by step through the service.
    static let plannedOrders = 2000
    /// History orders recorded per write transaction.
    static let historyBatch = 5000

    static func fill(
        databasePath: String, processorLedgerPath: String? = nil, secretsDirectory: String, orders: Int,
        planned plannedLimit: Int = plannedOrders, seed: UInt64, now: Instant, intoExisting: Bool = false, progress: @Sendable (_ done: Int, _ total: Int) -> Void
    ) async throws -> DemoSummary {
        let started = ContinuousClock.now
        let planned = min(max(0, orders), plannedLimit)
        let plan = DemoPlan.make(orders: planned, seed: seed, now: now)

        let clocks = (0..<concurrency).map { _ in DemoClock(now) }
        // Refuses a ledger holding data no demo made unless `intoExisting`; also finishes
        // whatever a previous, interrupted run left open.
        let first = try await TillService.openForDemo(
            path: databasePath, secretsDirectory: secretsDirectory, intoExisting: intoExisting, clock: { [clock = clocks[0]] in clock.read() }
        ) {
            // Made-up cards and charges: always GoblinPay's in-process simulator, its ledger
            // beside the till's, configured here and never from the environment, so no
            // processor the environment names (a remote GoblinPay, TILL_GOBLINPAY_URL) ever
            // sees them.
            try GoblinPay(
                ledgerPath: processorLedgerPath ?? databasePath + ".goblinpay",
                configuration: GoblinPayConfiguration(seed: seed, captureFailureRate: .never))
        }
        let services = [first] + clocks.dropFirst().map { clock in first.sharing(clock: { clock.read() }) }

        var generator = SystemRandomNumberGenerator()
        let runId = RecordId.characters(count: 8) { generator.next() }
        let runner = DemoRunner(plan: plan, keyPrefix: "demo-\(seed)-\(runId)")

        var tally = DemoSummary()
        tally.seed = seed
        var reported = -1
        let reportEvery = max(1, orders / 200)
        func report(_ done: Int) {
            if done / reportEvery != reported / reportEvery || done == orders, done != reported {
                reported = done
                progress(done, orders)
            }
        }
        report(0)

        var history = DemoHistory(
            orders: orders - planned, seed: seed, end: DemoHistory.end(before: now), regulars: plan.customers)
        var recorded = 0
        while true {
            let batch = history.next(atLeast: historyBatch)
            if batch.isEmpty { break }
            recorded += try await first.recordHistory(batch).get()
            report(recorded)
        }

        var remaining = plan.stepsPerOrder
        var completed = 0

        var index = 0
        while index < plan.steps.count {
            // The next window: consecutive steps, no two of the same owner.
            var window: [Int] = []
            var owners = Set<Int>()
            while index < plan.steps.count, window.count < concurrency, !owners.contains(plan.steps[index].owner) {
                owners.insert(plan.steps[index].owner)
                window.append(index)
                index += 1
            }
            await withTaskGroup(of: DemoSummary.self) { group in
                for (slot, stepIndex) in window.enumerated() {
                    let service = services[slot], clock = clocks[slot], step = plan.steps[stepIndex]
                    group.addTask { await runner.run(step, service: service, clock: clock) }
                }
                for await part in group { tally.add(part) }
            }
            for stepIndex in window {
                guard let order = plan.steps[stepIndex].action.order else { continue }
                remaining[order] -= 1
                if remaining[order] == 0 { completed += 1 }
            }
            report(recorded + completed)
        }
        report(orders)

        // The ledger as it is now counts as the demo's: a next run may add to it unasked.
        try await first.recordDemoRun().get()
        runner.finish(&tally)
        if history.orders > 0 { tally.add(history: history, served: runner.servedCustomers()) }
        let elapsed = ContinuousClock.now - started
        tally.elapsedMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return tally
    }
}
