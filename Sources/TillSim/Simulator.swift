import Foundation
import GRDB
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
actor Simulator {
    let options: SimOptions
    private var random: SimRandom
    private let clock: SimClock
    private let ids = SimIds()
    private let goblin: GoblinPay
    private let processor: SimProcessor
    private let directory: String
    /// The card-fingerprint secret's directory: in the run's folder, outside the ledger's.
    private var secretsDirectory: String { directory + "/secrets" }
    private let databasePath: String
    private var checkerDatabase: TillDatabase?
    private var checker = SimChecker()

    // Instances: live ones in the order they were opened; busy ones are inside a request now.
    private var live: [Int: TillService] = [:]
    private var liveOrder: [Int] = []
    private var busy: Set<Int> = []
    private var nextInstance = 1
    private var depth = 0
    /// Clock moved inside hooks during this step: kept under half a lease, so no processor call
    /// outlasts the lease its caller renewed before it (the physical contract).
    private var hookAdvance: Int64 = 0
    static let lease = TillService.defaultLeaseDuration

    // What the workload knows.
    private var orders: [String] = []
    private var knownOrders: Set<String> = []
    private var gatewayPayments: [String] = []
    private var knownPayments: Set<String> = []
    private var wallets: [(name: String, currency: String, customer: String?)] = []
    private let emails = (1...9).map { "c\($0)@example.com" }
    private var cards: [String] = []
    private var nextKey = 1
    private var nextWallet = 1
    private var issued: [String: SimOp] = [:]
    private var acknowledged: [String: String] = [:]
    private var acknowledgedKeys: [String] = []
    private var pendingKeys: [String] = []

    // The run's record.
    private(set) var step = 0
    private var digest = TraceDigest()
    private var tail: [String] = []
    private(set) var violation: SimViolation?
    private var violationStep = 0
    private var operations: [String: Int] = [:]
    private var outcomes: [String: Int] = [:]
    private var faults: [String: Int] = [:]
    private var events: [String: Int] = [:]
    private let weights: [Int]

    init(options: SimOptions, directory: String) {
        self.options = options
        var random = SimRandom(seed: options.seed)
        self.directory = directory
        databasePath = directory + "/ledger/till.sqlite"
        clock = SimClock(start: 1_772_355_600_000 + random.between(0, 86_400_000))  // 2026-03-01 + up to a day
        let rates = [0, 50_000, 250_000, 500_000]
        let rate = GoblinPayFailureRate(partsPerMillion: rates[random.below(rates.count)]) ?? .default
        goblin = GoblinPay(configuration: GoblinPayConfiguration(seed: random.next(), captureFailureRate: rate))
        processor = SimProcessor(goblin: goblin)
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
            checkerDatabase = try TillDatabase.open(path: databasePath, secretsDirectory: secretsDirectory)
        } catch {
            fail(SimViolation(invariant: "setup", detail: "cannot open the ledger: \(error)"))
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
        checkerDatabase = nil
        return SimResult(
            seed: options.seed, steps: completed, digest: digest.hex, violation: violation, violationStep: violation == nil ? nil : violationStep,
            traceTail: violation == nil ? [] : tail, operations: operations, outcomes: outcomes, faults: faults,
            processorCalls: processor.callCounts, events: events, invariantChecks: allChecks,
            seconds: seconds)
    }

    private func log(_ line: String) {
        for call in processor.takeCalls() { record(call) }
        record(line)
    }

    private func record(_ line: String) {
        let text = "\(step) " + String(repeating: "  ", count: depth) + line
        digest.add(text)
        tail.append(text)
        if tail.count > options.traceTail * 2 { tail.removeFirst(tail.count - options.traceTail) }
    }

    private func fail(_ found: SimViolation) {
        guard violation == nil else { return }
        violation = found
        violationStep = step
        log("VIOLATION \(found)")
        if tail.count > options.traceTail { tail.removeFirst(tail.count - options.traceTail) }
    }

    private func bump(_ table: inout [String: Int], _ name: String) { table[name, default: 0] += 1 }

    // MARK: Instances

    @discardableResult
    private func openInstance(startup: Bool, hooked: Bool = true) async -> Int? {
        let number = nextInstance
        nextInstance += 1
        let ledger: LedgerFile
        do {
            ledger = try LedgerFile.open(path: databasePath, secretsDirectory: secretsDirectory)
        } catch {
            fail(SimViolation(invariant: "reopen", detail: "the ledger could not be reopened: \(error)"))
            return nil
        }
        let clock = self.clock, ids = self.ids
        let hooks = hooked ? RequestHooks { [weak self] step, key in
            await self?.hook(instance: number, step: step, key: key) ?? .proceed
        } : nil
        let service = TillService(
            ledger: ledger, processor: processor, clock: { clock.now }, ids: IdSource { ids.make($0) },
            holdWindow: Payment.defaultHoldWindow, owner: RequestOwner(id: "sim-\(number)"), leaseDuration: Self.lease,
            hooks: hooks)
        live[number] = service
        liveOrder.append(number)
        bump(&events, "instance.open")
        log("open i\(number)")
        if startup {
            // As `TillService.open` does on every start: resolve what earlier runs left open.
            busy.insert(number)
            let summary = await service.resolveOpenRequests()
            busy.remove(number)
            log("i\(number) startup resolve recorded \(summary.recorded) released \(summary.released) open \(summary.open)")
            // 6: what was acknowledged before the crash answers the same from the new process.
            for _ in 0..<2 {
                guard violation == nil, live[number] != nil, let key = random.pick(acknowledgedKeys), let op = issued[key] else { break }
                bump(&checkerCounts, Invariant.replay)
                await send(op, on: number)
            }
        }
        return number
    }

    private func drop(_ number: Int) {
        live[number] = nil
        liveOrder.removeAll { $0 == number }
        busy.remove(number)
    }

    /// A live instance that is not inside a request now.
    private func idleInstance() -> Int? {
        random.pick(liveOrder.filter { !busy.contains($0) })
    }

    /// Runs `op` on instance `number` and records what it answered.
    @discardableResult
    private func send(_ op: SimOp, on number: Int) async -> SimAnswer? {
        guard let service = live[number] else { return nil }
        if let key = op.key { issued[key] = issued[key] ?? op }
        log("i\(number) \(op.traceText)")
        busy.insert(number)
        depth += 1
        let answer = await op.run(on: service)
        depth -= 1
        busy.remove(number)
        let crashed = live[number] == nil
        log("i\(number) -> \(crashed ? "crashed" : answer.traceText)")
        bump(&operations, op.kind)
        bump(&outcomes, crashed ? "crashed" : (answer.ok ? "ok" : answer.code))
        remember(op, answer, crashed: crashed)
        return answer
    }

    private func remember(_ op: SimOp, _ answer: SimAnswer, crashed: Bool) {
        if let key = op.key {
            if answer.ok {
                if let earlier = acknowledged[key] {
                    if op == issued[key] && (!answer.replayed || answer.response != earlier) {
                        fail(SimViolation(
                            invariant: Invariant.replay,
                            detail: "key \(key) was acknowledged with \(earlier) and now answers (replayed \(answer.replayed)) \(answer.response)"))
                    }
                } else if op == issued[key] {
                    acknowledged[key] = answer.response
                    acknowledgedKeys.append(key)
                }
            } else if crashed || ["payment_pending", "request_in_progress", "storage_error"].contains(answer.code) {
                if !pendingKeys.contains(key) { pendingKeys.append(key) }
            }
        }
        guard answer.ok else { return }
        if let id = answer.orderId, !knownOrders.contains(id) {
            knownOrders.insert(id)
            orders.append(id)
        }
        switch op {
        case .authorize:
            if let id = answer.paymentId, !knownPayments.contains(id) {
                knownPayments.insert(id)
                gatewayPayments.append(id)
            }
        case .openWallet(let name, let currency, _, _, let customer):
            wallets.append((name, currency, customer))
        default: break
        }
    }

    // MARK: Hooks: crashes and interleavings at the named steps

    private func hook(instance: Int, step requestStep: RequestStep, key: String) async -> StepAction {
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
                    invariant: Invariant.duplicate,
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

    private func resolve(_ service: TillService, number: Int, attention: Bool) async {
        log("i\(number) resolve\(attention ? " including attention" : "")")
        busy.insert(number)
        depth += 1
        let summary = await service.resolveOpenRequests(includingAttention: attention)
        depth -= 1
        busy.remove(number)
        bump(&operations, "resolve")
        log("i\(number) -> recorded \(summary.recorded) released \(summary.released) open \(summary.open)\(live[number] == nil ? " crashed" : "")")
    }

    private func conflicting(with op: SimOp) -> SimOp? {
        switch op {
        case .capture(let paymentId, _, _), .refundPayment(let paymentId, _, _), .void(let paymentId, _),
             .release(let paymentId, _):
            return gatewayOp(on: paymentId)
        case .pay(let orderId, _, _, _), .refund(let orderId, _, _, _, _):
            return random.chance(500) ? payOp(orderId: orderId, tender: nil) : refundOp(orderId: orderId)
        default:
            return nil
        }
    }

    private func injectFault() {
        let operations = GoblinPayOperation.allCases
        let operation = operations[random.below(operations.count)]
        let times = 1 + random.below(3)
        switch random.below(5) {
        case 0:
            goblin.inject(.decline(reason: "sim decline"), on: operation, times: times)
            bump(&faults, "decline.\(operation.rawValue)")
            log("fault decline on \(operation.rawValue) x\(times)")
        case 1:
            goblin.inject(.errorBeforeApplying, on: operation, times: times)
            bump(&faults, "error_before_applying.\(operation.rawValue)")
            log("fault error_before_applying on \(operation.rawValue) x\(times)")
        case 2:
            goblin.inject(.errorAfterApplying, on: operation, times: times)
            bump(&faults, "error_after_applying.\(operation.rawValue)")
            log("fault error_after_applying on \(operation.rawValue) x\(times)")
        case 3:
            goblin.inject(.latency(.zero), on: operation, times: times)
            bump(&faults, "latency.\(operation.rawValue)")
            log("fault latency on \(operation.rawValue) x\(times)")
        default:
            goblin.injectUnknownLookups(times: times)
            bump(&faults, "unknown_lookup")
            log("fault unknown lookups x\(times)")
        }
    }

    // MARK: The workload

    enum Action: CaseIterable {
        case createOrder, payCard, payCash, payWallet, createAndPay, orderRefund, authorize, capture, refundPayment, void
        case release
        case openWallet, credit, debit, retryPending, replayAcknowledged, reuseKey, resolve, clock, faults, restart
        /// Open, pay in, pay out or close a drawer (USD mostly, JPY sometimes), as its state allows.
        case drawer

        var weight: Int {
            switch self {
            case .createOrder: 10
            case .payCard: 14
            case .payCash: 6
            case .payWallet: 5
            case .createAndPay: 8
            case .orderRefund: 9
            case .authorize: 9
            case .capture: 10
            case .refundPayment: 6
            case .void: 3
            case .release: 3
            case .openWallet: 2
            case .credit: 3
            case .debit: 3
            case .retryPending: 8
            case .replayAcknowledged: 3
            case .reuseKey: 2
            case .resolve: 3
            case .clock: 7
            case .faults: 3
            case .restart: 1
            case .drawer: 5
            }
        }

        /// The actions that are requests (what an interleaving may run).
        static let workload: [Action] = [
            .createOrder, .payCard, .payCash, .payWallet, .createAndPay, .orderRefund, .authorize, .capture,
            .refundPayment, .void, .release, .credit, .debit, .drawer,
        ]
    }

    private func topLevel() async {
        // Time passes between requests.
        clock.advance(by: random.between(0, 3_000))
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
                    invariant: Invariant.replay,
                    detail: "key \(key), acknowledged for \(op.traceText), was accepted for \(other.traceText): \(answer.response)"))
            }
        case .resolve:
            guard let number = idleInstance(), let service = live[number] else { return }
            await resolve(service, number: number, attention: random.chance(300))
        case .clock:
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
        case .faults:
            if random.chance(150) {
                goblin.removeAllFaults()
                bump(&faults, "cleared")
                log("faults cleared")
            } else {
                for _ in 0..<(1 + random.below(3)) { injectFault() }
            }
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

    private func newKey() -> String {
        defer { nextKey += 1 }
        return "k\(nextKey)"
    }

    private static func exponent(_ currency: String) -> Int { currency == "JPY" ? 0 : 2 }

    private func amount(_ minor: Int64, _ currency: String) -> String { majorUnits(minor, exponent: Self.exponent(currency)) }

    private func card() -> String {
        let roll = random.below(100)
        switch roll {
        case 0..<40: return GoblinPay.TestCard.approved
        case 40..<65: return cards[random.below(cards.count)]
        default: return GoblinPay.TestCard.all[1 + random.below(GoblinPay.TestCard.all.count - 1)]
        }
    }

    private func read<T>(_ work: (Database) throws -> T) -> T? {
        guard let checkerDatabase else { return nil }
        return try? checkerDatabase.pool.read(work)
    }

    private func generate(_ action: Action) -> SimOp? {
        switch action {
        case .createOrder:
            let currency = random.chance(100) ? "JPY" : "USD"
            return .createOrder(
                email: emails[random.below(emails.count)], amount: amount(random.between(100, 20_000), currency),
                currency: currency, key: newKey())
        case .payCard:
            return random.pick(orders).flatMap { payOp(orderId: $0, tender: .card(number: card(), expiry: SimOp.expiry, cvv: "123")) }
        case .payCash:
            return random.pick(orders).flatMap { payOp(orderId: $0, tender: .cash(tendered: "")) }
        case .payWallet:
            return random.pick(orders).flatMap { payOp(orderId: $0, tender: .wallet(name: "")) }
        case .createAndPay:
            let currency = random.chance(100) ? "JPY" : "USD"
            let total = random.between(100, 20_000)
            let pay = random.chance(600) ? total : random.between(1, total)
            let tender: TenderInput
            switch random.below(10) {
            case 0..<7: tender = .card(number: card(), expiry: SimOp.expiry, cvv: "123")
            case 7, 8: tender = .cash(tendered: amount(pay + random.between(0, 500), currency))
            default: tender = .wallet(name: walletName(currency: currency) ?? "nobody")
            }
            return .createAndPay(
                email: emails[random.below(emails.count)], amount: amount(total, currency), currency: currency,
                pay: amount(pay, currency), tender: tender, key: newKey())
        case .orderRefund:
            return random.pick(orders).flatMap { refundOp(orderId: $0) }
        case .authorize:
            let currency = random.chance(100) ? "JPY" : "USD"
            return .authorize(number: card(), amount: amount(random.between(100, 50_000), currency), currency: currency, key: newKey())
        case .capture, .refundPayment, .void, .release:
            guard let paymentId = random.pick(gatewayPayments) else { return nil }
            return gatewayOp(on: paymentId, kind: action)
        case .openWallet:
            defer { nextWallet += 1 }
            let currency = random.chance(100) ? "JPY" : "USD"
            let overdraft = random.chance(300) ? random.between(100, 5_000) : 0
            return .openWallet(
                name: "w\(nextWallet)", currency: currency, balance: amount(random.between(0, 10_000), currency),
                overdraft: amount(overdraft, currency), customer: random.chance(700) ? emails[random.below(emails.count)] : nil)
        case .credit, .debit:
            guard let wallet = random.pick(wallets) else { return nil }
            let money = amount(random.between(1, 8_000), wallet.currency)
            return action == .credit ? .credit(name: wallet.name, amount: money, key: newKey()) : .debit(name: wallet.name, amount: money, key: newKey())
        case .drawer:
            return drawerOp()
        default:
            return nil
        }
    }

    /// A drawer operation the drawer's state allows: open it when closed; when open, pay in,
    /// pay out, or close it with a count a little over, under or exactly as expected.
    private func drawerOp() -> SimOp? {
        let currency = random.chance(100) ? "JPY" : "USD"
        let expected = read { db in
            try Int64.fetchOne(db, sql: "SELECT expected FROM drawer_sessions WHERE currency = ? AND state = 'open'", arguments: [currency])
        } ?? nil
        guard let expected else {
            return .openDrawer(float: amount(random.between(0, 20_000), currency), currency: currency, key: newKey())
        }
        switch random.below(10) {
        case 0..<4: return .payIn(amount: amount(random.between(1, 5_000), currency), reason: "sim top-up", currency: currency, key: newKey())
        case 4..<7: return .payOut(amount: amount(random.between(1, 5_000), currency), reason: "sim supplier", currency: currency, key: newKey())
        default:
            let counted = max(0, expected + (random.chance(500) ? 0 : random.between(-300, 300)))
            return .closeDrawer(counted: amount(counted, currency), currency: currency, key: newKey())
        }
    }

    private func walletName(currency: String, customer: String? = nil) -> String? {
        let matching = wallets.filter { $0.currency == currency && (customer == nil || $0.customer == customer) }
        return random.pick(matching)?.name
    }

    /// An installment on `orderId`: usually within what is due, sometimes all of it, sometimes more.
    private func payOp(orderId: String, tender: TenderInput?) -> SimOp? {
        guard let (currency, total, paid) = read({ db -> (String, Int64, Int64)? in
            guard let order = try Row.fetchOne(db, sql: "SELECT currency, total, paid FROM orders WHERE id = ?", arguments: [orderId])
            else { return nil }
            return (try order.decode(forColumn: "currency"), try order.decode(forColumn: "total"), try order.decode(forColumn: "paid"))
        }) ?? nil else { return nil }
        let due = max(1, total - paid)
        let roll = random.below(100)
        let minor: Int64 = roll < 55 ? random.between(1, due) : roll < 90 ? due : due + random.between(1, 1_000)
        var chosen = tender ?? .card(number: card(), expiry: SimOp.expiry, cvv: "123")
        switch chosen {
        case .cash: chosen = .cash(tendered: amount(minor + (random.chance(500) ? random.between(0, 2_000) : 0), currency))
        case .wallet: chosen = .wallet(name: walletName(currency: currency) ?? "nobody")
        case .card: break
        }
        if tender == nil, random.chance(400) { chosen = .cash(tendered: amount(minor, currency)) }
        return .pay(orderId: orderId, amount: amount(minor, currency), tender: chosen, key: newKey())
    }

    /// A refund of one of the order's installments: to its tender, or to a wallet of the customer.
    private func refundOp(orderId: String) -> SimOp? {
        let rows = read { db -> [(String, Int64, String, String)] in
            try Row.fetchAll(db, sql: """
                SELECT op.id AS id, op.amount - op.refunded AS refundable, o.currency AS currency, o.email_key AS email
                FROM order_payments op JOIN orders o ON o.id = op.order_id WHERE op.order_id = ? ORDER BY op.position
                """, arguments: [orderId]).map { row in
                (try row.decode(forColumn: "id"), try row.decode(forColumn: "refundable"), try row.decode(forColumn: "currency"),
                 try row.decode(forColumn: "email"))
            }
        } ?? []
        guard let (id, refundable, currency, email) = random.pick(rows) else { return nil }
        let roll = random.below(100)
        let minor: Int64 = roll < 60 ? random.between(1, max(1, refundable)) : roll < 90 ? max(1, refundable) : refundable + random.between(1, 500)
        let toWallet = random.chance(250) ? walletName(currency: currency, customer: random.chance(800) ? email : nil) : nil
        return .refund(orderId: orderId, paymentId: id, amount: amount(minor, currency), key: newKey(), toWallet: toWallet)
    }

    /// A capture, refund, void or release of a gateway payment, sized from what it holds now.
    private func gatewayOp(on paymentId: String, kind: Action? = nil) -> SimOp? {
        guard let (currency, authorized, captured, refunded) = read({ db -> (String, Int64, Int64, Int64)? in
            guard let payment = try Row.fetchOne(
                db, sql: "SELECT currency, authorized, captured, refunded FROM payments WHERE id = ?", arguments: [paymentId])
            else { return nil }
            return (try payment.decode(forColumn: "currency"), try payment.decode(forColumn: "authorized"),
                    try payment.decode(forColumn: "captured"), try payment.decode(forColumn: "refunded"))
        }) ?? nil else { return nil }
        let chosen = kind ?? [Action.capture, .capture, .refundPayment, .void, .release][random.below(5)]
        let roll = random.below(100)
        switch chosen {
        case .capture:
            let rest = max(1, authorized - captured)
            let minor = roll < 50 ? random.between(1, rest) : roll < 90 ? rest : rest + random.between(1, 500)
            return .capture(paymentId: paymentId, amount: amount(minor, currency), key: newKey())
        case .refundPayment:
            let rest = max(1, captured - refunded)
            let minor = roll < 60 ? random.between(1, rest) : roll < 90 ? rest : rest + random.between(1, 500)
            return .refundPayment(paymentId: paymentId, amount: amount(minor, currency), key: newKey())
        case .release:
            return .release(paymentId: paymentId, key: newKey())
        default:
            return .void(paymentId: paymentId, key: newKey())
        }
    }

    // MARK: Checks

    private func check() async {
        guard let checkerDatabase else { return }
        do {
            let entries = try await goblin.ledger.entries()
            var checker = self.checker
            let found = try Self.readNow(checkerDatabase) { db in try checker.afterStep(entries: entries, db: db) }
            self.checker = checker
            if let found { fail(found) }
        } catch {
            fail(SimViolation(invariant: "read", detail: "the ledgers could not be read: \(error)"))
        }
    }

    /// Replays acknowledged requests on a fresh instance, resolves everything with faults off,
    /// then checks every invariant everywhere with nothing left open.
    private func checkpoint(final: Bool) async {
        log(final ? "final check" : "checkpoint")
        bump(&events, final ? "check.final" : "check.checkpoint")
        guard let probeNumber = await openInstance(startup: false, hooked: false), let probe = live[probeNumber] else { return }
        // 6: what was acknowledged answers the same, from a new process.
        let sample = final ? min(acknowledgedKeys.count, 200) : min(acknowledgedKeys.count, 8)
        for _ in 0..<sample {
            guard violation == nil, let key = random.pick(acknowledgedKeys), let op = issued[key], let earlier = acknowledged[key] else { break }
            let answer = await op.run(on: probe)
            bump(&checkerCounts, Invariant.replay)
            if !answer.ok || !answer.replayed || answer.response != earlier {
                fail(SimViolation(
                    invariant: Invariant.replay,
                    detail: "key \(key) (\(op.traceText)) was acknowledged with \(earlier); on a fresh instance it answers \(answer.ok ? "(replayed \(answer.replayed)) \(answer.response)" : "\(answer.code): \(answer.message)")"))
                return
            }
        }
        // 7: with faults off and every lease run out, everything resolves.
        goblin.removeAllFaults()
        var open: [String] = []
        for round in 1...4 {
            clock.advance(by: Self.lease.milliseconds + 1_000)
            let summary = await probe.resolveOpenRequests(includingAttention: true)
            log("settle round \(round): recorded \(summary.recorded) released \(summary.released) open \(summary.open)")
            open = read { db in
                try Row.fetchAll(db, sql: "SELECT key, state, operation FROM idempotency WHERE state IN ('in_progress', 'outcome_unknown') ORDER BY key")
                    .map { row -> String in
                        let key: String = try row.decode(forColumn: "key"), state: String = try row.decode(forColumn: "state")
                        let operation: String = try row.decode(forColumn: "operation")
                        return "\(key) \(operation) \(state)"
                    }
            } ?? ["(the ledger could not be read)"]
            if open.isEmpty { break }
        }
        bump(&checkerCounts, Invariant.resolves)
        if !open.isEmpty {
            fail(SimViolation(invariant: Invariant.resolves, detail: "still open after 4 rounds with faults off: \(open.joined(separator: "; "))"))
            return
        }
        let attention = read { db in
            try Row.fetchAll(db, sql: "SELECT key, operation, attention FROM idempotency WHERE state = 'needs_attention' ORDER BY key")
                .map { row -> String in
                    let key: String = try row.decode(forColumn: "key"), operation: String = try row.decode(forColumn: "operation")
                    let reason: String? = try row.decode(forColumn: "attention")
                    return "\(key) \(operation): \(reason ?? "no reason")"
                }
        } ?? ["(the ledger could not be read)"]
        if !attention.isEmpty {
            fail(SimViolation(invariant: Invariant.resolves, detail: "needs attention after resolution: \(attention.joined(separator: "; "))"))
            return
        }
        // 1-5 with nothing pending, and 8.
        guard let checkerDatabase else { return }
        do {
            let entries = try await goblin.ledger.entries()
            var checker = self.checker
            let found = try Self.readNow(checkerDatabase) { db in try checker.fullCheck(entries: entries, db: db, strict: true) }
            self.checker = checker
            if let found { fail(found); return }
            let integrity = try checkerDatabase.integrityCheck()
            bump(&checkerCounts, Invariant.integrity)
            if integrity != "ok" { fail(SimViolation(invariant: Invariant.integrity, detail: integrity)) }
        } catch {
            fail(SimViolation(invariant: "read", detail: "the ledgers could not be read: \(error)"))
        }
        drop(probeNumber)
        pendingKeys.removeAll { acknowledged[$0] != nil }
    }

    private var checkerCounts: [String: Int] = [:]

    /// A synchronous read on the checker's connection (the run is sequential: nothing waits).
    private static func readNow<T>(_ database: TillDatabase, _ work: (Database) throws -> T) throws -> T {
        try database.pool.read(work)
    }

    var allChecks: [String: Int] { checker.checks.merging(checkerCounts) { $0 + $1 } }
}
