import Foundation
import Synchronization
import TillCore
import TillProcessor
import TillService

/// What `till demo` wrote. Counts are of what the service accepted; `failures` are calls it
/// refused that the plan expected to succeed (there should be none), `declines` the card
/// declines the plan asks for on purpose (a customer whose first card is refused).
struct DemoSummary: Codable, Sendable, CustomStringConvertible {
    var orders = 0
    /// Of `orders`, those written as bulk history before the planned days.
    var historyOrders = 0
    var customers = 0
    /// Order installments taken (every tender).
    var payments = 0
    /// Order refunds plus refunds of standalone card payments.
    var refunds = 0
    /// Standalone card authorizations voided.
    var voids = 0
    /// Wallets opened by this run.
    var wallets = 0

    var seed: UInt64 = 0
    /// Orders left with a balance due (open or partially paid).
    var openOrders = 0
    var cardPayments = 0
    var cashPayments = 0
    var storeCreditPayments = 0
    var orderRefunds = 0
    /// Standalone gateway payments (`payment authorize`) and what followed them.
    var gatewayPayments = 0
    var captures = 0
    var gatewayRefunds = 0
    var walletCredits = 0
    var walletDebits = 0
    var declines = 0
    var failures = 0
    /// Rejection code -> how many times, for the failures.
    var failureCodes: [String: Int] = [:]
    /// Steps left out because an earlier step they depend on failed.
    var skipped = 0
    /// The oldest and newest order created (ISO 8601).
    var firstOrderAt: String?
    var lastOrderAt: String?
    /// Service calls made, and how long the whole run took.
    var calls = 0
    var elapsedMs: Int64 = 0

    var description: String {
        var text = "Demo data: \(orders) orders" + (historyOrders > 0 ? " (\(historyOrders) of them history)" : "")
            + " for \(customers) customers (\(openOrders) still owing), "
            + "\(payments) payments (\(cardPayments) card, \(cashPayments) cash, \(storeCreditPayments) store credit), "
            + "\(refunds) refunds, \(voids) voids, \(wallets) wallets, \(gatewayPayments) card authorizations"
        if let first = firstOrderAt, let last = lastOrderAt { text += ", from \(first.prefix(10)) to \(last.prefix(10))" }
        text += "; \(calls) calls in \(elapsedMs / 1000).\(String(elapsedMs % 1000 / 100)) s."
        if failures > 0 {
            text += "\n\(failures) calls were refused: "
                + failureCodes.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ") + "."
        }
        return text
    }
}

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
enum DemoData {
    /// Steps running at once (independent owners only).
    static let concurrency = 8
    /// The most recent orders, made step by step through the service.
    static let plannedOrders = 2000
    /// History orders recorded per write transaction.
    static let historyBatch = 5000

    static func fill(
        databasePath: String, secretsDirectory: String, orders: Int, planned plannedLimit: Int = plannedOrders, seed: UInt64, now: Instant,
        intoExisting: Bool = false, progress: @Sendable (_ done: Int, _ total: Int) -> Void
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
                ledgerPath: databasePath + ".goblinpay",
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

// MARK: - Randomness

/// SplitMix64 (Steele, Lea, Flood 2014): the demo's only source of randomness for data. Its
/// own bounded draws (not the standard library's), so the data stays the same across Swift
/// versions.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (multiply-shift: a bias below 2^-40 for the demo's small ranges).
    mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if width == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: next().multipliedFullWidth(by: width).high)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int(int(Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    /// Below `bound` (> 0).
    mutating func below(_ bound: Int) -> Int { int(0...max(bound, 1) - 1) }

    /// True `percent` times in a hundred.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Picks by integer weights.
    mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        var roll = below(items.reduce(0) { $0 + $1.1 })
        for (item, weight) in items {
            if roll < weight { return item }
            roll -= weight
        }
        return items[items.count - 1].0
    }
}

// MARK: - The plan

struct DemoCard: Sendable, Hashable {
    var number: String
    var expiry: String
    var cvv: String
}

enum DemoTender: Sendable, Hashable {
    case card(DemoCard)
    case cash(tendered: Int64)
    case wallet(Int)
}

struct DemoCustomer: Sendable {
    var name: String
    var email: String
    var currency: String
    var card: DemoCard
    var wallet: Int?
}

struct DemoWallet: Sendable {
    var name: String
    var owner: Int
    var currency: String
    var overdraft: Int64
}

struct DemoInstallment: Sendable {
    var time: Int64
    var amount: Int64
    var tender: DemoTender
    /// The customer's first card is declined; they pay with theirs.
    var declinedFirst: Bool
}

struct DemoOrder: Sendable {
    var customer: Int
    var currency: String
    var total: Int64
    var created: Int64
    var createAndPay: Bool
    var installments: [DemoInstallment]
}

struct DemoGateway: Sendable {
    var card: DemoCard
    var currency: String
    var amount: Int64
    var declined: Bool
}

enum DemoAction: Sendable {
    case openWallet(Int)
    case credit(wallet: Int, amount: Int64)
    case debit(wallet: Int, amount: Int64)
    case createOrder(Int)
    case createAndPay(order: Int)
    case pay(order: Int, installment: Int)
    case refund(order: Int, installment: Int, amount: Int64, toWallet: Int?)
    case authorize(Int)
    case capture(gateway: Int, amount: Int64)
    case void(gateway: Int)
    case refundPayment(gateway: Int, amount: Int64)

    var order: Int? {
        switch self {
        case .createOrder(let order), .createAndPay(let order), .pay(let order, _), .refund(let order, _, _, _): order
        default: nil
        }
    }
}

struct DemoStep: Sendable {
    /// Epoch milliseconds: the clock while the step runs.
    var time: Int64
    /// Steps of one owner (a customer with their wallet, or one card payment) run in order.
    var owner: Int
    /// Unique within the plan: the idempotency key's suffix and the tie-break of equal times.
    var sequence: Int
    var action: DemoAction
}

struct DemoPlan: Sendable {
    var customers: [DemoCustomer] = []
    var wallets: [DemoWallet] = []
    var orders: [DemoOrder] = []
    var gateways: [DemoGateway] = []
    /// In time order.
    var steps: [DemoStep] = []
    var stepsPerOrder: [Int] = []

    static let day: Int64 = 86_400_000
    static let hour: Int64 = 3_600_000
    static let minute: Int64 = 60_000
    /// GoblinPay's test card declined at authorization.
    static let declinedCard = "4000 0000 0000 0002"

    static func make(orders orderCount: Int, seed: UInt64, now: Instant) -> DemoPlan {
        var maker = PlanMaker(seed: seed, now: now.millisecondsSinceEpoch)
        return maker.make(orderCount: max(0, orderCount))
    }
}

/// Builds a `DemoPlan`; every draw comes from one SplitMix64 in a fixed order.
struct PlanMaker {
    var random: SplitMix64
    /// Midnight (UTC) of `now`'s day, and the time of day of `now`.
    let today: Int64
    let nowOfDay: Int64
    /// Latest time a step may run: a second before `now`.
    let latest: Int64
    var plan = DemoPlan()
    var sequence = 0
    let expiryBase: YearMonth

    init(seed: UInt64, now: Int64) {
        random = SplitMix64(seed: seed)
        var midnight = now / DemoPlan.day * DemoPlan.day
        if midnight > now { midnight -= DemoPlan.day }
        today = midnight
        nowOfDay = now - midnight
        latest = now - 1000
        expiryBase = Instant(millisecondsSinceEpoch: now).utcYearMonth
    }

    mutating func make(orderCount: Int) -> DemoPlan {
        let customerCount = orderCount == 0 ? 0 : min(300, max(1, (orderCount + 7) / 8))
        makeCustomers(customerCount)
        makeWallets(min(30, customerCount == 0 ? 0 : max(1, customerCount / 8)))
        makeOrders(orderCount)
        makeGatewayPayments(orderCount == 0 ? 0 : max(1, orderCount / 20))
        plan.steps.sort { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        balanceWallets()
        plan.stepsPerOrder = Array(repeating: 0, count: plan.orders.count)
        for step in plan.steps {
            if let order = step.action.order { plan.stepsPerOrder[order] += 1 }
        }
        return plan
    }

    mutating func add(_ action: DemoAction, at time: Int64, owner: Int) {
        plan.steps.append(DemoStep(time: time, owner: owner, sequence: sequence, action: action))
        sequence += 1
    }

    // MARK: Time

    /// A day in the past 89 days (not today): busier on Fridays and Saturdays, quieter on
    /// Sundays, slowly busier towards today.
    mutating func pastDay() -> Int64 {
        let weekdayWeights: [Int64] = [60, 80, 85, 90, 95, 115, 130]  // Sunday first
        while true {
            let back = random.int(Int64(1)...89)
            let midnight = today - back * DemoPlan.day
            let weekday = Int(((midnight / DemoPlan.day + 4) % 7 + 7) % 7)
            let weight = weekdayWeights[weekday] * (180 - back)
            if random.int(Int64(0)...130 * 180 - 1) < weight { return midnight }
        }
    }

    /// A time today before `now` leaving room for `margin`, or nil if the day is too young.
    mutating func earlierToday(margin: Int64) -> Int64? {
        let upper = nowOfDay - margin
        guard upper > 0 else { return nil }
        let lower = max(0, min(7 * DemoPlan.hour, upper - DemoPlan.hour), upper - 10 * DemoPlan.hour)
        return today + random.int(lower / 1000...upper / 1000) * 1000
    }

    // MARK: Customers and wallets

    static let firstNames: [(String, String)] = [
        ("Emma", "emma"), ("Liam", "liam"), ("Olivia", "olivia"), ("Noah", "noah"), ("Ava", "ava"),
        ("Ethan", "ethan"), ("Sophia", "sophia"), ("Mason", "mason"), ("Isabella", "isabella"), ("Lucas", "lucas"),
        ("Mia", "mia"), ("James", "james"), ("Amelia", "amelia"), ("Benjamin", "benjamin"), ("Harper", "harper"),
        ("Elijah", "elijah"), ("Charlotte", "charlotte"), ("Daniel", "daniel"), ("Grace", "grace"), ("Henry", "henry"),
        ("Samuel", "samuel"), ("Hannah", "hannah"), ("Jack", "jack"), ("Leah", "leah"), ("Ryan", "ryan"),
        ("Nora", "nora"), ("Priya", "priya"), ("Arjun", "arjun"), ("Aisha", "aisha"), ("Omar", "omar"),
        ("Fatima", "fatima"), ("Mateo", "mateo"), ("Camille", "camille"), ("Kwame", "kwame"), ("Nnamdi", "nnamdi"),
        ("Yuki", "yuki"), ("Mei", "mei"), ("Luis", "luis"), ("Ana", "ana"), ("Sean", "sean"),
        ("José", "jose"), ("Zoë", "zoe"), ("Øyvind", "oyvind"), ("Björn", "bjorn"), ("Chloé", "chloe"),
        ("Renée", "renee"), ("François", "francois"), ("Siobhán", "siobhan"), ("Zoltán", "zoltan"), ("Åsa", "asa"),
        ("Jürgen", "jurgen"), ("Małgorzata", "malgorzata"), ("Søren", "soren"), ("Inès", "ines"), ("Sofía", "sofia"),
    ]

    static let lastNames: [(String, String)] = [
        ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"), ("Brown", "brown"), ("Jones", "jones"),
        ("Miller", "miller"), ("Davis", "davis"), ("Rodriguez", "rodriguez"), ("Martinez", "martinez"), ("Wilson", "wilson"),
        ("Anderson", "anderson"), ("Taylor", "taylor"), ("Thomas", "thomas"), ("Moore", "moore"), ("Jackson", "jackson"),
        ("Martin", "martin"), ("Lee", "lee"), ("Thompson", "thompson"), ("White", "white"), ("Harris", "harris"),
        ("Clark", "clark"), ("Lewis", "lewis"), ("Walker", "walker"), ("Hall", "hall"), ("Young", "young"),
        ("King", "king"), ("Wright", "wright"), ("Patel", "patel"), ("Nguyen", "nguyen"), ("Kim", "kim"),
        ("Chen", "chen"), ("Singh", "singh"), ("Okafor", "okafor"), ("Mensah", "mensah"), ("Murphy", "murphy"),
        ("O'Brien", "obrien"), ("Dubois", "dubois"), ("Rossi", "rossi"), ("Kowalski", "kowalski"), ("Cohen", "cohen"),
        ("García", "garcia"), ("Müller", "mueller"), ("Nørgaard", "norgaard"), ("Łukasiewicz", "lukasiewicz"),
        ("Ó Briain", "obriain"), ("Fernández", "fernandez"), ("Šimić", "simic"), ("Novák", "novak"),
        ("Weiß", "weiss"), ("Lindqvist", "lindqvist"), ("Haddad", "haddad"), ("Tanaka", "tanaka"),
    ]

    /// Names written family name first, as their owners write them: (name, given, family).
    static let eastAsianNames: [(String, String, String)] = [
        ("李雷", "lei", "li"), ("韩梅梅", "meimei", "han"), ("王芳", "fang", "wang"),
        ("佐藤健", "ken", "sato"), ("김민준", "minjun", "kim"), ("陈静", "jing", "chen"),
    ]

    /// The first customers, the shop's best regulars, show off names beyond ASCII.
    static let showcase = ["José", "李雷", "Zoë", "Øyvind"]

    static let domains = ["example.com", "example.net", "example.org", "mail.example", "inbox.example"]

    /// Valid card numbers (as typed, with spaces) and how often customers carry them.
    static let cards: [(String, Int)] = [
        ("4242 4242 4242 4242", 40),  // visa, GoblinPay's always-approved test card
        ("4012 8888 8888 1881", 8),  // visa
        ("5555 5555 5555 4444", 20),  // mastercard
        ("2223 0031 2200 3222", 5),  // mastercard (2-series)
        ("3782 822463 10005", 15),  // amex: 4-digit security code
        ("6011 1111 1111 1117", 12),  // discover
    ]

    mutating func card(number: String? = nil) -> DemoCard {
        let number = number ?? random.weighted(Self.cards)
        let months = expiryBase.month - 1 + random.int(12...59)
        let year = expiryBase.year + months / 12, month = months % 12 + 1
        let expiry = (month < 10 ? "0" : "") + "\(month)/" + (year % 100 < 10 ? "0" : "") + "\(year % 100)"
        let cvvLength = number.hasPrefix("34") || number.hasPrefix("37") ? 4 : 3
        let cvv = String((0..<cvvLength).map { _ in Character(String(random.below(10))) })
        return DemoCard(number: number, expiry: expiry, cvv: cvv)
    }

    mutating func makeCustomers(_ count: Int) {
        var names = Set<String>(), emails = Set<String>()
        var attempts = 0
        while plan.customers.count < count {
            attempts += 1
            let name: String, given: String, family: String, nonASCII: Bool
            let showcase = plan.customers.count < Self.showcase.count ? Self.showcase[plan.customers.count] : nil
            if let showcase, let eastAsian = Self.eastAsianNames.first(where: { $0.0 == showcase }) {
                (name, given, family) = eastAsian
                nonASCII = true
            } else if let showcase, let first = Self.firstNames.first(where: { $0.0 == showcase }) {
                let last = random.pick(Self.lastNames)
                (name, given, family) = (first.0 + " " + last.0, first.1, last.1)
                nonASCII = true
            } else if random.chance(4) {
                (name, given, family) = random.pick(Self.eastAsianNames)
                nonASCII = true
            } else {
                let first = random.pick(Self.firstNames), last = random.pick(Self.lastNames)
                (name, given, family) = (first.0 + " " + last.0, first.1, last.1)
                nonASCII = first.0 != first.0.filter(\.isASCII) || last.0 != last.0.filter(\.isASCII)
            }
            guard attempts > 20 * count || !names.contains(name) else { continue }
            var local: String
            switch random.below(10) {
            case 0..<4: local = "\(given).\(family)"
            case 4..<6: local = "\(given)\(family)"
            case 6: local = "\(given.prefix(1)).\(family)"
            case 7: local = "\(given)_\(family)"
            default: local = "\(given).\(family)\(random.int(1...99))"
            }
            // Some people keep the letters of their name in their address.
            if nonASCII, random.chance(30) {
                local = name.lowercased().split(separator: " ").joined(separator: ".").filter { $0 != "'" }
            }
            let domain = random.pick(Self.domains)
            var email = local + "@" + domain
            var suffix = 2
            while emails.contains(Email.key(for: email)) {
                email = "\(local)\(suffix)@\(domain)"
                suffix += 1
            }
            // A few type their address with capitals (matched without regard to case).
            if random.chance(5) { email = email.prefix(1).uppercased() + email.dropFirst() }
            names.insert(name)
            emails.insert(Email.key(for: email))
            let currency = random.weighted([("USD", 90), ("EUR", 6), ("GBP", 4)])
            plan.customers.append(DemoCustomer(name: name, email: email, currency: currency, card: card(), wallet: nil))
        }
    }

    /// Regulars: low customer numbers come up more often (the smaller of two draws).
    mutating func regular() -> Int {
        min(random.below(plan.customers.count), random.below(plan.customers.count))
    }

    mutating func makeWallets(_ count: Int) {
        let openedAt = today - 90 * DemoPlan.day + 8 * DemoPlan.hour
        var owners = Set<Int>()
        for index in 0..<count {
            // The best regular (a showcase name) always has store credit.
            var owner = index == 0 ? 0 : regular()
            while owners.contains(owner) { owner = (owner + 1) % plan.customers.count }
            owners.insert(owner)
            let houseAccount = index % 3 == 2
            let customer = plan.customers[owner]
            let wallet = DemoWallet(
                name: customer.name + (houseAccount ? " house account" : " store credit"), owner: owner,
                currency: customer.currency, overdraft: houseAccount ? random.int(Int64(1)...5) * 10_000 : 0)
            plan.customers[owner].wallet = plan.wallets.count
            plan.wallets.append(wallet)
            let id = plan.wallets.count - 1
            let opened = openedAt + Int64(index) * DemoPlan.minute
            add(.openWallet(id), at: opened, owner: owner)
            if !houseAccount {
                // A gift card bought with money on it.
                add(.credit(wallet: id, amount: random.int(Int64(5)...30) * 1000), at: opened + DemoPlan.minute, owner: owner)
            }
            for _ in 0..<random.int(1...3) {
                let time = pastDay() + random.openingHours()
                add(.credit(wallet: id, amount: random.int(Int64(20)...150) * 100), at: time, owner: owner)
            }
            for _ in 0..<(houseAccount ? random.int(2...5) : random.int(0...1)) {
                let time = pastDay() + random.openingHours()
                add(.debit(wallet: id, amount: random.int(Int64(1500)...12_000)), at: time, owner: owner)
            }
        }
    }

    // MARK: Orders

    mutating func tender(customer: Int, amount: Int64) -> DemoTender {
        let customerInfo = plan.customers[customer]
        if let wallet = customerInfo.wallet, random.chance(30) { return .wallet(wallet) }
        if random.chance(60) { return .card(random.chance(85) ? customerInfo.card : card()) }
        return .cash(tendered: random.cashTendered(amount))
    }

    /// Orders of regulars in their currency: about 62% paid in full at once, 27% in two or
    /// three installments days apart (recent ones not finished yet), 11% left open or partly
    /// paid; a third of the first payments are create-and-pay; 2% of card payments are first
    /// tried with a card that is declined; about 6% of orders paid in full get a refund.
    mutating func makeOrders(_ count: Int) {
        guard !plan.customers.isEmpty else { return }
        let todayCount = count >= 20 ? max(3, count / 60) : (count >= 5 ? 1 : 0)
        for index in 0..<count {
            let customer = regular()
            var created: Int64
            if index < todayCount, let time = earlierToday(margin: 10 * DemoPlan.minute) {
                created = time
            } else {
                created = pastDay() + random.openingHours()
            }
            let total = random.price()
            let currency = plan.customers[customer].currency
            let amounts: [Int64]
            let kind = random.below(100)
            switch kind {
            case 0..<62: amounts = [total]
            case 62..<89: amounts = random.split(total, parts: total >= 3000 && random.chance(40) ? 3 : 2)
            default: amounts = random.chance(50) ? [] : [max(100, total * random.int(Int64(15)...70) / 100 / 100 * 100)]
            }
            let createAndPay = !amounts.isEmpty && random.chance(kind < 62 ? 35 : 25)
            var installments: [DemoInstallment] = []
            var time = createAndPay ? created : created + random.int(Int64(60)...240) * 1000
            for (number, amount) in amounts.enumerated() {
                if number > 0 { time = random.later(time, days: 2...21) }
                guard time <= latest else { break }
                let tender = tender(customer: customer, amount: amount)
                var declinedFirst = false
                if case .card = tender { declinedFirst = random.chance(2) }
                installments.append(DemoInstallment(time: time, amount: amount, tender: tender, declinedFirst: declinedFirst))
            }
            let order = plan.orders.count
            plan.orders.append(DemoOrder(
                customer: customer, currency: currency, total: total, created: created,
                createAndPay: createAndPay && !installments.isEmpty, installments: installments))
            if plan.orders[order].createAndPay {
                add(.createAndPay(order: order), at: created, owner: customer)
            } else {
                add(.createOrder(order), at: created, owner: customer)
            }
            for number in installments.indices where number > 0 || !plan.orders[order].createAndPay {
                add(.pay(order: order, installment: number), at: installments[number].time, owner: customer)
            }
            // About one paid order in twenty comes back.
            let paidInFull = installments.reduce(0) { $0 + $1.amount } == total
            if paidInFull, random.chance(6), let last = installments.last {
                let time = random.later(last.time, days: 1...14)
                let amount = random.chance(45) || last.amount < 200
                    ? last.amount : max(100, last.amount * random.int(Int64(10)...60) / 100)
                let toWallet = plan.customers[customer].wallet.flatMap { random.chance(40) ? $0 : nil }
                if time <= latest {
                    add(.refund(order: order, installment: installments.count - 1, amount: amount, toWallet: toWallet),
                        at: time, owner: customer)
                }
            }
        }
    }

    // MARK: Standalone card payments

    enum GatewayFlow { case capture, partial, void, hold, declined }

    /// Twenty in a row: 9 captured in full, 4 in part, 4 voided, 2 held (some expire), 1 declined.
    static let flows: [GatewayFlow] = [
        .capture, .void, .partial, .capture, .capture, .hold, .void, .capture, .partial, .capture,
        .declined, .capture, .void, .partial, .capture, .hold, .capture, .void, .partial, .capture,
    ]

    mutating func makeGatewayPayments(_ count: Int) {
        let base = plan.customers.count
        for index in 0..<count {
            let owner = base + index
            let flow = Self.flows[index % Self.flows.count]
            var time = (index % 25 == 3 ? earlierToday(margin: 3 * DemoPlan.hour) : nil) ?? (pastDay() + random.openingHours())
            time = min(time, latest)
            let currency = random.weighted([("USD", 85), ("GBP", 10), ("EUR", 5)])
            let amount = random.int(Int64(1000)...50_000)
            let card = flow == .declined ? card(number: DemoPlan.declinedCard) : card()
            plan.gateways.append(DemoGateway(card: card, currency: currency, amount: amount, declined: flow == .declined))
            add(.authorize(index), at: time, owner: owner)
            var captured: Int64 = 0
            switch flow {
            case .capture:
                time += random.int(Int64(10)...36 * 60) * DemoPlan.minute
                guard time <= latest else { continue }
                add(.capture(gateway: index, amount: amount), at: time, owner: owner)
                captured = amount
            case .partial:
                var left = amount
                for _ in 0..<random.int(1...2) {
                    time += random.int(Int64(10)...24 * 60) * DemoPlan.minute
                    let part = max(100, left * random.int(Int64(30)...70) / 100)
                    guard time <= latest, part < left else { break }
                    add(.capture(gateway: index, amount: part), at: time, owner: owner)
                    captured += part
                    left -= part
                }
            case .void:
                time += random.int(Int64(5)...48 * 60) * DemoPlan.minute
                if time <= latest { add(.void(gateway: index), at: time, owner: owner) }
            case .hold, .declined:
                break
            }
            // Every fourth card payment, if captured, is refunded, in full or in one or two parts.
            guard captured > 0, index % 4 == 0 else { continue }
            var refundable = captured
            for part in 0..<(random.chance(50) ? 1 : 2) {
                time = random.later(time, days: 1...20)
                let amount = part == 0 && random.chance(40) ? refundable : max(100, refundable * random.int(Int64(20)...60) / 100)
                guard time <= latest, amount <= refundable else { break }
                add(.refundPayment(gateway: index, amount: amount), at: time, owner: owner)
                refundable -= amount
            }
        }
    }

    // MARK: Wallet balances

    /// Walks the steps in time order keeping each wallet's balance, so that every store-credit
    /// payment and debit fits what is available: a payment that would not is taken by card, a
    /// debit is cut to what is available (or dropped).
    mutating func balanceWallets() {
        var balance = Array(repeating: Int64(0), count: plan.wallets.count)
        var dropped = Set<Int>()
        func available(_ wallet: Int) -> Int64 { balance[wallet] + plan.wallets[wallet].overdraft }
        for (position, step) in plan.steps.enumerated() {
            switch step.action {
            case .credit(let wallet, let amount):
                balance[wallet] += amount
            case .debit(let wallet, let amount):
                let fitted = min(amount, available(wallet))
                if fitted < 100 {
                    dropped.insert(position)
                } else {
                    plan.steps[position].action = .debit(wallet: wallet, amount: fitted)
                    balance[wallet] -= fitted
                }
            case .createAndPay(let order):
                spend(order: order, installment: 0, balance: &balance)
            case .pay(let order, let installment):
                spend(order: order, installment: installment, balance: &balance)
            case .refund(let order, let installment, let amount, let toWallet):
                if let wallet = toWallet {
                    balance[wallet] += amount
                } else if case .wallet(let wallet) = plan.orders[order].installments[installment].tender {
                    balance[wallet] += amount
                }
            default:
                break
            }
        }
        if !dropped.isEmpty {
            plan.steps = plan.steps.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
    }

    private mutating func spend(order: Int, installment: Int, balance: inout [Int64]) {
        guard case .wallet(let wallet) = plan.orders[order].installments[installment].tender else { return }
        let amount = plan.orders[order].installments[installment].amount
        if amount <= balance[wallet] + plan.wallets[wallet].overdraft {
            balance[wallet] -= amount
        } else {
            plan.orders[order].installments[installment].tender = .card(plan.customers[plan.orders[order].customer].card)
        }
    }
}

// MARK: - Running the plan

/// The clock of one concurrent slot: set to each step's time before the step runs.
final class DemoClock: Sendable {
    private let value: Mutex<Instant>

    init(_ start: Instant) { value = Mutex(start) }

    func read() -> Instant { value.withLock { $0 } }

    func set(_ milliseconds: Int64) { value.withLock { $0 = Instant(millisecondsSinceEpoch: milliseconds) } }
}

/// Runs steps against the service and remembers what they created (ids, wallet names,
/// balances) for the steps that follow.
final class DemoRunner: Sendable {
    let plan: DemoPlan
    let keyPrefix: String
    private let memory = Mutex(Memory())

    struct Memory {
        var orderIds: [Int: String] = [:]
        var installmentIds: [Int: [Int: String]] = [:]
        var balanceDue: [Int: Int64] = [:]
        var gatewayIds: [Int: String] = [:]
        var walletNames: [Int: String] = [:]
    }

    init(plan: DemoPlan, keyPrefix: String) {
        self.plan = plan
        self.keyPrefix = keyPrefix
    }

    func finish(_ summary: inout DemoSummary) {
        let memory = memory.withLock { $0 }
        summary.orders = memory.orderIds.count
        summary.customers = servedCustomers().count
        summary.openOrders = memory.balanceDue.values.filter { $0 > 0 }.count
        let times = memory.orderIds.keys.map { plan.orders[$0].created }
        summary.firstOrderAt = times.min().map { Timestamp.iso8601(Instant(millisecondsSinceEpoch: $0)) }
        summary.lastOrderAt = times.max().map { Timestamp.iso8601(Instant(millisecondsSinceEpoch: $0)) }
        summary.refunds = summary.orderRefunds + summary.gatewayRefunds
    }

    /// The plan's customers with an order.
    func servedCustomers() -> Set<Int> {
        Set(memory.withLock { $0.orderIds.keys }.map { plan.orders[$0].customer })
    }

    private func remember(_ change: (inout Memory) -> Void) { memory.withLock { change(&$0) } }
    private func recall<T>(_ read: (Memory) -> T?) -> T? { memory.withLock { read($0) } }

    func run(_ step: DemoStep, service: TillService, clock: DemoClock) async -> DemoSummary {
        clock.set(step.time)
        var tally = DemoSummary()
        let key = "\(keyPrefix)-\(step.sequence)"
        func failed(_ rejection: Rejection) {
            tally.failures += 1
            tally.failureCodes[rejection.code.rawValue, default: 0] += 1
        }
        switch step.action {
        case .openWallet(let id):
            let wallet = plan.wallets[id]
            // A name taken (by an earlier demo) gets a number: this run appends.
            var attempt = 1
            while true {
                let name = attempt == 1 ? wallet.name : "\(wallet.name) \(attempt)"
                tally.calls += 1
                let result = await service.openWallet(
                    name: name, currency: wallet.currency,
                    overdraft: wallet.overdraft > 0 ? Self.text(wallet.overdraft) : nil,
                    customer: plan.customers[wallet.owner].email)
                if case .failure(let rejection) = result, rejection.code == .walletExists, attempt < 50 {
                    attempt += 1
                    continue
                }
                switch result {
                case .success(let view):
                    remember { $0.walletNames[id] = view.name }
                    tally.wallets += 1
                case .failure(let rejection):
                    failed(rejection)
                }
                break
            }

        case .credit(let id, let amount), .debit(let id, let amount):
            guard let name = recall({ $0.walletNames[id] }) else { tally.skipped += 1; break }
            tally.calls += 1
            let isCredit = if case .credit = step.action { true } else { false }
            let result = isCredit
                ? await service.credit(name: name, amount: Self.text(amount), key: key)
                : await service.debit(name: name, amount: Self.text(amount), key: key)
            switch result {
            case .success:
                if isCredit { tally.walletCredits += 1 } else { tally.walletDebits += 1 }
            case .failure(let rejection): failed(rejection)
            }

        case .createOrder(let id):
            let order = plan.orders[id], customer = plan.customers[order.customer]
            tally.calls += 1
            switch await service.createOrder(email: customer.email, amount: Self.text(order.total), currency: order.currency, key: key) {
            case .success(let keyed):
                remember {
                    $0.orderIds[id] = keyed.response.id
                    $0.balanceDue[id] = keyed.response.balanceDue
                }
            case .failure(let rejection): failed(rejection)
            }

        case .createAndPay(let id):
            let order = plan.orders[id], customer = plan.customers[order.customer]
            guard let installment = order.installments.first else { break }
            let partial = installment.amount < order.total ? Self.text(installment.amount) : nil
            if installment.declinedFirst {
                tally.calls += 1
                _ = await service.createAndPay(
                    email: customer.email, amount: Self.text(order.total), currency: order.currency, pay: partial,
                    tender: declined(installment.tender), key: key + "-declined")
                tally.declines += 1
            }
            tally.calls += 1
            let result = await service.createAndPay(
                email: customer.email, amount: Self.text(order.total), currency: order.currency, pay: partial,
                tender: tender(installment.tender), key: key)
            switch result {
            case .success(let keyed):
                remember {
                    $0.orderIds[id] = keyed.response.order.id
                    $0.balanceDue[id] = keyed.response.order.balanceDue
                    $0.installmentIds[id, default: [:]][0] = keyed.response.payment.id
                }
                count(installment.tender, in: &tally)
            case .failure(let rejection): failed(rejection)
            }

        case .pay(let id, let number):
            guard let orderId = recall({ $0.orderIds[id] }) else { tally.skipped += 1; break }
            let installment = plan.orders[id].installments[number]
            if installment.declinedFirst {
                tally.calls += 1
                _ = await service.pay(orderId: orderId, amount: Self.text(installment.amount), tender: declined(installment.tender), key: key + "-declined")
                tally.declines += 1
            }
            tally.calls += 1
            switch await service.pay(orderId: orderId, amount: Self.text(installment.amount), tender: tender(installment.tender), key: key) {
            case .success(let keyed):
                remember {
                    $0.balanceDue[id] = keyed.response.order.balanceDue
                    $0.installmentIds[id, default: [:]][number] = keyed.response.payment.id
                }
                count(installment.tender, in: &tally)
            case .failure(let rejection): failed(rejection)
            }

        case .refund(let id, let number, let amount, let toWallet):
            guard let orderId = recall({ $0.orderIds[id] }), let paymentId = recall({ $0.installmentIds[id]?[number] }) else {
                tally.skipped += 1
                break
            }
            let walletName = toWallet.flatMap { wallet in recall { $0.walletNames[wallet] } }
            tally.calls += 1
            switch await service.refund(orderId: orderId, paymentId: paymentId, amount: Self.text(amount), key: key, toWallet: walletName) {
            case .success: tally.orderRefunds += 1
            case .failure(let rejection): failed(rejection)
            }

        case .authorize(let id):
            let gateway = plan.gateways[id]
            tally.calls += 1
            let result = await service.authorize(
                number: gateway.card.number, expiry: gateway.card.expiry, cvv: gateway.card.cvv,
                amount: Self.text(gateway.amount), currency: gateway.currency, key: key)
            switch result {
            case .success(let keyed):
                remember { $0.gatewayIds[id] = keyed.response.id }
                tally.gatewayPayments += 1
            case .failure(let rejection):
                if gateway.declined, rejection.code == .processorDeclined { tally.declines += 1 } else { failed(rejection) }
            }

        case .capture(let id, let amount), .refundPayment(let id, let amount):
            guard let paymentId = recall({ $0.gatewayIds[id] }) else { tally.skipped += 1; break }
            tally.calls += 1
            let isCapture = if case .capture = step.action { true } else { false }
            let result = isCapture
                ? await service.capture(paymentId: paymentId, amount: Self.text(amount), key: key)
                : await service.refundPayment(paymentId: paymentId, amount: Self.text(amount), key: key)
            switch result {
            case .success:
                if isCapture { tally.captures += 1 } else { tally.gatewayRefunds += 1 }
            case .failure(let rejection): failed(rejection)
            }

        case .void(let id):
            guard let paymentId = recall({ $0.gatewayIds[id] }) else { tally.skipped += 1; break }
            tally.calls += 1
            switch await service.void(paymentId: paymentId, key: key) {
            case .success: tally.voids += 1
            case .failure(let rejection): failed(rejection)
            }
        }
        return tally
    }

    private func count(_ tender: DemoTender, in tally: inout DemoSummary) {
        tally.payments += 1
        switch tender {
        case .card: tally.cardPayments += 1
        case .cash: tally.cashPayments += 1
        case .wallet: tally.storeCreditPayments += 1
        }
    }

    private func tender(_ tender: DemoTender) -> TenderInput {
        switch tender {
        case .card(let card): return .card(number: card.number, expiry: card.expiry, cvv: card.cvv)
        case .cash(let tendered): return .cash(tendered: Self.text(tendered))
        case .wallet(let id): return .wallet(name: recall { $0.walletNames[id] } ?? plan.wallets[id].name)
        }
    }

    private func declined(_ tender: DemoTender) -> TenderInput {
        guard case .card(let card) = tender else { return self.tender(tender) }
        return .card(number: DemoPlan.declinedCard, expiry: card.expiry, cvv: String(card.cvv.prefix(3)))
    }

    /// Minor units as typed, in the demo's two-decimal currencies ("12.05").
    static func text(_ minorUnits: Int64) -> String {
        let cents = minorUnits % 100
        return "\(minorUnits / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}

extension DemoSummary {
    /// Adds the history before the planned days; `served` are the planned customers with an
    /// order (the history's first customers are the same people).
    mutating func add(history: DemoHistory, served: Set<Int>) {
        let part = history.summary
        historyOrders = part.orders
        orders += part.orders
        payments += part.payments
        cashPayments += part.cashPayments
        orderRefunds += part.orderRefunds
        refunds += part.orderRefunds
        openOrders += part.openOrders
        failures += part.failures
        failureCodes.merge(part.failureCodes, uniquingKeysWith: +)
        customers = history.served.indices.filter { history.served[$0] || served.contains($0) }.count
        if let first = part.firstOrderAt { firstOrderAt = first }
    }

    mutating func add(_ other: DemoSummary) {
        payments += other.payments
        voids += other.voids
        wallets += other.wallets
        cardPayments += other.cardPayments
        cashPayments += other.cashPayments
        storeCreditPayments += other.storeCreditPayments
        orderRefunds += other.orderRefunds
        gatewayPayments += other.gatewayPayments
        captures += other.captures
        gatewayRefunds += other.gatewayRefunds
        walletCredits += other.walletCredits
        walletDebits += other.walletDebits
        declines += other.declines
        failures += other.failures
        failureCodes.merge(other.failureCodes, uniquingKeysWith: +)
        skipped += other.skipped
        calls += other.calls
    }
}
