import TillCore
import TillProcessor
import TillStore

extension TillService {
    /// Writes what the processor applied for `intent` into the ledger (the payment, the order's
    /// installment or refund, their events) and answers the response to store. Throws a
    /// rejection when the ledger's state no longer allows it: the caller parks the request.
    static func record(_ intent: Intent, ledger: Ledger, now: Instant, holdWindow: TimeSpan) throws -> String {
        guard let money = intent.money, let reference = intent.processorReference else {
            throw Rejection(.invalidEvent, "The stored intent is incomplete.")
        }
        let at = intent.instant
        switch intent.kind {
        case .authorize:
            guard let card = intent.card, let summary = card.summary else {
                throw Rejection(.invalidEvent, "The stored card is incomplete.")
            }
            let payment = try decided(Payment.authorize(
                id: intent.paymentId, card: summary, amount: money, at: at,
                holdWindow: TimeSpan(milliseconds: intent.holdWindow ?? holdWindow.milliseconds)))
            try ledger.insert(payment, processorReference: reference, orderPaymentId: nil, cardFingerprint: card.fingerprint)
            return try encode(PaymentView(payment, orderPaymentId: nil, at: now))
        case .capture, .refund, .void, .release:
            guard let stored = try ledger.payment(id: intent.paymentId) else { throw noPayment(intent.paymentId) }
            let command: PaymentCommand = switch intent.kind {
            case .capture: .capture(money)
            case .refund: .refund(money)
            case .release: .release
            default: .void
            }
            let (payment, event) = try decided(stored.payment.execute(command, at: at))
            try ledger.append(event, to: payment)
            return try encode(PaymentView(payment, orderPaymentId: stored.orderPaymentId, at: now))
        case .orderCard:
            guard let card = intent.card, let summary = card.summary, let orderId = intent.orderId,
                  let orderPaymentId = intent.orderPaymentId
            else { throw Rejection(.invalidEvent, "The stored installment is incomplete.") }
            var order: Order
            if let newOrder = intent.newOrder {
                let email = try decided(Email.parse(newOrder.email))
                order = try decided(Order.create(
                    id: orderId, email: email, total: Money(minorUnits: newOrder.total, currency: money.currency), at: at))
                try ledger.appendOrderEvent(orderId: orderId, kind: "created", reference: nil, amount: order.total, at: at)
            } else {
                guard let existing = try ledger.order(id: orderId) else { throw noOrder(orderId) }
                order = existing
            }
            let authorized = try decided(Payment.authorize(
                id: intent.paymentId, card: summary, amount: money, at: at, holdWindow: holdWindow))
            let (captured, _) = try decided(authorized.execute(.capture(money), at: at))
            try ledger.insert(captured, processorReference: reference, orderPaymentId: orderPaymentId, cardFingerprint: card.fingerprint)
            let (next, payment) = try decided(order.recordingPayment(
                id: orderPaymentId, amount: money, tender: .card(summary), gatewayPaymentId: intent.paymentId,
                by: ledger.operatorName, at: at))
            try ledger.save(next, cardFingerprints: [orderPaymentId: card.fingerprint], at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "paid", reference: orderPaymentId, amount: money, at: payment.createdAt)
            return try encode(OrderPaymentResult(order: OrderView(next), made: OrderPaymentView(payment)))
        case .orderRefund:
            guard let orderId = intent.orderId, let orderPaymentId = intent.orderPaymentId, let refundId = intent.refundId,
                  let order = try ledger.order(id: orderId), let stored = try ledger.payment(id: intent.paymentId)
            else { throw Rejection(.invalidEvent, "The stored refund is incomplete.") }
            let (payment, event) = try decided(stored.payment.execute(.refund(money), at: at))
            try ledger.append(event, to: payment)
            let (next, refund) = try decided(order.recordingRefund(id: refundId, ofPayment: orderPaymentId, amount: money, at: at))
            try ledger.save(next, at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "refunded", reference: refundId, amount: money, at: refund.at)
            return try encode(OrderRefundResult(order: OrderView(next), made: RefundView(refund, paymentId: orderPaymentId)))
        }
    }
}

extension ProcessorOutcome {
    var isDecline: Bool {
        if case .declined = self { return true }
        return false
    }

    /// What the processor said, for a message (an approval's reference).
    var reason: String {
        switch self {
        case .approved(let text), .declined(let text), .failed(let text), .unknown(let text): text
        }
    }

    /// The lifecycle event this answer is.
    var event: RequestEvent {
        switch self {
        case .approved: .applied
        case .declined, .failed: .notApplied
        case .unknown: .noAnswer
        }
    }
}

extension ProcessorLookup {
    /// Why the processor could not say, for a message.
    var reason: String {
        if case .unknown(let reason) = self { return reason }
        return "\(self)"
    }

    /// The lifecycle event this answer is.
    var event: RequestEvent {
        switch self {
        case .applied: .applied
        case .notApplied: .notApplied
        case .unknown: .noAnswer
        }
    }
}
