import Synchronization
import TillCore
import TillService

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
        summary.firstOrderAt = times.min().map { ISO8601.format(Instant(millisecondsSinceEpoch: $0)) }
        summary.lastOrderAt = times.max().map { ISO8601.format(Instant(millisecondsSinceEpoch: $0)) }
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
        /// Counts a service call; its answer if accepted, else nil and a failure counted.
        func accepted<Answer>(_ result: Result<Answer, Rejection>) -> Answer? {
            tally.calls += 1
            switch result {
            case .success(let answer): return answer
            case .failure(let rejection):
                tally.failures += 1
                tally.failureCodes[rejection.code.rawValue, default: 0] += 1
                return nil
            }
        }
        switch step.action {
        case .openWallet(let id):
            let wallet = plan.wallets[id]
            // A name taken (by an earlier demo) gets a number: this run appends.
            for attempt in 1...50 {
                let result = await service.openWallet(
                    name: attempt == 1 ? wallet.name : "\(wallet.name) \(attempt)", currency: wallet.currency.code,
                    overdraft: wallet.overdraft > 0 ? Self.text(wallet.overdraft, wallet.currency) : nil,
                    customer: plan.customers[wallet.owner].email)
                if case .failure(let rejection) = result, rejection.code == .walletExists, attempt < 50 {
                    tally.calls += 1
                    continue
                }
                if let view = accepted(result) {
                    remember { $0.walletNames[id] = view.name }
                    tally.wallets += 1
                }
                break
            }

        case .credit(let id, let amount):
            guard let name = recall({ $0.walletNames[id] }) else { tally.skipped += 1; break }
            let amount = Self.text(amount, plan.wallets[id].currency)
            if accepted(await service.credit(name: name, amount: amount, key: key)) != nil { tally.walletCredits += 1 }

        case .debit(let id, let amount):
            guard let name = recall({ $0.walletNames[id] }) else { tally.skipped += 1; break }
            let amount = Self.text(amount, plan.wallets[id].currency)
            if accepted(await service.debit(name: name, amount: amount, key: key)) != nil { tally.walletDebits += 1 }

        case .createOrder(let id):
            let order = plan.orders[id], customer = plan.customers[order.customer]
            let total = Self.text(order.total, order.currency)
            if let keyed = accepted(await service.createOrder(email: customer.email, amount: total, currency: order.currency.code, key: key)) {
                remember {
                    $0.orderIds[id] = keyed.response.id
                    $0.balanceDue[id] = keyed.response.balanceDue
                }
            }

        case .createAndPay(let id):
            let order = plan.orders[id], customer = plan.customers[order.customer]
            guard let installment = order.installments.first else { break }
            let total = Self.text(order.total, order.currency)
            let partial = installment.amount < order.total ? Self.text(installment.amount, order.currency) : nil
            if installment.declinedFirst {
                tally.calls += 1
                _ = await service.createAndPay(
                    email: customer.email, amount: total, currency: order.currency.code, pay: partial,
                    tender: declined(installment.tender, order.currency), key: key + "-declined")
                tally.declines += 1
            }
            let result = await service.createAndPay(
                email: customer.email, amount: total, currency: order.currency.code, pay: partial,
                tender: tender(installment.tender, order.currency), key: key)
            if let keyed = accepted(result) {
                remember {
                    $0.orderIds[id] = keyed.response.order.id
                    $0.balanceDue[id] = keyed.response.order.balanceDue
                    $0.installmentIds[id, default: [:]][0] = keyed.response.payment.id
                }
                count(installment.tender, in: &tally)
            }

        case .pay(let id, let number):
            guard let orderId = recall({ $0.orderIds[id] }) else { tally.skipped += 1; break }
            let currency = plan.orders[id].currency, installment = plan.orders[id].installments[number]
            let amount = Self.text(installment.amount, currency)
            if installment.declinedFirst {
                tally.calls += 1
                _ = await service.pay(orderId: orderId, amount: amount, tender: declined(installment.tender, currency), key: key + "-declined")
                tally.declines += 1
            }
            if let keyed = accepted(await service.pay(orderId: orderId, amount: amount, tender: tender(installment.tender, currency), key: key)) {
                remember {
                    $0.balanceDue[id] = keyed.response.order.balanceDue
                    $0.installmentIds[id, default: [:]][number] = keyed.response.payment.id
                }
                count(installment.tender, in: &tally)
            }

        case .refund(let id, let number, let amount, let toWallet):
            guard let orderId = recall({ $0.orderIds[id] }), let paymentId = recall({ $0.installmentIds[id]?[number] }) else {
                tally.skipped += 1
                break
            }
            let walletName = toWallet.flatMap { wallet in recall { $0.walletNames[wallet] } }
            let amount = Self.text(amount, plan.orders[id].currency)
            if accepted(await service.refund(orderId: orderId, paymentId: paymentId, amount: amount, key: key, toWallet: walletName)) != nil {
                tally.orderRefunds += 1
            }

        case .authorize(let id):
            let gateway = plan.gateways[id]
            let result = await service.authorize(
                number: gateway.card.number, expiry: gateway.card.expiry, cvv: gateway.card.cvv,
                amount: Self.text(gateway.amount, gateway.currency), currency: gateway.currency.code, key: key)
            if case .failure(let rejection) = result, gateway.declined, rejection.code == .processorDeclined {
                // The plan asked for this decline.
                tally.calls += 1
                tally.declines += 1
            } else if let keyed = accepted(result) {
                remember { $0.gatewayIds[id] = keyed.response.id }
                tally.gatewayPayments += 1
            }

        case .capture(let id, let amount):
            guard let paymentId = recall({ $0.gatewayIds[id] }) else { tally.skipped += 1; break }
            let amount = Self.text(amount, plan.gateways[id].currency)
            if accepted(await service.capture(paymentId: paymentId, amount: amount, key: key)) != nil { tally.captures += 1 }

        case .refundPayment(let id, let amount):
            guard let paymentId = recall({ $0.gatewayIds[id] }) else { tally.skipped += 1; break }
            let amount = Self.text(amount, plan.gateways[id].currency)
            if accepted(await service.refundPayment(paymentId: paymentId, amount: amount, key: key)) != nil { tally.gatewayRefunds += 1 }

        case .void(let id):
            guard let paymentId = recall({ $0.gatewayIds[id] }) else { tally.skipped += 1; break }
            if accepted(await service.void(paymentId: paymentId, key: key)) != nil { tally.voids += 1 }
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

    private func tender(_ tender: DemoTender, _ currency: Currency) -> TenderInput {
        switch tender {
        case .card(let card): return .card(number: card.number, expiry: card.expiry, cvv: card.cvv)
        case .cash(let tendered): return .cash(tendered: Self.text(tendered, currency))
        case .wallet(let id): return .wallet(name: recall { $0.walletNames[id] } ?? plan.wallets[id].name)
        }
    }

    /// The customer's card swapped for GoblinPay's declined one (its security code cut to
    /// that card's length).
    private func declined(_ tender: DemoTender, _ currency: Currency) -> TenderInput {
        guard case .card(let card) = tender else { return self.tender(tender, currency) }
        let cvv = String(card.cvv.prefix(DemoCards.cvvLength(DemoCards.declined)))
        return .card(number: DemoCards.declined, expiry: card.expiry, cvv: cvv)
    }

    /// An amount as a person types it ("12.05").
    static func text(_ minorUnits: Int64, _ currency: Currency) -> String {
        Money(minorUnits: minorUnits, currency: currency).plainText
    }
}
