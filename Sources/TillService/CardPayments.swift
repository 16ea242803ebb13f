public import TillCore
import TillProcessor
import TillStore

extension TillService {
    // MARK: Card installments on orders

    func payByCard(_ installment: CardInstallment, key: IdempotencyKey, fingerprint: RequestFingerprint) async
        -> Result<Keyed<OrderPaymentResult>, Rejection>
    {
        let ids = self.ids
        let operation = installment.newOrder == nil ? "order.pay" : "order.create_and_pay"
        return await processorRequest(
            key: key, operation: operation, target: installment.orderId, fingerprint: fingerprint,
            card: installment.card.credentials
        ) { ledger, now in
            let summary = try decided(installment.card.summary(at: now, in: self.shopZone))
            let order: Order
            if let newOrder = installment.newOrder {
                let email = try decided(Email.parse(newOrder.email))
                order = try decided(Order.create(
                    id: installment.orderId, email: email,
                    total: Money(minorUnits: newOrder.total, currency: installment.amount.currency), at: now))
            } else {
                guard let existing = try ledger.order(id: installment.orderId) else {
                    throw Self.noOrder(installment.orderId)
                }
                order = existing
            }
            _ = try Self.planBesidePending(order, amount: installment.amount, tender: .card(summary), ledger: ledger, key: key.value)
            try Self.requireRoom(
                ledger, newOrder: installment.newOrder == nil ? nil : order, takings: (.card, installment.amount), at: now)
            return Intent(
                kind: .orderCard, at: now.millisecondsSinceEpoch,
                amount: installment.amount.minorUnits, currency: installment.amount.currency.code,
                paymentId: ids.make("pay"), card: StoredCard(summary, fingerprint: installment.card.fingerprint),
                orderId: installment.orderId, orderPaymentId: ids.make("opay"), newOrder: installment.newOrder)
        }
    }

    /// Refunds `amount` of an order's card installment at the processor (`paymentId`, the
    /// installment's gateway payment), recorded as refund `refundId`.
    func refundCard(
        orderId: String, orderPaymentId: String, paymentId: String, refundId: String, amount: Money,
        key: IdempotencyKey, fingerprint: RequestFingerprint
    ) async -> Result<Keyed<OrderRefundResult>, Rejection> {
        return await processorRequest(
            key: key, operation: "order.refund", target: orderId, fingerprint: fingerprint, card: nil
        ) { ledger, now in
            guard let order = try ledger.order(id: orderId) else { throw Self.noOrder(orderId) }
            _ = try Self.checkedBesidePending(
                Self.projected(order, ledger: ledger).recordingRefund(
                    id: "check", ofPayment: orderPaymentId, amount: amount, at: now),
                alone: { order.recordingRefund(id: "check", ofPayment: orderPaymentId, amount: amount, at: now) },
                open: ledger.openRequests(target: order.id), what: "Order \(order.id)",
                hint: Rejection.RetryHint(key: key.value, orderId: order.id))
            guard let stored = try ledger.payment(id: paymentId) else { throw Self.noPayment(paymentId) }
            try Self.requireRoom(ledger, newOrder: nil, takings: (.card, amount), at: now)
            return Intent(
                kind: .orderRefund, at: now.millisecondsSinceEpoch,
                amount: amount.minorUnits, currency: amount.currency.code, paymentId: paymentId,
                processorReference: stored.processorReference, orderId: orderId,
                orderPaymentId: orderPaymentId, refundId: refundId)
        }
    }

    /// Plans an installment against the order as it will be once every request still open on it
    /// succeeds.
    static func planBesidePending(
        _ order: Order, amount: Money, tender: Tender, ledger: Ledger, key: String
    ) throws -> PaymentPlan {
        try checkedBesidePending(
            projected(order, ledger: ledger).plan(amount: amount, tender: tender),
            alone: { order.plan(amount: amount, tender: tender) }, open: ledger.openRequests(target: order.id),
            what: "Order \(order.id)", hint: Rejection.RetryHint(key: key, orderId: order.id))
    }

    /// A check made against the target as it will be once every request still open on it
    /// succeeds. One the target alone would pass, refused only because of the open requests,
    /// answers `payment_pending` naming them (the money may already be taken), with the
    /// caller's own key to retry with once they resolve.
    static func checkedBesidePending<T, Alone>(
        _ projected: Result<T, Rejection>, alone: () -> Result<Alone, Rejection>, open: [RequestRecord], what: String,
        hint: Rejection.RetryHint
    ) throws -> T {
        switch projected {
        case .success(let value): return value
        case .failure(let rejection):
            guard !open.isEmpty, case .success = alone() else { throw rejection }
            let keys = open.prefix(3).map(\.key).joined(separator: ", ")
            // The rejection's message without its closing full stop ("$4.50" keeps its point).
            let reason = rejection.message.hasSuffix(".") ? String(rejection.message.dropLast()) : rejection.message
            throw Rejection(
                .paymentPending,
                "\(what) has a request whose outcome is not known yet (key \(keys)); until it resolves: \(reason). Nothing was done; retry with the same key once it is resolved."
            ).retrying(hint)
        }
    }

    /// The order as it will be once every card request still open on it succeeds: what a new
    /// installment or refund is checked against, so requests in flight never add up past it.
    static func projected(_ order: Order, ledger: Ledger) throws -> Order {
        var projected = order
        for request in try ledger.openRequests(target: order.id) {
            guard let text = request.intent, let intent = try? decode(Intent.self, text), let money = intent.money else { continue }
            switch intent.kind {
            case .orderCard:
                // An installment being released (its capture failed) will never pay anything.
                guard intent.releasing != true else { continue }
                if let summary = intent.card?.summary, case .success(let (next, _)) = projected.recordingPayment(
                    id: intent.orderPaymentId ?? intent.id, amount: money, tender: .card(summary), at: intent.instant) {
                    projected = next
                }
            case .orderRefund:
                if let paymentId = intent.orderPaymentId, case .success(let (next, _)) = projected.recordingRefund(
                    id: intent.refundId ?? intent.id, ofPayment: paymentId, amount: money, at: intent.instant) {
                    projected = next
                }
            default: continue
            }
        }
        return projected
    }

    // MARK: The card gateway

    /// Places a hold on a card. Without a key, one is made (and returned) so the request can
    /// still be resolved if GoblinPay's answer is lost.
    public func authorize(
        number: String, expiry: String, cvv: String, amount: String, currency: String?, key keyText: String? = nil
    ) async -> Result<Keyed<PaymentView>, Rejection> {
        let key: IdempotencyKey, card: CardText, money: Money
        do throws(Rejection) {
            key = try parseKey(keyText, ids: ids).get()
            guard case .card(let parsed) = try ParsedTender.parse(.card(number: number, expiry: expiry, cvv: cvv)).get()
                .priced(in: .usd, database: database).get()
            else { return .failure(Rejection(.invalidCardNumber)) }
            card = parsed
            money = try Money.parse(amount, currency: try parseCurrency(currency, default: .usd).get()).get()
        } catch { return .failure(error) }
        let fingerprint = RequestFingerprint(
            operation: "payment.authorize", target: "-",
            parameters: ["card": card.fingerprint, "expiry": "\(card.expiry.month)", "amount": money])
        let ids = self.ids, holdWindow = self.holdWindow
        return await processorRequest(
            key: key, operation: "payment.authorize", target: "-", fingerprint: fingerprint, card: card.credentials
        ) { _, now in
            let summary = try decided(card.summary(at: now, in: self.shopZone))
            let paymentId = ids.make("pay")
            // The core's checks (a positive amount, the hold window) before the processor hears of it.
            _ = try decided(Payment.authorize(id: paymentId, card: summary, amount: money, at: now, holdWindow: holdWindow))
            return Intent(
                kind: .authorize, at: now.millisecondsSinceEpoch, amount: money.minorUnits,
                currency: money.currency.code, paymentId: paymentId,
                card: StoredCard(summary, fingerprint: card.fingerprint), holdWindow: holdWindow.milliseconds)
        }
    }

    /// `currency` names the amount's currency when the caller has one (HTTP); otherwise it is
    /// the payment's.
    public func capture(paymentId: String, amount: String, key: String? = nil, currency: String? = nil) async -> Result<Keyed<PaymentView>, Rejection> {
        await gatewayCommand(.capture, paymentId: paymentId, amount: amount, key: key, currency: currency)
    }

    public func refundPayment(paymentId: String, amount: String, key: String? = nil, currency: String? = nil) async -> Result<Keyed<PaymentView>, Rejection> {
        await gatewayCommand(.refund, paymentId: paymentId, amount: amount, key: key, currency: currency)
    }

    public func void(paymentId: String, key: String? = nil) async -> Result<Keyed<PaymentView>, Rejection> {
        await gatewayCommand(.void, paymentId: paymentId, amount: nil, key: key)
    }

    /// Releases the uncaptured rest of a partly captured authorization (DESIGN §3): no capture
    /// is possible afterwards, refunds still are. The rest is decided by the core when the
    /// request is recorded; GoblinPay gives up the same rest under the request's own key.
    public func release(paymentId: String, key: String? = nil) async -> Result<Keyed<PaymentView>, Rejection> {
        await gatewayCommand(.release, paymentId: paymentId, amount: nil, key: key)
    }

    public func payment(id: String) async -> Result<PaymentView, Rejection> {
        await read { ledger, now in
            guard let stored = try ledger.payment(id: id) else { throw Self.noPayment(id) }
            return PaymentView(stored.payment, orderPaymentId: stored.orderPaymentId, at: now)
        }
    }

    private func gatewayCommand(
        _ kind: Intent.Kind, paymentId: String, amount: String?, key keyText: String?, currency stated: String? = nil
    ) async -> Result<Keyed<PaymentView>, Rejection> {
        let key: IdempotencyKey, money: Money?
        do throws(Rejection) {
            key = try parseKey(keyText, ids: ids).get()
            let currency = try await read { ledger, _ in
                guard let stored = try ledger.payment(id: paymentId) else { throw Self.noPayment(paymentId) }
                return stored.payment.currency
            }.get()
            if let amount {
                money = try Money.parse(amount, currency: try parseCurrency(stated, default: currency).get()).get()
            } else { money = nil }
        } catch { return .failure(error) }
        var parameters: [String: any FingerprintComponent] = [:]
        if let money { parameters["amount"] = money }
        let operation = "payment.\(kind.rawValue)"
        let fingerprint = RequestFingerprint(operation: operation, target: paymentId, parameters: parameters)
        return await processorRequest(
            key: key, operation: operation, target: paymentId, fingerprint: fingerprint, card: nil
        ) { ledger, now in
            guard let stored = try ledger.payment(id: paymentId) else { throw Self.noPayment(paymentId) }
            if let refusal = Payment.refusedOutsideItsOrder(paymentId, installment: stored.orderPaymentId) { throw refusal }
            let command: PaymentCommand = switch (kind, money) {
            case (.capture, let money?): .capture(money)
            case (.refund, let money?): .refund(money)
            case (.release, _): .release
            default: .void
            }
            try Self.admit(kind, besideOpenRequestsOn: paymentId, ledger: ledger, key: key.value)
            let at = stored.payment.eventTime(at: now)
            let event = try Self.checkedBesidePending(
                Self.projected(stored.payment, ledger: ledger, at: now).decide(command, at: at),
                alone: { stored.payment.decide(command, at: at) }, open: ledger.openRequests(target: paymentId),
                what: "Payment \(paymentId)", hint: Rejection.RetryHint(key: key.value, paymentId: paymentId))
            // A release carries the rest it gives up, so `till pending` can show it.
            return Intent(
                kind: kind, at: now.millisecondsSinceEpoch, amount: money?.minorUnits ?? event.amount.minorUnits,
                currency: stored.payment.currency.code, paymentId: paymentId, processorReference: stored.processorReference)
        }
    }

    /// While a request on a payment is open (in flight, unknown, or needing attention), only a
    /// request that commutes with it may start: captures beside captures, refunds beside
    /// refunds, whose sums are checked against the payment as if every open one succeeds.
    /// Anything else could be made impossible by the open one's outcome once it is known (a
    /// capture whose answer was lost, then a refund: the capture could never be recorded), so
    /// it is refused with `payment_pending` until the open one resolves. A release, like a void,
    /// commutes with nothing: it ends what may be captured.
    static func admit(_ kind: Intent.Kind, besideOpenRequestsOn paymentId: String, ledger: Ledger, key: String) throws {
        for request in try ledger.openRequests(target: paymentId) {
            guard let open = intent(of: request) else { continue }
            let commutes = open.kind == kind && (kind == .capture || kind == .refund)
            guard !commutes else { continue }
            throw Rejection(
                .paymentPending,
                "Payment \(paymentId) has a \(open.kind.rawValue) whose outcome is not known yet (key \(request.key)); nothing was done. Try again once it is resolved (`till pending --resolve`)."
            ).retrying(Rejection.RetryHint(key: key, paymentId: paymentId))
        }
    }

    /// The payment as it will be once every request still open on it succeeds.
    static func projected(_ payment: Payment, ledger: Ledger, at now: Instant) throws -> Payment {
        var projected = payment
        for request in try ledger.openRequests(target: payment.id) {
            guard let text = request.intent, let intent = try? decode(Intent.self, text), let money = intent.money else { continue }
            let command: PaymentCommand? = switch intent.kind {
            case .capture: .capture(money)
            case .refund: .refund(money)
            case .void: .void
            case .release: .release
            default: nil
            }
            if let command, case .success(let (next, _)) = projected.execute(command, at: now) { projected = next }
        }
        return projected
    }
}
