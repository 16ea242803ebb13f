import Foundation
import TillService

/// `till-bench`: Till's speed, measured in one run against baselines measured in the same run
/// (the raw C SQLite commit and lookup, `sqlite3`), printed as one table of medians and
/// ratios with the goals they must meet. `--quick` (seconds, for CI) proves every measurement
/// runs; the full run, by hand on a release build, is what the README's table shows.
///
///     swift build -c release && .build/release/till-bench          # the full run (minutes)
///     .build/debug/till-bench --quick                              # every measurement, small
@main
struct TillBench {
    struct Options {
        var quick = false
        /// Operations per round of a write measurement.
        var operations = 300
        var rounds = 3
        /// Orders in the ledger the reads run on.
        var orders = 1_000_000
        /// Operations of the memory run (one process, 64 clients).
        var memoryOperations = 1_000_000
        var till: String?
        var work: String?
        /// A PostgreSQL server: the writes again with the ledger there (`--postgres URL`).
        var postgres: String?
        /// Only these parts (writes, clients, batch, reads, processes, core, memory); all if empty.
        var only: Set<String> = []

        func runs(_ part: String) -> Bool { only.isEmpty || only.contains(part) }

        static func parse(_ arguments: [String]) throws -> Options {
            var options = Options()
            var words = arguments.makeIterator()
            func number(_ name: String) throws -> Int {
                guard let text = words.next(), let value = Int(text), value > 0 else { throw BenchFailure(description: "\(name) takes a positive number") }
                return value
            }
            while let word = words.next() {
                switch word {
                case "--quick":
                    options.quick = true
                    options.operations = 40
                    options.orders = 300
                    options.memoryOperations = 2_000
                case "--operations": options.operations = try number(word)
                case "--rounds": options.rounds = try number(word)
                case "--orders": options.orders = try number(word)
                case "--memory-operations": options.memoryOperations = try number(word)
                case "--till": options.till = words.next()
                case "--work": options.work = words.next()
                case "--postgres": options.postgres = words.next()
                case "--only": options.only.formUnion((words.next() ?? "").split(separator: ",").map(String.init))
                case "--help", "-h":
                    print("till-bench [--quick] [--operations N] [--rounds N] [--orders N] [--memory-operations N] [--till PATH] [--work DIR] [--postgres URL] [--only writes,clients,batch,reads,processes,core,memory] (writes: cash,credit,create,card)")
                    exit(0)
                default: throw BenchFailure(description: "unknown option \(word) (see --help)")
                }
            }
            return options
        }
    }

    static func main() async {
        do {
            let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
            let report = try await run(options)
            print(report.text)
            if !report.unmet.isEmpty { print("not met: " + report.unmet.joined(separator: "; ")) }
        } catch {
            FileHandle.standardError.write(Data("till-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: Options) async throws -> Report {
        let base = options.work ?? (FileManager.default.isWritableFile(atPath: "/var/tmp") ? "/var/tmp" : NSTemporaryDirectory())
        let work = try freshDirectory(base, "till-bench")
        defer { try? FileManager.default.removeItem(atPath: work) }
        // Next to this executable: the `till` of the same build.
        let till = options.till ?? (URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/till")
        let measure = Measure(rounds: options.rounds)
        var report = Report()
        let log = { (text: String) in FileHandle.standardError.write(Data((text + "\n").utf8)) }

        let writes = WriteBench(work: work, measure: measure, operations: options.operations)
        log("raw commit …")
        let raw = try await writes.rawCommit()
        report.section("Durable writes, one client (per operation, against the raw one-row FULL commit)")
        report.time("raw SQLite INSERT + COMMIT (WAL, synchronous=FULL)", raw, against: raw)
        // `writes` runs all four; each can be picked alone (`--only cash`) to profile it.
        if options.runs("writes") || options.runs("cash") {
            log("cash installment …")
            report.time("cash installment", try await writes.installment(card: false), against: raw, goal: 1.3)
        }
        if options.runs("writes") || options.runs("credit") {
            log("wallet credit …")
            report.time("wallet credit", try await writes.walletCredit(), against: raw, goal: 1.3)
        }
        if options.runs("writes") || options.runs("create") {
            log("order create …")
            report.time("order create", try await writes.orderCreate(), against: raw)
        }
        if options.runs("writes") || options.runs("card") {
            log("card installment …")
            report.time("card installment (GoblinPay in process, no latency)", try await writes.installment(card: true), against: raw)
        }

        var one = 0.0
        var sqliteRates: [Int: Double] = [:]
        if options.runs("clients") { report.section("Concurrent clients in one process (wallet credits, each durable before its answer)") }
        for clients in options.runs("clients") ? [1, 8, 64] : [] {
            log("\(clients) clients …")
            let (rate, perCommit, writerCPU) = try await writes.concurrentCredits(
                clients: clients, total: max(options.operations, clients * 4) * (clients == 1 ? 1 : 2))
            if clients == 1 { one = rate }
            sqliteRates[clients] = rate
            let shape = String(format: "%.1f writes a commit, writer CPU %.0f µs a write", perCommit, writerCPU)
            report.rate("\(clients) client\(clients == 1 ? "" : "s") (\(shape))", rate, against: one, atLeast: clients == 64 ? 10 : nil)
        }
        if let postgres = options.postgres {
            report = try await PostgresBench.run(
                report, writes: WriteBench(work: work, measure: measure, operations: options.operations, postgres: postgres),
                sqliteRates: sqliteRates, log: log)
        }

        let processes = ProcessBench(work: work, measure: measure, till: till)
        let haveTill = FileManager.default.isExecutableFile(atPath: till)
        if haveTill, options.runs("batch") {
            log("till batch …")
            report.section("till batch (per line, start-up excluded)")
            report.time("till batch, wallet credit", try processes.batchPerLine(lines: options.operations), against: raw, goal: 1.5)
        }

        let reads = ReadBench(work: work, measure: measure, orders: options.orders)
        guard options.runs("reads") || options.runs("processes") else { return try await rest(options, report, measure, writes, log) }
        log("a ledger of \(options.orders) orders …")
        let ledger = try await reads.makeLedger()
        report.section("Reads on \(options.orders) orders (made in \(String(format: "%.0f", ledger.madeIn)) s by till demo)")
        let rawPage = try await reads.rawPage(ledger)
        report.time("raw C: the same history page query (\(reads.pageSize) rows)", rawPage, against: rawPage)
        let service = try await reads.service(on: ledger)
        report.time("customer history page", try await reads.historyPage(ledger, service: service), against: rawPage, goal: 2)
        report.time("dashboard query", try await reads.dashboard(service))
        let first = try await reads.openAndDashboard(ledger)
        report.figure("POS: open + dashboard with figures (in process)", Report.time(first), goal: "≤ 150 ms", met: first <= 0.150)

        if haveTill, options.runs("processes") {
            report.section("Whole processes (start-up included)")
            log("processes …")
            report.time("till --version", try await processes.version())
            let get = try await processes.orderGet(ledger)
            if let sqlite = try await processes.sqliteGet(ledger) {
                report.time("sqlite3, the same row", sqlite, against: sqlite)
                report.time("till order get --json", get, against: sqlite)
            } else {
                report.time("till order get --json (no sqlite3 installed to compare)", get)
            }
        }

        return try await rest(options, report, measure, writes, log)
    }

    /// The core, the simulator and memory: what needs no large ledger.
    static func rest(
        _ options: Options, _ report: Report, _ measure: Measure, _ writes: WriteBench, _ log: (String) -> Void
    ) async throws -> Report {
        var report = report
        guard options.runs("core") || options.runs("memory") else { return report }
        report.section("The core and the simulator")
        let core = CoreBench(measure: measure)
        log("core …")
        report.rate("core: installments planned", try core.decisionsPerSecond(count: options.quick ? 100_000 : 2_000_000))
        log("sim …")
        report.rate("till sim steps (seed 1)", try await core.simStepsPerSecond(steps: options.quick ? 60 : 600))

        guard options.runs("memory") else { return report }
        report.section("Memory (one process, 64 clients)")
        log("memory over \(options.memoryOperations) operations …")
        let memory = try await writes.memoryRun(operations: options.memoryOperations, clients: 64)
        report.figure("resident after 10% / after all \(options.memoryOperations)", "\(memory.early / 1_048_576) / \(memory.late / 1_048_576) MiB",
                      goal: "flat (≤ 1.5×)", met: Double(memory.late) <= 1.5 * Double(max(memory.early, 1)))
        report.figure("peak resident (whole bench)", "\(peakMemoryBytes() / 1_048_576) MiB")
        return report
    }
}
