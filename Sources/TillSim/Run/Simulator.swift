import Foundation
import TillCore
import TillProcessor
import TillService
import TillStore

/// One seeded run: several service instances ("processes") over one SQLite ledger in a
/// temporary directory and one GoblinPay, a workload with faults, crashes at the named request
/// steps and a clock that jumps; every invariant checked after every step.
///
/// Everything runs in one task, one request at a time; the only interleaving is the one the
/// simulator makes inside a request's hooks (other requests on other instances, run to their
/// end before the hooked request goes on), so a seed always makes the same run.
///
/// The run is spread over files of one idea each: this one (the state, the loop, the step's
/// choice), `SimInstances` (instances and requests), `SimFaults` (hooks: crashes, interleavings,
/// faults), `SimWorkload` (the requests made) and `SimCheckpoint` (the checks).
actor Simulator {
    let options: SimOptions
    var random: SimRandom
    let clock: SimClock
    let ids = SimIds()
    let goblin: GoblinPay
    let processor: SimProcessor
    let directory: String
    /// The card-fingerprint secret's directory: in the run's folder, outside the ledger's.
    var secretsDirectory: String { directory + "/secrets" }
    let databasePath: String
    /// The checker's own connection: it reads the raw facts, never through a service.
    var ledger: LedgerInspection?
    var checker = SimChecker()
    var checkerCounts: [String: Int] = [:]

    // Instances: live ones in the order they were opened; busy ones are inside a request now.
    var live: [Int: TillService] = [:]
    var liveOrder: [Int] = []
    var busy: Set<Int> = []
    var nextInstance = 1
    var depth = 0
    /// Clock moved inside hooks during this step: kept under half a lease, so no processor call
    /// outlasts the lease its caller renewed before it (the physical contract).
    var hookAdvance: Int64 = 0
    static let lease = TillService.defaultLeaseDuration

    // What the workload knows.
    var orders: [String] = []
    var knownOrders: Set<String> = []
    var gatewayPayments: [String] = []
    var knownPayments: Set<String> = []
    var wallets: [(name: String, currency: String, customer: String?)] = []
    let emails = (1...9).map { "c\($0)@example.com" }
    let cards: [String]
    var nextKey = 1
    var nextWallet = 1
    var issued: [String: ServiceRequest] = [:]
    var acknowledged: [String: String] = [:]
    var acknowledgedKeys: [String] = []
    var pendingKeys: [String] = []

    // The run's record.
    private(set) var step = 0
    private var trace: SimTrace
    private(set) var violation: SimViolation?
    private var violationStep = 0
    var operations: [String: Int] = [:]
    var outcomes: [String: Int] = [:]
    var faults: [String: Int] = [:]
    var events: [String: Int] = [:]
    let weights: [Int]

    /// `ledger`: a PostgreSQL database's address; else a file in `directory`.
    init(options: SimOptions, directory: String, ledger: String? = nil) {
        self.options = options
        var random = SimRandom(seed: options.seed)
        self.directory = directory
        databasePath = ledger ?? directory + "/ledger/till.sqlite"
        trace = SimTrace(keep: options.traceTail)
        clock = SimClock(start: 1_772_355_600_000 + random.between(0, 86_400_000))  // 2026-03-01 + up to a day
        let rates = [0, 50_000, 250_000, 500_000]
        let rate = GoblinPayFailureRate(partsPerMillion: rates[random.below(rates.count)]) ?? .default
        var configuration = GoblinPayConfiguration(seed: random.next(), captureFailureRate: rate)
        // Payout acknowledgements fail at none, the default or half, by the seed.
        configuration.ackFailureRate = [.never, .defaultAckFailure, GoblinPayFailureRate(partsPerMillion: 500_000) ?? .always][Int(options.seed % 3)]
        goblin = GoblinPay(configuration: configuration)
        processor = SimProcessor(goblin: goblin, clock: clock)
        // The workload's mix: every action's base weight, scaled by the seed (0.5x to 1.5x).
        weights = Action.allCases.map { action in action.weight * (50 + random.below(101)) / 100 }
        cards = (0..<4).map { _ in random.ordinaryCard() }
        self.random = random
    }

    // MARK: The run

    func run() async -> SimResult {
        let started = ContinuousClock.now
        log("seed \(options.seed) steps \(options.steps) rate \(goblin.configuration.captureFailureRate) weights \(weights.map(String.init).joined(separator: ","))")
        do {
            try FileManager.default.createDirectory(atPath: directory + "/ledger", withIntermediateDirectories: true)
            ledger = LedgerInspection(try TillDatabase.open(path: databasePath, secretsDirectory: secretsDirectory))
        } catch {
            fail(SimViolation(invariant: .setup, detail: "cannot open the ledger: \(error)"))
        }
        for _ in 0..<options.instances { await openInstance(startup: false) }
        var completed = 0
        while violation == nil, step < options.steps {
            step += 1
            hookAdvance = 0
            await topLevel()
            if violation == nil { await check() }
            if violation == nil, step % options.checkpointEvery == 0 { await checkpoint(final: false) }
            completed = step
        }
        if violation == nil { await checkpoint(final: true) }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        live = [:]
        liveOrder = []
        ledger = nil
        return SimResult(
            seed: options.seed, steps: completed, digest: trace.hex, violation: violation, violationStep: violation == nil ? nil : violationStep,
            traceTail: violation == nil ? [] : trace.tail, operations: operations, outcomes: outcomes, faults: faults,
            processorCalls: processor.callCounts, events: events, invariantChecks: allChecks,
            seconds: seconds)
    }

    /// One step: time passes, then one action drawn by the seed's weights.
    private func topLevel() async {
        clock.advance(by: random.between(0, 3_000))
        // The network delivers some of what it holds (only with --network: other seeds replay
        // exactly as before).
        if options.network, processor.wire.parkedCount > 0, random.chance(300) {
            for line in await processor.wire.deliver(1 + random.below(3)) { log(line) }
        }
        while liveOrder.count < 2, violation == nil {
            bump(&events, "restart")
            await openInstance(startup: true)
        }
        let action = Action.allCases[random.weighted(weights)]
        switch action {
        case .retryPending:
            pendingKeys.removeAll { acknowledged[$0] != nil }
            guard let key = random.pick(pendingKeys), let op = issued[key], let number = idleInstance() else { return }
            bump(&events, "retry")
            await send(op, on: number)
        case .replayAcknowledged:
            guard let key = random.pick(acknowledgedKeys), let op = issued[key], let number = idleInstance() else { return }
            bump(&events, "replay")
            await send(op, on: number)
        case .reuseKey:
            await reuseKey()
        case .resolve:
            guard let number = idleInstance(), let service = live[number] else { return }
            await resolve(service, number: number, attention: random.chance(300))
        case .clock:
            jumpClock()
        case .faults:
            if random.chance(150) {
                goblin.removeAllFaults()
                processor.wire.clear()
                bump(&faults, "cleared")
                log("faults cleared")
            } else {
                for _ in 0..<(1 + random.below(3)) { injectFault() }
            }
        case .payouts:
            await payouts()
        case .restart:
            guard let number = idleInstance() else { return }
            bump(&events, "kill_idle")
            log("kill i\(number)")
            drop(number)
            await openInstance(startup: true)
        default:
            guard let op = generate(action), let number = idleInstance() else { return }
            await send(op, on: number)
        }
    }

    /// An acknowledged key sent again with other parameters: it must be refused.
    private func reuseKey() async {
        guard let key = random.pick(acknowledgedKeys), let op = issued[key], let number = idleInstance(),
              let service = live[number] else { return }
        let other = op.withOtherParameters()
        guard other != op else { return }
        bump(&events, "reuse_key")
        log("i\(number) reuse \(other.traceText)")
        busy.insert(number)
        let answer = await other.run(on: service)
        busy.remove(number)
        log("i\(number) -> \(live[number] == nil ? "crashed" : answer.traceText)")
        if answer.ok {
            fail(SimViolation(
                invariant: .replay, detail: "key \(key), acknowledged for \(op.traceText), was accepted for \(other.traceText): \(answer.response)"))
        }
    }

    /// Time jumps between requests: seconds mostly, sometimes past a lease, a day or a hold window.
    private func jumpClock() {
        let roll = random.below(100)
        let advance: Int64 = switch roll {
        case 0..<55: random.between(1_000, 30_000)
        case 55..<80: random.between(60_000, 600_000)
        case 80..<92: random.between(3_600_000, 12 * 3_600_000)
        case 92..<98: random.between(86_400_000, 3 * 86_400_000)
        default: random.between(7 * 86_400_000, 9 * 86_400_000)
        }
        bump(&events, roll < 55 ? "clock.small" : roll < 80 ? "clock.minutes" : roll < 92 ? "clock.hours" : roll < 98 ? "clock.days" : "clock.week")
        clock.advance(by: advance)
        log("clock +\(advance)ms")
    }

    // MARK: The record

    func log(_ line: String) {
        for call in processor.takeCalls() { trace.record(call, step: step, depth: depth) }
        trace.record(line, step: step, depth: depth)
    }

    func fail(_ found: SimViolation) {
        guard violation == nil else { return }
        violation = found
        violationStep = step
        log("VIOLATION \(found)")
        trace.cut()
    }

    func bump(_ table: inout [String: Int], _ name: String) { table[name, default: 0] += 1 }

    func count(_ invariant: Invariant) { bump(&checkerCounts, invariant.rawValue) }

    var allChecks: [String: Int] { checker.checks.merging(checkerCounts) { $0 + $1 } }
}
