import ArgumentParser
import Foundation
import TillCore
import TillSim

/// `till sim --seed N [--steps M]`: the deterministic simulator (DESIGN §9). Each seed drives
/// the real service, a real SQLite ledger in a temporary directory and GoblinPay through a
/// workload with faults, crashes at named steps, several instances and a jumping clock, and
/// checks every invariant after every step. A failing seed replays exactly.
struct SimCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Deterministic fault simulation; prints the invariants checked.",
        discussion: """
            One seed decides everything (workload, faults, crashes, the clock), so `till sim --seed N \
            --steps M` replays a run exactly; the digest printed at the end proves it. Many seeds: \
            --seeds 1-200, or --seed-count K (from --seed, default 1). Exits 1 if any invariant broke, \
            printing the seed, the step, the invariant with its figures and the trace before it.
            """)
    @Option(help: "The seed to run (default 1).") var seed: UInt64?
    @Option(help: "A range of seeds, inclusive: 1-200.") var seeds: String?
    @Option(name: .customLong("seed-count"), help: "How many seeds, from --seed (default 1).") var seedCount: Int?
    @Option(help: "Steps per seed.") var steps: Int = 1000
    @Option(name: .customLong("checkpoint-every"), help: "Steps between full checks (replay, resolve with faults off, everything).")
    var checkpointEvery: Int = 500
    @Option(help: "Service instances running at once (at least 2).") var instances: Int = 3
    @Option(name: .customLong("trace-tail"), help: "Trace lines printed with a violation.") var traceTail: Int = 40
    @Option(help: "Directory for the temporary ledgers (default /dev/shm, else $TMPDIR).") var dir: String?
    @Flag(help: "GoblinPay over a network: calls that time out in flight or arrive after their deadline.") var network = false
    @Option(help: "Each seed's ledger in a fresh database on this PostgreSQL server (postgres://user@host:port/db to connect to first).")
    var postgres: String?
    @OptionGroup var global: GlobalOptions

    struct Answer: Encodable {
        let results: [SimResult]
        let seeds: Int
        let steps: Int
        let seconds: Double
        let stepsPerSecond: Double
        let violations: Int
    }

    func execute(_ context: CommandContext) async -> CommandResult {
        let range: ClosedRange<UInt64>
        if let seeds {
            guard let parsed = TillSim.parseSeeds(seeds) else {
                return context.failure(Rejection(.invalidRequest, "--seeds must be A-B (inclusive) or one seed, not \(seeds.echoed())."))
            }
            range = parsed
        } else {
            let first = seed ?? 1
            let count = UInt64(max(1, seedCount ?? 1))
            let (last, overflow) = first.addingReportingOverflow(count - 1)
            range = first...(overflow ? UInt64.max : last)
        }
        guard (1...100_000_000).contains(steps) else {
            return context.failure(Rejection(.invalidRequest, "--steps must be 1 to 100000000."))
        }
        let live = context.json ? nil : context.live
        let started = ContinuousClock.now
        var results: [SimResult] = []
        var report = ""
        for seed in range {
            let result = await TillSim.run(SimOptions(
                seed: seed, steps: steps, directory: dir, checkpointEvery: checkpointEvery, instances: instances,
                traceTail: traceTail, network: network, postgres: postgres))
            results.append(result)
            let line = "seed \(seed): \(result.steps) steps, \(result.passed ? "ok" : "VIOLATION"), digest \(result.digest), "
                + String(format: "%.1f s", result.seconds) + "\n"
            report += line
            live?(line)
            if !result.passed {
                report += TillSim.failureReport(result)
                live?(TillSim.failureReport(result))
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let totalSteps = results.reduce(0) { $0 + $1.steps }
        let failed = results.filter { !$0.passed }.count
        let exitCode: Int32 = failed == 0 ? 0 : TillCommandLine.rejectedExitCode
        if context.json {
            return CommandResult(exitCode: exitCode, stdout: Output.json(Answer(
                results: results, seeds: results.count, steps: totalSteps, seconds: seconds,
                stepsPerSecond: seconds > 0 ? Double(totalSteps) / seconds : 0, violations: failed)))
        }
        return CommandResult(exitCode: exitCode, stdout: report + TillSim.summary(results, wallSeconds: seconds))
    }
}
