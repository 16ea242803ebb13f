public import TillCore
import TillStore
import TillProcessor

/// How a customer pays, as typed: card details, cash handed over, or a wallet's name.
public enum TenderInput: Sendable, Hashable {
    case card(number: String, expiry: String, cvv: String)
    case cash(tendered: String)
    case wallet(name: String)
}

extension TillService {
    // MARK: Reads

    public func order(id: String) async -> Result<OrderView, Rejection> {
        await read { ledger, _ in
            guard let order = try ledger.order(id: id) else { throw Self.noOrder(id) }
            return try Self.view(of: order, ledger: ledger)
        }
    }

    /// An order as every read shows it: with its pending requests, and what is due once they
    /// succeed (the figure a new payment may take).
    static func view(of order: Order, ledger: Ledger) throws -> OrderView {
        var view = OrderView(order)
        let pending = try ledger.openRequests(target: order.id).map(PendingRequestView.init)
        guard !pending.isEmpty else { return view }
        view.pending = pending
        let due = try projected(order, ledger: ledger).balanceDue
        view.dueAfterPending = due.minorUnits
        view.pendingPaid = try decided(order.balanceDue.subtracting(due)).minorUnits
        return view
    }

    /// Every request still pending or needing attention, oldest first (`till pending`).
    public func pendingRequests() async -> Result<PendingListView, Rejection> {
        await read { ledger, _ in
            PendingListView(pending: try ledger.openRequests().map(PendingRequestView.init))
        }
    }

    /// A customer's orders, newest first (the email is matched without regard to case).
    public func orders(email: String, limit: Int = 100) async -> Result<OrderListView, Rejection> {
        switch Email.parse(email) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let email):
            return await read { ledger, _ in
                OrderListView(email: email.address, orders: try ledger.orders(emailKey: email.key, limit: limit).map {
                    try Self.view(of: $0, ledger: ledger)
                })
            }
        }
    }

    // MARK: Create

    /// A new unpaid order. With a key, creating it again answers the same order.
    public func createOrder(email emailText: String, amount: String, currency: String? = nil, key keyText: String? = nil) async -> Result<Keyed<OrderView>, Rejection> {
        let email: Email, total: Money, key: IdempotencyKey
        do throws(Rejection) {
            (email, total) = try Self.parseNewOrder(email: emailText, amount: amount, currency: currency).get()
            key = try parseKey(keyText, ids: ids).get()
        } catch { return .failure(error) }
        let orderId = ids.make("ord")
        let fingerprint = RequestFingerprint(operation: "order.create", target: "-", parameters: ["email": email, "total": total])
        return await keyedLocally(key: key, operation: "order.create", target: orderId, fingerprint: fingerprint) { ledger, now in
            let order = try decided(Order.create(id: orderId, email: email, total: total, at: now))
            try Self.requireRoom(ledger, newOrder: order, takings: nil, at: now)
            try ledger.save(order, at: now)
            try ledger.appendOrderEvent(orderId: order.id, kind: "created", reference: nil, amount: total, at: now)
            return OrderView(order)
        }
    }

    static func parseNewOrder(email: String, amount: String, currency: String?) -> Result<(Email, Money), Rejection> {
        Email.parse(email).flatMap { email in
            parseCurrency(currency, default: .usd)
                .flatMap { Money.parse(amount, currency: $0) }
                .map { (email, $0) }
        }
    }

    // MARK: Pay

    /// Takes an installment on an order, idempotently by `key`. Cash may exceed what is due
    /// (the change is reported); a card is authorized and captured at the processor. `currency`
    /// names the amount's currency when the caller has one (HTTP); otherwise it is the order's.
    public func pay(
        orderId: String, amount: String, tender: TenderInput, key keyText: String, currency stated: String? = nil
    ) async -> Result<Keyed<OrderPaymentResult>, Rejection> {
        let key: IdempotencyKey, parsedTender: ParsedTender
        do throws(Rejection) {
            key = try IdempotencyKey.parse(keyText).get()
            parsedTender = try ParsedTender.parse(tender).get()
        } catch { return .failure(error) }
        /// The amounts read in the order's currency, and the request's fingerprint.
        @Sendable func priced(_ orderCurrency: Currency) throws(Rejection) -> (Money, PricedTender, RequestFingerprint) {
            let currency = try parseCurrency(stated, default: orderCurrency).get()
            let money = try Money.parse(amount, currency: currency).get()
            let pricedTender = try parsedTender.priced(in: currency, database: database).get()
            let fingerprint = RequestFingerprint(
                operation: "order.pay", target: orderId,
                parameters: pricedTender.fingerprintParameters.merging(["amount": money]) { $1 })
            return (money, pricedTender, fingerprint)
        }
        if case .card = parsedTender {
            // The processor is called outside any transaction: the currency is read first.
            let card: CardText, money: Money, fingerprint: RequestFingerprint
            do throws(Rejection) {
                let currency = try await read { ledger, _ in
                    guard let order = try ledger.order(id: orderId) else { throw Self.noOrder(orderId) }
                    return order.currency
                }.get()
                let pricedTender: PricedTender
                (money, pricedTender, fingerprint) = try priced(currency)
                guard case .card(let text) = pricedTender else { throw Rejection(.invalidRequest, "A card installment needs a card.") }
                card = text
            } catch { return .failure(error) }
            return await payByCard(
                CardInstallment(orderId: orderId, newOrder: nil, amount: money, card: card),
                key: key, fingerprint: fingerprint)
        }
        let ids = self.ids
        return await keyedLocally(key: key, operation: "order.pay", target: orderId, prepare: { ledger in
            guard let order = try ledger.order(id: orderId) else { throw Self.noOrder(orderId) }
            let (money, pricedTender, fingerprint) = try priced(order.currency)
            return (fingerprint, (order, money, pricedTender))
        }) { ledger, now, prepared in
            let (order, money, pricedTender) = prepared
            let (next, payment) = try Self.applyLocally(
                pricedTender, amount: money, to: order, paymentId: ids.make("opay"), ledger: ledger, at: now, key: key.value)
            return OrderPaymentResult(order: OrderView(next), made: OrderPaymentView(payment))
        }
    }

    /// Creates an order and pays (part of) it as one operation: if the payment fails, the
    /// order never existed for any reader.
    public func createAndPay(
        email emailText: String, amount: String, currency: String? = nil, pay: String? = nil, tender: TenderInput,
        key keyText: String
    ) async -> Result<Keyed<OrderPaymentResult>, Rejection> {
        let key: IdempotencyKey, email: Email, total: Money, money: Money, pricedTender: PricedTender
        do throws(Rejection) {
            key = try IdempotencyKey.parse(keyText).get()
            let parsedTender = try ParsedTender.parse(tender).get()
            (email, total) = try Self.parseNewOrder(email: emailText, amount: amount, currency: currency).get()
            money = try pay.map { Money.parse($0, currency: total.currency) }?.get() ?? total
            pricedTender = try parsedTender.priced(in: total.currency, database: database).get()
        } catch { return .failure(error) }
        let fingerprint = RequestFingerprint(
            operation: "order.create_and_pay", target: "-",
            parameters: pricedTender.fingerprintParameters.merging(["email": email, "total": total, "amount": money]) { $1 })
        let orderId = ids.make("ord")
        if case .card(let card) = pricedTender {
            return await payByCard(
                CardInstallment(orderId: orderId, newOrder: NewOrder(email: email.address, total: total.minorUnits), amount: money, card: card),
                key: key, fingerprint: fingerprint)
        }
        let ids = self.ids
        return await keyedLocally(key: key, operation: "order.create_and_pay", target: orderId, fingerprint: fingerprint) { ledger, now in
            let order = try decided(Order.create(id: orderId, email: email, total: total, at: now))
            try Self.requireRoom(ledger, newOrder: order, takings: nil, at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "created", reference: nil, amount: total, at: now)
            let (next, payment) = try Self.applyLocally(
                pricedTender, amount: money, to: order, paymentId: ids.make("opay"), ledger: ledger, at: now, key: key.value)
            return OrderPaymentResult(order: OrderView(next), made: OrderPaymentView(payment))
        }
    }

    /// Cash or store credit: plan, debit the wallet, record, all in the caller's transaction.
    static func applyLocally(
        _ tender: PricedTender, amount: Money, to order: Order, paymentId: String, ledger: Ledger, at now: Instant,
        key: String
    ) throws -> (Order, OrderPayment) {
        let recorded: (Order, OrderPayment)
        switch tender {
        case .card:
            throw Rejection(.invalidRequest, "A card installment goes through the processor.")
        case .cash(let tendered):
            // Checked against the order as it will be once card installments in flight land,
            // so cash can never take what a card already charged at the processor is due.
            let plan = try planBesidePending(order, amount: amount, tender: .cash(tendered: tendered), ledger: ledger, key: key)
            recorded = try decided(order.recordingPayment(
                id: paymentId, amount: plan.applied, tender: .cash(tendered: tendered), by: ledger.operatorName, at: now))
        case .wallet(let name):
            guard let wallet = try ledger.wallet(key: Wallet.key(for: name)) else { throw noWallet(name) }
            let plan = try planBesidePending(order, amount: amount, tender: .storeCredit(wallet: wallet.name), ledger: ledger, key: key)
            let debited = try decided(wallet.debit(plan.applied))
            recorded = try decided(order.recordingPayment(
                id: paymentId, amount: plan.applied, tender: .storeCredit(wallet: wallet.name), by: ledger.operatorName, at: now))
            try ledger.update(debited, kind: "debited", amount: plan.applied, reference: paymentId, at: now)
        }
        try requireRoom(ledger, newOrder: nil, takings: (recorded.1.tender.kind, recorded.1.amount), at: now)
        try ledger.save(recorded.0, at: now)
        try ledger.appendOrderEvent(
            orderId: order.id, kind: "paid", reference: paymentId, amount: recorded.1.amount, at: recorded.1.createdAt)
        return recorded
    }

    // MARK: Refund

    /// Gives back part or all of one installment: to its tender (a card is refunded at the
    /// processor, store credit goes back to its wallet, cash is handed back) or, with
    /// `toWallet`, as store credit.
    public func refund(
        orderId: String, paymentId: String, amount: String, key keyText: String, toWallet walletText: String? = nil,
        currency stated: String? = nil
    ) async -> Result<Keyed<OrderRefundResult>, Rejection> {
        let key: IdempotencyKey, toWallet: String?, order: Order, money: Money
        do throws(Rejection) {
            key = try IdempotencyKey.parse(keyText).get()
            if let walletText { toWallet = try Wallet.validName(walletText).get() } else { toWallet = nil }
            order = try await read { ledger, _ in
                guard let order = try ledger.order(id: orderId) else { throw Self.noOrder(orderId) }
                return order
            }.get()
            money = try Money.parse(amount, currency: try parseCurrency(stated, default: order.currency).get()).get()
        } catch { return .failure(error) }
        var parameters: [String: any FingerprintComponent] = ["payment": paymentId, "amount": money]
        if let toWallet { parameters["to_wallet"] = Wallet.key(for: toWallet) }
        let fingerprint = RequestFingerprint(operation: "order.refund", target: orderId, parameters: parameters)
        let refundId = ids.make("ref")
        if toWallet == nil, let payment = order.payments.first(where: { $0.id == paymentId }),
           case .card = payment.tender, let gatewayId = payment.gatewayPaymentId {
            return await refundCard(
                orderId: orderId, orderPaymentId: paymentId, paymentId: gatewayId, refundId: refundId, amount: money,
                key: key, fingerprint: fingerprint)
        }
        return await keyedLocally(key: key, operation: "order.refund", target: orderId, fingerprint: fingerprint) { ledger, now in
            guard let order = try ledger.order(id: orderId) else { throw Self.noOrder(orderId) }
            if let toWallet { try Self.requireCustomersWallet(toWallet, of: order, ledger) }
            // A card refund of this installment may be in flight: never give the same money back twice.
            _ = try Self.checkedBesidePending(
                Self.projected(order, ledger: ledger).recordingRefund(
                    id: refundId, ofPayment: paymentId, amount: money, toWallet: toWallet, at: now),
                alone: { order.recordingRefund(id: refundId, ofPayment: paymentId, amount: money, toWallet: toWallet, at: now) },
                open: ledger.openRequests(target: orderId), what: "Order \(orderId)",
                hint: Rejection.RetryHint(key: key.value, orderId: orderId))
            let (next, refund) = try decided(order.recordingRefund(
                id: refundId, ofPayment: paymentId, amount: money, toWallet: toWallet, at: now))
            let tender = order.payments.first { $0.id == paymentId }?.tender
            if let tender { try Self.requireRoom(ledger, newOrder: nil, takings: (tender.kind, money), at: now) }
            var walletName = toWallet
            if walletName == nil, case .storeCredit(let name) = tender { walletName = name }
            if let walletName {
                guard let wallet = try ledger.wallet(key: Wallet.key(for: walletName)) else {
                    throw Self.noWallet(walletName)
                }
                try ledger.update(try decided(wallet.credit(money)), kind: "credited", amount: money, reference: refundId, at: now)
            }
            try ledger.save(next, at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "refunded", reference: refundId, amount: money, at: refund.at)
            return OrderRefundResult(order: OrderView(next), made: RefundView(refund, paymentId: paymentId))
        }
    }

    /// DESIGN §3: a refund to store credit goes to a wallet of the order's customer only (a
    /// wallet with no customer, or another's, is refused before anything is checked further).
    static func requireCustomersWallet(_ name: String, of order: Order, _ ledger: Ledger) throws {
        guard let wallet = try ledger.wallet(key: Wallet.key(for: name)) else { throw noWallet(name) }
        guard let owner = wallet.customer, owner.key == order.email.key else {
            throw Rejection(
                .walletNotCustomers,
                "Wallet \(name.echoed()) is not \(order.email.address.echoed(limit: 60))'s: store credit goes only to the customer's own wallets.")
        }
    }

    static func noOrder(_ id: String) -> Rejection { Rejection(.notFound, "There is no order \(id.echoed()).") }
    static func noWallet(_ name: String) -> Rejection { Rejection(.notFound, "There is no wallet named \(name.echoed()).") }
    static func noPayment(_ id: String) -> Rejection { Rejection(.notFound, "There is no card payment \(id.echoed()).") }
}

// MARK: - Tender parsing

/// A tender whose text was checked (before the target is known).
enum ParsedTender {
    case card(CardCredentials, expiryText: String)
    case cash(String)
    case wallet(String)

    /// Number, expiry format and security code: everything that depends on the text alone.
    static func parse(_ input: TenderInput) -> Result<ParsedTender, Rejection> {
        switch input {
        case .card(let number, let expiryText, let cvv):
            return CardNumber.digits(of: number).flatMap { digits in
                CardExpiry.parse(expiryText).flatMap { expiry in
                    CardSecurityCode.parse(cvv, brand: CardBrand.detect(digits: digits)).map { code in
                        .card(CardCredentials(number: digits, expiry: expiry, cvv: code), expiryText: expiryText)
                    }
                }
            }
        case .cash(let text): return .success(.cash(text))
        case .wallet(let name): return Wallet.validName(name).map { .wallet($0) }
        }
    }

    /// Amounts read in the target's currency; the card's keyed fingerprint computed.
    func priced(in currency: Currency, database: TillDatabase) -> Result<PricedTender, Rejection> {
        switch self {
        case .card(let credentials, let expiryText):
            return .success(.card(CardText(
                credentials: credentials, expiryText: expiryText, fingerprint: database.cardFingerprint(digits: credentials.number))))
        case .cash(let text): return Money.parse(text, currency: currency).map { .cash($0) }
        case .wallet(let name): return .success(.wallet(name))
        }
    }
}

/// A card as typed, checked for form; it lives only in memory for the length of a request.
struct CardText: Sendable {
    let credentials: CardCredentials
    /// The expiry as typed, for the date check in the shop's zone.
    let expiryText: String
    /// The keyed fingerprint of the number: what a request's fingerprint and the ledger keep.
    let fingerprint: String

    var expiry: CardExpiry { credentials.expiry }

    /// The card's summary once the date is checked (`card_expired`, in the shop's zone).
    func summary(at now: Instant, in zone: ShopTimeZone) -> Result<CardSummary, Rejection> {
        CardValidation.validate(number: credentials.number, expiry: expiryText, cvv: credentials.cvv, now: now, utcOffset: zone.utcOffset(at: now))
    }
}

enum PricedTender: Sendable {
    case card(CardText)
    case cash(Money)
    case wallet(String)

    /// The request's parameters for its fingerprint: never the number or the security code.
    var fingerprintParameters: [String: any FingerprintComponent] {
        switch self {
        case .card(let card): ["tender": Tender.Kind.card, "card": card.fingerprint, "expiry": "\(card.expiry.month)"]
        case .cash(let tendered): ["tender": Tender.Kind.cash, "tendered": tendered]
        case .wallet(let name): ["tender": Tender.Kind.storeCredit, "wallet": Wallet.key(for: name)]
        }
    }
}
