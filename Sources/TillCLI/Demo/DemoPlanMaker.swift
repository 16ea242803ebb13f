import SeededRandom
import TillCore

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
        today = DemoPlan.midnight(now)
        nowOfDay = now - today
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
        while true {
            let back = random.int(Int64(1)...89)
            let midnight = today - back * DemoPlan.day
            let weight = DemoPlan.weekdayWeights[DemoPlan.weekday(midnight)] * (180 - back)
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

    mutating func makeCustomers(_ count: Int) {
        var names = Set<String>(), emails = Set<String>()
        var attempts = 0
        while plan.customers.count < count {
            attempts += 1
            let name: String, given: String, family: String, nonASCII: Bool
            let showcase = plan.customers.count < DemoNames.showcase.count ? DemoNames.showcase[plan.customers.count] : nil
            if let showcase, let eastAsian = DemoNames.eastAsianNames.first(where: { $0.0 == showcase }) {
                (name, given, family) = eastAsian
                nonASCII = true
            } else if let showcase, let first = DemoNames.firstNames.first(where: { $0.0 == showcase }) {
                let last = random.lastName()
                (name, given, family) = (first.0 + " " + last.0, first.1, last.1)
                nonASCII = true
            } else if random.chance(percent: 4) {
                (name, given, family) = random.eastAsianName()
                nonASCII = true
            } else {
                let first = random.firstName(), last = random.lastName()
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
            if nonASCII, random.chance(percent: 30) {
                local = name.lowercased().split(separator: " ").joined(separator: ".").filter { $0 != "'" }
            }
            let domain = random.domain()
            var email = local + "@" + domain
            var suffix = 2
            while emails.contains(Email.key(for: email)) {
                email = "\(local)\(suffix)@\(domain)"
                suffix += 1
            }
            // A few type their address with capitals (matched without regard to case).
            if random.chance(percent: 5) { email = email.prefix(1).uppercased() + email.dropFirst() }
            names.insert(name)
            emails.insert(Email.key(for: email))
            let currency = random.customerCurrency()
            plan.customers.append(DemoCustomer(name: name, email: email, currency: currency, card: random.card(issued: expiryBase), wallet: nil))
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
        if let wallet = customerInfo.wallet, random.chance(percent: 30) { return .wallet(wallet) }
        if random.chance(percent: 60) { return .card(random.chance(percent: 85) ? customerInfo.card : random.card(issued: expiryBase)) }
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
            case 62..<89: amounts = random.split(total, parts: total >= 3000 && random.chance(percent: 40) ? 3 : 2)
            default: amounts = random.chance(percent: 50) ? [] : [max(100, total * random.int(Int64(15)...70) / 100 / 100 * 100)]
            }
            let createAndPay = !amounts.isEmpty && random.chance(percent: kind < 62 ? 35 : 25)
            var installments: [DemoInstallment] = []
            var time = createAndPay ? created : created + random.int(Int64(60)...240) * 1000
            for (number, amount) in amounts.enumerated() {
                if number > 0 { time = random.later(time, days: 2...21) }
                guard time <= latest else { break }
                let tender = tender(customer: customer, amount: amount)
                var declinedFirst = false
                if case .card = tender { declinedFirst = random.chance(percent: 2) }
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
            if paidInFull, random.chance(percent: 6), let last = installments.last {
                let time = random.later(last.time, days: 1...14)
                let amount = random.chance(percent: 45) || last.amount < 200
                    ? last.amount : max(100, last.amount * random.int(Int64(10)...60) / 100)
                let toWallet = plan.customers[customer].wallet.flatMap { random.chance(percent: 40) ? $0 : nil }
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
            let currency = random.weighted([(Currency.usd, 85), (.gbp, 10), (.eur, 5)]) ?? .usd
            let amount = random.int(Int64(1000)...50_000)
            let card = random.card(number: flow == .declined ? DemoCards.declined : nil, issued: expiryBase)
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
            for part in 0..<(random.chance(percent: 50) ? 1 : 2) {
                time = random.later(time, days: 1...20)
                let amount = part == 0 && random.chance(percent: 40) ? refundable : max(100, refundable * random.int(Int64(20)...60) / 100)
                guard time <= latest, amount <= refundable else { break }
                add(.refundPayment(gateway: index, amount: amount), at: time, owner: owner)
                refundable -= amount
            }
        }
    }
}
