import Foundation
import TillStore

#if canImport(Glibc)
import Glibc
#endif

/// What one seeded run is asked to do.
public struct SimOptions: Sendable, Hashable {
    public var seed: UInt64
    public var steps: Int
    /// Where the run's temporary directory goes (default: /dev/shm if writable, else $TMPDIR or /tmp).
    public var directory: String?
    /// Every this many steps: replay a sample of acknowledged answers on a fresh instance,
    /// resolve everything with faults off, and check every invariant everywhere.
    public var checkpointEvery: Int
    /// How many service instances ("processes") run at once, at least.
    public var instances: Int
    /// How many trace lines a failure prints.
    public var traceTail: Int
    /// GoblinPay reached over a network (`till sim --network`): besides its own faults, a call
    /// may time out while still in flight (applied later) or arrive after its deadline
    /// (refused), under the service's `InFlightCalls` rule. Off by default, so a seed without
    /// it replays as it always has.
    public var network: Bool
    /// A PostgreSQL server (`till sim --postgres URL`, the database to connect to first): each
    /// seed's ledger is then a fresh database there, dropped afterwards, instead of a file.
    public var postgres: String?

    public init(
        seed: UInt64, steps: Int = 1000, directory: String? = nil, checkpointEvery: Int = 500, instances: Int = 3,
        traceTail: Int = 40, network: Bool = false, postgres: String? = nil
    ) {
        self.network = network
        self.postgres = postgres
        self.seed = seed
        self.steps = steps
        self.directory = directory
        self.checkpointEvery = max(1, checkpointEvery)
        self.instances = max(2, instances)
        self.traceTail = max(1, traceTail)
    }
}

/// What one seeded run did and found.
public struct SimResult: Sendable, Codable, Equatable {
    public let seed: UInt64
    public let steps: Int
    /// A digest of the whole trace: equal digests, byte-identical runs.
    public let digest: String
    public let violation: SimViolation?
    public let violationStep: Int?
    /// The last lines of the trace (only when a violation was found).
    public let traceTail: [String]
    /// Requests sent, by kind ("order.pay.card", "resolve", …).
    public let operations: [String: Int]
    /// Their answers: "ok", "crashed" or the rejection code.
    public let outcomes: [String: Int]
    /// Faults injected into GoblinPay, by kind and operation.
    public let faults: [String: Int]
    /// GoblinPay calls and their answers ("capture.unknown", "lookup.applied", …).
    public let processorCalls: [String: Int]
    /// Crashes, interleavings, clock jumps, instances opened, checkpoints.
    public let events: [String: Int]
    /// How many times each invariant was checked.
    public let invariantChecks: [String: Int]
    public let seconds: Double

    public var passed: Bool { violation == nil }

    /// A run that could not start.
    static func setupFailed(_ options: SimOptions, _ detail: String) -> SimResult {
        SimResult(
            seed: options.seed, steps: 0, digest: "", violation: SimViolation(invariant: .setup, detail: detail), violationStep: 0,
            traceTail: [], operations: [:], outcomes: [:], faults: [:], processorCalls: [:], events: [:], invariantChecks: [:],
            seconds: 0)
    }
}

/// `till sim`: deterministic simulation of the till over the real service, store and GoblinPay.
public enum TillSim {
    /// Runs one seed in a fresh temporary directory, removed afterwards.
    public static func run(_ options: SimOptions) async -> SimResult {
        let base = options.directory ?? defaultDirectory()
        var template = Array((base + "/till-sim-\(options.seed)-XXXXXX").utf8CString)
        let directory: String
        if let made = mkdtemp(&template) {
            directory = String(cString: made)
        } else {
            directory = base + "/till-sim-\(options.seed)-\(getpid())"
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var ledger: String?
        if let server = options.postgres {
            do {
                ledger = try PostgresAdministration.createDatabase(adminURL: server, prefix: "till_sim")
            } catch {
                return SimResult.setupFailed(options, "cannot make a database on \(server): \(error)")
            }
        }
        defer { if let server = options.postgres, let ledger { try? PostgresAdministration.dropDatabase(ledger, adminURL: server) } }
        let simulator = Simulator(options: options, directory: directory, ledger: ledger)
        return await simulator.run()
    }

    /// A RAM-backed directory when there is one (the ledger still syncs: tmpfs makes it cheap).
    static func defaultDirectory() -> String {
        if access("/dev/shm", W_OK) == 0 { return "/dev/shm" }
        let environment = ProcessInfo.processInfo.environment
        return environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// Parses "1-200" (inclusive) or "7".
    public static func parseSeeds(_ text: String) -> ClosedRange<UInt64>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let seed = UInt64(parts[0]) { return seed...seed }
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else { return nil }
        return low...high
    }

    /// The failure as a person reads it: seed, step, invariant with the figures, trace tail, and
    /// how to replay it.
    public static func failureReport(_ result: SimResult) -> String {
        guard let violation = result.violation else { return "" }
        var lines = [
            "VIOLATION seed \(result.seed) at step \(result.violationStep ?? result.steps)",
            "  invariant: \(violation.invariant)",
            "  \(violation.detail)",
            "  trace tail (step, then the operation; nested lines ran inside a request's hook):",
        ]
        lines += result.traceTail.map { "    " + $0 }
        lines.append("  replay: till sim --seed \(result.seed) --steps \(result.steps)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The totals over many runs, as the end of `till sim` prints them.
    public static func summary(_ results: [SimResult], wallSeconds: Double) -> String {
        let steps = results.reduce(0) { $0 + $1.steps }
        let failed = results.filter { !$0.passed }
        func merged(_ pick: (SimResult) -> [String: Int]) -> [String: Int] {
            results.reduce(into: [:]) { total, result in total.merge(pick(result)) { $0 + $1 } }
        }
        func table(_ title: String, _ counts: [String: Int]) -> String {
            guard !counts.isEmpty else { return "\(title): none\n" }
            let width = counts.keys.map(\.count).max() ?? 0
            return "\(title):\n" + counts.keys.sorted().map { key in
                "  " + key + String(repeating: " ", count: width - key.count) + "  \(counts[key] ?? 0)"
            }.joined(separator: "\n") + "\n"
        }
        let rate = wallSeconds > 0 ? Double(steps) / wallSeconds : 0
        var text = "seeds \(results.count) (\(results.first.map { "\($0.seed)" } ?? "-")..\(results.last.map { "\($0.seed)" } ?? "-")), "
            + "steps \(steps), \(String(format: "%.1f", wallSeconds)) s, \(String(format: "%.0f", rate)) steps/s, "
            + "violations \(failed.count)\(failed.isEmpty ? "" : " (seeds \(failed.map { String($0.seed) }.joined(separator: ", ")))")\n"
        text += table("invariants checked", merged(\.invariantChecks))
        text += table("operations", merged(\.operations))
        text += table("answers", merged(\.outcomes))
        text += table("faults injected", merged(\.faults))
        text += table("GoblinPay calls", merged(\.processorCalls))
        text += table("events", merged(\.events))
        return text
    }
}
