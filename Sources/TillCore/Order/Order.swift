/// A customer's order: a total to pay in one or more installments, by any tender.
/// Refunds are tracked apart and never raise the balance due.
public struct Order: Hashable, Sendable {
    public let id: String
    public let email: Email
    public let total: Money
    public let createdAt: Instant
    public private(set) var payments: [OrderPayment]

    public var currency: Currency { total.currency }

    /// What has been paid so far (applied amounts; cash change excluded).
    public private(set) var paid: Money
    /// What has been given back, over all payments.
    public private(set) var refunded: Money
    /// `total - paid`; never negative.
    public var balanceDue: Money { Money(minorUnits: total.minorUnits - paid.minorUnits, currency: currency) }

    /// The latest time on the order: its creation, its installments and its refunds.
    public var latestActivity: Instant {
        var latest = createdAt
        for payment in payments {
            latest = max(latest, payment.createdAt)
            for refund in payment.refunds { latest = max(latest, refund.at) }
        }
        return latest
    }

    /// The time a new installment or refund recorded `now` carries: never before anything
    /// already on the order. A clock that stepped back (an NTP correction, another till's
    /// clock) is read as the order's latest time, so its history stays in time order. The one
    /// rule for orders, as `Payment.eventTime(at:)` is for gateway payments.
    public func eventTime(at now: Instant) -> Instant { max(now, latestActivity) }

    public var status: OrderStatus {
        if paid == total { return .paid }
        return paid.isPositive ? .partiallyPaid : .open
    }

    /// A new unpaid order for a customer whose email was parsed already: `invalid_amount`
    /// unless the total is positive.
    public static func create(id: String, email: Email, total: Money, at now: Instant) -> Result<Order, Rejection> {
        if case .failure(let rejection) = total.requirePositive() { return .failure(rejection) }
        let zero = Money.zero(total.currency)
        return .success(Order(
            id: id, email: email, total: total, createdAt: now, payments: [], paid: zero, refunded: zero))
    }

    /// Checks an installment before anything is charged, and says what it will apply. In order:
    /// `invalid_amount` (not positive), `currency_mismatch` (amount or cash), `order_already_paid`,
    /// then the amount limits of `Order.plan(amount:cash:due:)` against the balance due.
    public func plan(amount: Money, tender: Tender) -> Result<PaymentPlan, Rejection> {
        if case .failure(let rejection) = amount.requirePositive().flatMap({ $0.require(currency: currency, of: "This order") }) {
            return .failure(rejection)
        }
        var cash: Money?
        if case .cash(let tendered) = tender {
            if case .failure(let rejection) = tendered.require(currency: currency, of: "This order") { return .failure(rejection) }
            cash = tendered
        }
        guard status != .paid else { return .failure(Rejection(.orderAlreadyPaid)) }
        return Self.plan(amount: amount, cash: cash, due: balanceDue)
    }

    /// The amount limits of one installment, on figures alone (amounts of one currency): what
    /// `plan(amount:tender:)` decides once the order is known, and what the payment dialog
    /// shows while the amounts are typed, so the two never disagree. `exceeds_balance_due` (for
    /// every tender: an installment is never more than `due`), then `insufficient_cash` when the
    /// cash handed over is short of it (by `cashShortfall`). Only the cash may be more than
    /// the installment: the rest is change.
    public static func plan(amount: Money, cash tendered: Money?, due: Money) -> Result<PaymentPlan, Rejection> {
        guard amount.minorUnits <= due.minorUnits else {
            return .failure(Rejection(.exceedsBalanceDue, "Only \(due.formatted) is due on this order."))
        }
        guard let tendered else { return .success(PaymentPlan(applied: amount, change: .zero(amount.currency))) }
        guard cashShortfall(amount: amount, tendered: tendered).isZero else {
            return .failure(Rejection(.insufficientCash, "\(tendered.formatted) tendered is less than \(amount.formatted)."))
        }
        // tendered >= amount > 0: the difference fits.
        return .success(PaymentPlan(
            applied: amount, change: Money(minorUnits: tendered.minorUnits - amount.minorUnits, currency: amount.currency)))
    }

    /// How much more cash an installment of `amount` needs than was handed over: zero when
    /// `tendered` covers it. The "short by" a screen shows beside `insufficient_cash`.
    public static func cashShortfall(amount: Money, tendered: Money) -> Money {
        guard amount.minorUnits > tendered.minorUnits else { return .zero(amount.currency) }
        let (short, overflow) = amount.minorUnits.subtractingReportingOverflow(tendered.minorUnits)
        return Money(minorUnits: overflow ? .max : short, currency: amount.currency)
    }

    /// Records an installment that was planned and, for cards and store credit, charged.
    /// Plans again first, so a payment that no longer fits is refused, never recorded.
    /// `gatewayPaymentId` links a card installment to its gateway payment. The installment is
    /// dated `eventTime(at: now)` and taken by `operatorName`.
    public func recordingPayment(
        id paymentId: String, amount: Money, tender: Tender, gatewayPaymentId: String? = nil,
        by operatorName: OperatorName = .till, at now: Instant
    ) -> Result<(Order, OrderPayment), Rejection> {
        plan(amount: amount, tender: tender).map { plan in
            let payment = OrderPayment(
                id: paymentId, amount: plan.applied, change: plan.change, tender: tender,
                gatewayPaymentId: gatewayPaymentId, createdAt: eventTime(at: now), operatorName: operatorName,
                refunded: .zero(currency), refunds: [])
            var next = self
            // plan() proved applied <= balance due, so paid stays <= total.
            next.paid = Money(minorUnits: paid.minorUnits + plan.applied.minorUnits, currency: currency)
            next.payments.append(payment)
            return (next, payment)
        }
    }

    /// Refunds part or all of one installment. In order: `invalid_amount`, `not_found` (no such
    /// payment on this order), `currency_mismatch`, `exceeds_paid` (more than is left of it).
    /// `toWallet` names a store-credit wallet the money goes back to instead of the tender.
    /// The refund is dated `eventTime(at: now)`.
    public func recordingRefund(
        id refundId: String, ofPayment paymentId: String, amount: Money, toWallet: String? = nil, at now: Instant
    ) -> Result<(Order, OrderRefund), Rejection> {
        if case .failure(let rejection) = amount.requirePositive() { return .failure(rejection) }
        guard let index = payments.firstIndex(where: { $0.id == paymentId }) else {
            return .failure(Rejection(.notFound, "Order \(id) has no payment \(paymentId.echoed())."))
        }
        if case .failure(let rejection) = amount.require(currency: currency, of: "This order") { return .failure(rejection) }
        let payment = payments[index]
        guard amount.minorUnits <= payment.refundable.minorUnits else {
            return .failure(Rejection(.exceedsPaid, "Only \(payment.refundable.formatted) of this payment is left to refund."))
        }
        let refund = OrderRefund(id: refundId, amount: amount, toWallet: toWallet, at: eventTime(at: now))
        var next = self
        // Bounded by the payment's applied amount, so neither sum can overflow.
        next.payments[index].refunded = Money(minorUnits: payment.refunded.minorUnits + amount.minorUnits, currency: currency)
        next.payments[index].refunds.append(refund)
        next.refunded = Money(minorUnits: refunded.minorUnits + amount.minorUnits, currency: currency)
        return .success((next, refund))
    }
}

/// What an installment will do: the amount applied to the order and the cash change to give.
public struct PaymentPlan: Hashable, Sendable {
    public let applied: Money
    public let change: Money
}

/// Where an order stands (`Order.status`).
public enum OrderStatus: String, CaseIterable, Sendable, Codable {
    case open
    case partiallyPaid = "partially_paid"
    case paid
}

/// One installment on an order.
public struct OrderPayment: Hashable, Sendable {
    public let id: String
    /// The amount applied to the order (for cash: without the change).
    public let amount: Money
    public let change: Money
    public let tender: Tender
    public let gatewayPaymentId: String?
    public let createdAt: Instant
    /// Who took it.
    public let operatorName: OperatorName
    public fileprivate(set) var refunded: Money
    public fileprivate(set) var refunds: [OrderRefund]

    public var refundable: Money {
        Money(minorUnits: Self.refundable(amount: amount.minorUnits, refunded: refunded.minorUnits), currency: amount.currency)
    }

    /// What is left to refund of an installment: its applied amount (never the cash change)
    /// less what was refunded. Views that carry the two figures ask here.
    public static func refundable(amount: Int64, refunded: Int64) -> Int64 { amount - refunded }

    public var state: OrderPaymentState {
        if refunded.isZero { return .completed }
        return refunded == amount ? .refunded : .partiallyRefunded
    }
}

/// Money given back from one installment.
public struct OrderRefund: Hashable, Sendable {
    public let id: String
    public let amount: Money
    /// The store-credit wallet credited instead of the original tender, if any.
    public let toWallet: String?
    public let at: Instant
}

/// Where an installment stands (`OrderPayment.state`).
public enum OrderPaymentState: String, CaseIterable, Sendable, Codable {
    case completed
    case partiallyRefunded = "partially_refunded"
    case refunded
}
