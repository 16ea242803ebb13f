import TillCore
import TillProcessor
import TillService
import TillStore

/// The workload: what a step may do, and the requests it sends, sized from what the ledger
/// holds now (read through the checker's own connection) so that most are allowed and some are
/// just over a limit.
extension Simulator {
    enum Action: CaseIterable {
        case createOrder, payCard, payCash, payWallet, createAndPay, orderRefund, authorize, capture, refundPayment, void
        case release
        case openWallet, credit, debit, retryPending, replayAcknowledged, reuseKey, resolve, clock, faults, restart
        /// Open, pay in, pay out or close a drawer (USD mostly, JPY sometimes), as its state allows.
        case drawer
        /// GoblinPay settles (notifying once, twice or never), or a till runs an import cycle.
        case payouts

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
            case .payouts: 3
            }
        }

        /// The actions that are requests (what an interleaving may run).
        static let workload: [Action] = [
            .createOrder, .payCard, .payCash, .payWallet, .createAndPay, .orderRefund, .authorize, .capture,
            .refundPayment, .void, .release, .credit, .debit, .drawer,
        ]
    }

    func generate(_ action: Action) -> ServiceRequest? {
        switch action {
        case .createOrder:
            let currency = currency()
            return .createOrder(
                email: emails[random.below(emails.count)], amount: amount(random.between(100, 20_000), currency),
                currency: currency.code, key: newKey())
        case .payCard:
            return random.pick(orders).flatMap { payOp(orderId: $0, tender: .card(number: card(), expiry: ServiceRequest.simExpiry, cvv: ServiceRequest.simCVV)) }
        case .payCash:
            return random.pick(orders).flatMap { payOp(orderId: $0, tender: .cash(tendered: "")) }
        case .payWallet:
            return random.pick(orders).flatMap { payOp(orderId: $0, tender: .wallet(name: "")) }
        case .createAndPay:
            let currency = currency()
            let total = random.between(100, 20_000)
            let pay = random.chance(600) ? total : random.between(1, total)
            let tender: TenderInput
            switch random.below(10) {
            case 0..<7: tender = .card(number: card(), expiry: ServiceRequest.simExpiry, cvv: ServiceRequest.simCVV)
            case 7, 8: tender = .cash(tendered: amount(pay + random.between(0, 500), currency))
            default: tender = .wallet(name: walletName(currency: currency.code) ?? "nobody")
            }
            return .createAndPay(
                email: emails[random.below(emails.count)], amount: amount(total, currency), currency: currency.code,
                pay: amount(pay, currency), tender: tender, key: newKey())
        case .orderRefund:
            return random.pick(orders).flatMap { refundOp(orderId: $0) }
        case .authorize:
            let currency = currency()
            return .authorize(number: card(), expiry: ServiceRequest.simExpiry, cvv: ServiceRequest.simCVV, amount: amount(random.between(100, 50_000), currency), currency: currency.code, key: newKey())
        case .capture, .refundPayment, .void, .release:
            guard let paymentId = random.pick(gatewayPayments) else { return nil }
            return gatewayOp(on: paymentId, kind: action)
        case .openWallet:
            defer { nextWallet += 1 }
            let currency = currency()
            let overdraft = random.chance(300) ? random.between(100, 5_000) : 0
            return .openWallet(
                name: "w\(nextWallet)", currency: currency.code, balance: amount(random.between(0, 10_000), currency),
                overdraft: amount(overdraft, currency), customer: random.chance(700) ? emails[random.below(emails.count)] : nil)
        case .credit, .debit:
            guard let wallet = random.pick(wallets), let currency = (try? Currency.named(wallet.currency).get()) else { return nil }
            let money = amount(random.between(1, 8_000), currency)
            return action == .credit ? .credit(wallet: wallet.name, amount: money, key: newKey()) : .debit(wallet: wallet.name, amount: money, key: newKey())
        case .drawer:
            return drawerOp()
        default:
            return nil
        }
    }

    /// Something else on the order or payment `op` acts on.
    func conflicting(with op: ServiceRequest) -> ServiceRequest? {
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

    /// A drawer operation the drawer's state allows: open it when closed; when open, pay in,
    /// pay out, or close it with a count a little over, under or exactly as expected.
    private func drawerOp() -> ServiceRequest? {
        let currency = currency()
        guard let expected = inspect({ try $0.openDrawerExpected(currency: currency.code) }) else {
            return .openDrawer(float: amount(random.between(0, 20_000), currency), currency: currency.code, key: newKey())
        }
        switch random.below(10) {
        case 0..<4: return .payIn(amount: amount(random.between(1, 5_000), currency), reason: "sim top-up", currency: currency.code, key: newKey())
        case 4..<7: return .payOut(amount: amount(random.between(1, 5_000), currency), reason: "sim supplier", currency: currency.code, key: newKey())
        default:
            let counted = max(0, expected + (random.chance(500) ? 0 : random.between(-300, 300)))
            return .closeDrawer(counted: amount(counted, currency), currency: currency.code, key: newKey())
        }
    }

    /// An installment on `orderId`: usually within what is due, sometimes all of it, sometimes more.
    private func payOp(orderId: String, tender: TenderInput?) -> ServiceRequest? {
        guard let order = inspect({ try $0.order(id: orderId) }), let currency = (try? Currency.named(order.currency).get()) else { return nil }
        let due = max(1, order.total - order.paid)
        let roll = random.below(100)
        let minor: Int64 = roll < 55 ? random.between(1, due) : roll < 90 ? due : due + random.between(1, 1_000)
        var chosen = tender ?? .card(number: card(), expiry: ServiceRequest.simExpiry, cvv: ServiceRequest.simCVV)
        switch chosen {
        case .cash: chosen = .cash(tendered: amount(minor + (random.chance(500) ? random.between(0, 2_000) : 0), currency))
        case .wallet: chosen = .wallet(name: walletName(currency: currency.code) ?? "nobody")
        case .card: break
        }
        if tender == nil, random.chance(400) { chosen = .cash(tendered: amount(minor, currency)) }
        return .pay(orderId: orderId, amount: amount(minor, currency), tender: chosen, key: newKey())
    }

    /// A refund of one of the order's installments: to its tender, or to a wallet of the customer.
    private func refundOp(orderId: String) -> ServiceRequest? {
        let found = inspect { snapshot in try snapshot.order(id: orderId).map { ($0, try snapshot.installments(orderId: orderId)) } }
        guard let (order, installments) = found, let currency = (try? Currency.named(order.currency).get()),
              let installment = random.pick(installments) else { return nil }
        let refundable = installment.refundable
        let roll = random.below(100)
        let minor: Int64 = roll < 60 ? random.between(1, max(1, refundable)) : roll < 90 ? max(1, refundable) : refundable + random.between(1, 500)
        let toWallet = random.chance(250) ? walletName(currency: currency.code, customer: random.chance(800) ? order.emailKey : nil) : nil
        return .refund(orderId: orderId, orderPaymentId: installment.id, amount: amount(minor, currency), toWallet: toWallet, key: newKey())
    }

    /// A capture, refund, void or release of a gateway payment, sized from what it holds now.
    private func gatewayOp(on paymentId: String, kind: Action? = nil) -> ServiceRequest? {
        guard let payment = inspect({ try $0.payment(id: paymentId) }), let currency = (try? Currency.named(payment.currency).get())
        else { return nil }
        let chosen = kind ?? [Action.capture, .capture, .refundPayment, .void, .release][random.below(5)]
        let roll = random.below(100)
        switch chosen {
        case .capture:
            let rest = max(1, payment.authorized - payment.captured)
            let minor = roll < 50 ? random.between(1, rest) : roll < 90 ? rest : rest + random.between(1, 500)
            return .capture(paymentId: paymentId, amount: amount(minor, currency), key: newKey())
        case .refundPayment:
            let rest = max(1, payment.captured - payment.refunded)
            let minor = roll < 60 ? random.between(1, rest) : roll < 90 ? rest : rest + random.between(1, 500)
            return .refundPayment(paymentId: paymentId, amount: amount(minor, currency), key: newKey())
        case .release:
            return .release(paymentId: paymentId, key: newKey())
        default:
            return .void(paymentId: paymentId, key: newKey())
        }
    }

    private func walletName(currency: String, customer: String? = nil) -> String? {
        let matching = wallets.filter { $0.currency == currency && (customer == nil || $0.customer == customer) }
        return random.pick(matching)?.name
    }

    /// USD mostly, JPY (no decimals) one time in ten.
    private func currency() -> Currency { random.chance(100) ? .jpy : .usd }

    /// Minor units as typed, in major units ("10.50", "1050").
    private func amount(_ minor: Int64, _ currency: Currency) -> String { Money(minorUnits: minor, currency: currency).plainText }

    private func card() -> String {
        switch random.below(100) {
        case 0..<40: return GoblinPay.TestCard.approved
        case 40..<65: return cards[random.below(cards.count)]
        default: return GoblinPay.TestCard.all[1 + random.below(GoblinPay.TestCard.all.count - 1)]
        }
    }

    private func newKey() -> String {
        defer { nextKey += 1 }
        return "k\(nextKey)"
    }

    /// One read of the ledger as it is now; nil when it cannot be read (the step makes no request).
    private func inspect<T>(_ work: (LedgerInspection.Snapshot) throws -> T?) -> T? {
        guard let ledger else { return nil }
        return (try? ledger.read(work)) ?? nil
    }
}
