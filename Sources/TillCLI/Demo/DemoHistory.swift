import SeededRandom
import TillCore
import TillService

/// The demo's older orders: two years of counter sales before the planned days, for about one
/// customer per twenty orders, the planned regulars among them and the first few of those with
/// thousands of orders each (long histories to page through).
///
/// Made a day at a time, in time order, so a million orders never sit in memory at once: the
/// caller takes batches of whole days and records each in one write. Every order is built by
/// the core (created, paid in installments, refunded), so every row obeys the domain rules.
/// Cash only: no card number anywhere, and no wallet balances to keep in step. Amounts and
/// times come from the seed; ids are time-ordered (so the ledger's indexes grow at their end)
/// with a random tail, as a second run on the same ledger must not repeat them.
struct DemoHistory {
    static let days: Int64 = 730
    static let ordersPerCustomer = 20
    /// The first regulars each take this many orders in a thousand.
    static let heavyRegulars = 4
    static let heavyShare = 4

    let orders: Int
    /// Midnight of the first day, and where history ends: the planned days start there.
    let firstDay: Int64
    let end: Int64
    private var random: SplitMix64
    /// Seeded once from the system (one system call, not one per id).
    private var idRandom = SplitMix64(seed: UInt64.random(in: 0 ... .max))
    let customers: [(email: Email, currency: Currency)]
    /// Orders to make on each day, oldest first; they add up to `orders`.
    private let quotas: [Int]
    private var day = 0

    /// What was made so far.
    private(set) var summary = DemoSummary()
    /// Customers (by index; the planned regulars first) with at least one order.
    private(set) var served: [Bool]

    /// `end`: the first planned day's midnight. `regulars`: the planned customers, who
    /// become the first customers of the history too.
    init(orders: Int, seed: UInt64, end: Int64, regulars: [DemoCustomer]) {
        let orders = max(0, orders), firstDay = end - Self.days * DemoPlan.day
        // Another stream than the plan's, so the planned days stay what they were.
        var random = SplitMix64(seed: seed ^ 0x4849_5354_4F52_5921)
        var customers: [(email: Email, currency: Currency)] = regulars.compactMap { regular in
            guard case .success(let email) = Email.parse(regular.email) else { return nil }
            return (email, regular.currency)
        }
        let count = orders == 0 ? 0 : max(customers.count, orders / Self.ordersPerCustomer, 1)
        while customers.count < count {
            let first = random.firstName(), last = random.lastName()
            // The number keeps tens of thousands of addresses apart (planned ones never end in ".digits").
            let address = "\(first.1).\(last.1).\(customers.count)@\(random.domain())"
            let currency = random.customerCurrency()
            guard case .success(let email) = Email.parse(address) else { continue }
            customers.append((email, currency))
        }

        // Busier on Fridays and Saturdays, and the shop grew by two thirds over the two years.
        let weights = (0..<Self.days).map { index -> Int64 in
            DemoPlan.weekdayWeights[DemoPlan.weekday(firstDay + index * DemoPlan.day)] * (1000 + index)
        }
        let totalWeight = weights.reduce(0, +)
        var cumulative: Int64 = 0, placed = 0, quotas: [Int] = []
        for weight in weights {
            cumulative += weight
            let upTo = Int(Int64(orders) * cumulative / totalWeight)
            quotas.append(upTo - placed)
            placed = upTo
        }

        self.orders = orders
        self.end = end
        self.firstDay = firstDay
        self.random = random
        self.customers = customers
        self.quotas = quotas
        served = Array(repeating: false, count: customers.count)
    }

    /// Midnight (UTC) 90 days before `now`'s day: the planned days, and their wallets, start there.
    static func end(before now: Instant) -> Int64 {
        DemoPlan.midnight(now.millisecondsSinceEpoch) - 90 * DemoPlan.day
    }

    /// The next whole days of orders, at least `count` of them unless history is done; empty
    /// once every day is made.
    mutating func next(atLeast count: Int) -> [Order] {
        var batch: [Order] = []
        while batch.count < count, day < quotas.count {
            batch += makeDay(day)
            day += 1
        }
        return batch
    }

    private mutating func makeDay(_ index: Int) -> [Order] {
        let midnight = firstDay + Int64(index) * DemoPlan.day
        let times = (0..<quotas[index]).map { _ in midnight + random.openingHours() }.sorted()
        return times.compactMap { makeOrder(at: $0) }
    }

    /// About 90% paid in full at once, 7% in two or three installments days apart, 3% left
    /// open or partly paid; 3% of those paid in full are refunded, in full or in part.
    private mutating func makeOrder(at created: Int64) -> Order? {
        let customer = pickCustomer()
        let (email, currency) = customers[customer]
        let total = random.price()
        let amounts: [Int64]
        switch random.below(100) {
        case 0..<90: amounts = [total]
        case 90..<97: amounts = random.split(total, parts: total >= 3000 && random.chance(percent: 40) ? 3 : 2)
        default: amounts = random.chance(percent: 50) ? [] : [max(100, total * random.int(Int64(15)...70) / 100 / 100 * 100)]
        }
        func money(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: currency) }

        guard case .success(var order) = Order.create(
            id: id("ord", created), email: email, total: money(total), at: Instant(millisecondsSinceEpoch: created))
        else { return failed() }
        var time = created + random.int(Int64(0)...240) * 1000
        for (number, amount) in amounts.enumerated() {
            if number > 0 { time = random.later(time, days: 2...21) }
            guard time < end else { break }
            guard case .success(let (paid, _)) = order.recordingPayment(
                id: id("opay", time), amount: money(amount), tender: .cash(tendered: money(random.cashTendered(amount))),
                at: Instant(millisecondsSinceEpoch: time))
            else { return failed() }
            order = paid
        }
        if order.status == .paid, random.chance(percent: 3), let last = order.payments.last {
            let at = random.later(time, days: 1...14)
            let amount = random.chance(percent: 45) || last.amount.minorUnits < 200
                ? last.amount.minorUnits : max(100, last.amount.minorUnits * random.int(Int64(10)...60) / 100)
            if at < end {
                guard case .success(let (refunded, _)) = order.recordingRefund(
                    id: id("ref", at), ofPayment: last.id, amount: money(amount), at: Instant(millisecondsSinceEpoch: at))
                else { return failed() }
                order = refunded
                summary.orderRefunds += 1
            }
        }
        served[customer] = true
        if summary.orders == 0 { summary.firstOrderAt = ISO8601.format(order.createdAt) }
        summary.orders += 1
        summary.payments += order.payments.count
        summary.cashPayments += order.payments.count
        if order.balanceDue.isPositive { summary.openOrders += 1 }
        return order
    }

    /// A heavy regular, else the smaller of two draws: low numbers (regulars) come back most.
    private mutating func pickCustomer() -> Int {
        let roll = random.below(1000)
        if customers.count > Self.heavyRegulars, roll < Self.heavyRegulars * Self.heavyShare { return roll / Self.heavyShare }
        return min(random.below(customers.count), random.below(customers.count))
    }

    private mutating func failed() -> Order? {
        summary.failures += 1
        summary.failureCodes["history", default: 0] += 1
        return nil
    }

    /// "ord_" + the time in 9 base-32 digits + 7 random ones: 16 characters, like the service's.
    private mutating func id(_ prefix: String, _ time: Int64) -> String {
        let tail = RecordId.characters(count: 7) { idRandom.next() }
        return prefix + "_" + RecordId.digits(of: UInt64(max(0, time)), count: 9) + tail
    }
}
