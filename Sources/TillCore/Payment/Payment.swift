/// A card payment at the gateway: authorized once, then captured and refunded in parts, or
/// voided; after a partial capture the uncaptured rest may be released. A value: every operation answers a new payment or a rejection, and keeps its
/// history as events.
public struct Payment: Hashable, Sendable {
    /// The default authorization hold: 7 days.
    public static let defaultHoldWindow = TimeSpan.days(7)

    public let id: String
    public let card: CardSummary
    public let authorized: Money
    public private(set) var captured: Money
    public private(set) var refunded: Money
    /// The uncaptured rest given up by a release (zero until then).
    public private(set) var released: Money
    public private(set) var isVoided: Bool
    public let authorizedAt: Instant
    /// After this instant nothing more can be captured.
    public let expiresAt: Instant
    public private(set) var events: [PaymentEvent]

    public var currency: Currency { authorized.currency }

    /// What the hold on the card amounts to: the authorized amount less any released rest.
    /// A release takes exactly the uncaptured rest, so this never goes below `captured`.
    public var held: Money { Money(minorUnits: authorized.minorUnits - released.minorUnits, currency: currency) }

    /// A new authorization: `invalid_amount` unless the amount is positive, `invalid_hold_window`
    /// unless the hold window is.
    public static func authorize(
        id: String, card: CardSummary, amount: Money, at now: Instant,
        holdWindow: TimeSpan = defaultHoldWindow
    ) -> Result<Payment, Rejection> {
        if case .failure(let rejection) = amount.requirePositive() { return .failure(rejection) }
        guard holdWindow.milliseconds > 0 else { return .failure(Rejection(.invalidHoldWindow)) }
        let zero = Money.zero(amount.currency)
        return .success(Payment(
            id: id, card: card, authorized: amount, captured: zero, refunded: zero, released: zero,
            isVoided: false, authorizedAt: now, expiresAt: now.adding(holdWindow),
            events: [PaymentEvent(kind: .authorized, amount: amount, at: now)]))
    }

    /// The status as of `now` (an authorization with nothing captured expires with time). A
    /// released payment reads `captured`: all that is still held was captured.
    public func status(at now: Instant) -> PaymentStatus {
        if isVoided { return .voided }
        if refunded.isPositive { return refunded == captured ? .refunded : .partiallyRefunded }
        if captured.isPositive { return captured == held ? .captured : .partiallyCaptured }
        return isExpired(at: now) ? .expired : .authorized
    }

    /// True once the hold window has passed.
    public func isExpired(at now: Instant) -> Bool { now > expiresAt }

    /// What may still be captured now: nothing once voided, refunded, released or expired.
    public func capturable(at now: Instant) -> Money {
        guard case .allowed = PaymentRules.rule(.capture, in: status(at: now)), !isExpired(at: now) else {
            return .zero(currency)
        }
        return Money(minorUnits: held.minorUnits - captured.minorUnits, currency: currency)
    }

    /// What a release would give up now: the uncaptured rest after a partial capture, or zero
    /// when the table or the hold window refuses a release.
    public func releasable(at now: Instant) -> Money {
        guard case .allowed = PaymentRules.rule(.release, in: status(at: now)), !isExpired(at: now) else {
            return .zero(currency)
        }
        return Money(minorUnits: held.minorUnits - captured.minorUnits, currency: currency)
    }

    /// An open hold: an authorization that still holds money on the card, which could be
    /// captured or released (not voided, released or expired; a partial refund after a
    /// partial capture leaves the uncaptured rest held).
    public func isOpenHold(at now: Instant) -> Bool { capturable(at: now).isPositive || releasable(at: now).isPositive }

    /// What may still be refunded.
    public var refundable: Money {
        guard !isVoided else { return .zero(currency) }
        return Money(minorUnits: captured.minorUnits - refunded.minorUnits, currency: currency)
    }

    /// Decides a command without changing anything. Checks run in this order: the amount
    /// (`invalid_amount`), its currency (`currency_mismatch`), the transition table for the
    /// status, the hold window for captures (`authorization_expired`), the amount limits
    /// (`exceeds_authorized`, `exceeds_captured`, `nothing_to_release`).
    public func decide(_ command: PaymentCommand, at now: Instant) -> Result<PaymentEvent, Rejection> {
        if let amount = command.amount,
           case .failure(let rejection) = amount.requirePositive().flatMap({ $0.require(currency: currency, of: "This payment") }) {
            return .failure(rejection)
        }
        if case .refused(let code) = PaymentRules.rule(command.operation, in: status(at: now)) {
            return .failure(Rejection(code))
        }
        switch command {
        case .capture(let amount):
            guard !isExpired(at: now) else { return .failure(Rejection(.authorizationExpired)) }
            guard let total = try? captured.adding(amount).get(), total.minorUnits <= held.minorUnits else {
                return .failure(Rejection(
                    .exceedsAuthorized, "Only \(capturable(at: now).formatted) of \(authorized.formatted) is left to capture."))
            }
            return .success(PaymentEvent(kind: .captured, amount: amount, at: now))
        case .refund(let amount):
            guard let total = try? refunded.adding(amount).get(), total.minorUnits <= captured.minorUnits else {
                return .failure(Rejection(
                    .exceedsCaptured, "Only \(refundable.formatted) of \(captured.formatted) captured is left to refund."))
            }
            return .success(PaymentEvent(kind: .refunded, amount: amount, at: now))
        case .void:
            return .success(PaymentEvent(kind: .voided, amount: .zero(currency), at: now))
        case .release:
            guard !isExpired(at: now) else { return .failure(Rejection(.authorizationExpired)) }
            let rest = held.minorUnits - captured.minorUnits
            guard rest > 0 else { return .failure(Rejection(.nothingToRelease)) }
            return .success(PaymentEvent(kind: .released, amount: Money(minorUnits: rest, currency: currency), at: now))
        }
    }

    /// Applies an event, as when a payment is rebuilt from its stored history. The event is
    /// decided again at its own time, so one that breaks a rule can never be folded in; a failed
    /// attempt must have been an allowed attempt. Events must come in time order, after the
    /// authorization: anything else is `invalid_event`.
    public func applying(_ event: PaymentEvent) -> Result<Payment, Rejection> {
        guard let command = event.command else {
            return .failure(Rejection(.invalidEvent, "A payment is authorized only once."))
        }
        guard event.at >= (events.last?.at ?? authorizedAt) else {
            return .failure(Rejection(.invalidEvent, "Event at \(event.at) is older than the payment's history."))
        }
        switch decide(command, at: event.at) {
        case .failure(let rejection): return .failure(rejection)
        case .success: break
        }
        var next = self
        // decide() proved these sums fit within the authorized / captured amounts.
        switch event.kind {
        case .captured:
            next.captured = Money(minorUnits: captured.minorUnits + event.amount.minorUnits, currency: currency)
        case .refunded:
            next.refunded = Money(minorUnits: refunded.minorUnits + event.amount.minorUnits, currency: currency)
        case .voided:
            next.isVoided = true
        case .released:
            // decide() computed the amount as the uncaptured rest; a stored event must match it.
            guard event.amount == releasable(at: event.at) else {
                return .failure(Rejection(.invalidEvent, "A release gives up exactly the uncaptured rest."))
            }
            next.released = event.amount
        case .authorized, .captureFailed, .refundFailed:
            // The processor did not do it: nothing moved, so no rule changes (a failed refund
            // is not "a refund that occurred").
            break
        }
        next.events.append(event)
        return .success(next)
    }

    /// `decide` then `applying`: the new payment and the event to record. A clock that stepped
    /// back (an NTP correction, another till's clock) is read as the time of the last event, so
    /// a live operation never fails for it and the history stays in time order.
    public func execute(_ command: PaymentCommand, at now: Instant) -> Result<(Payment, PaymentEvent), Rejection> {
        decide(command, at: eventTime(at: now))
            .flatMap { event in applying(event).map { ($0, event) } }
    }

    /// The time a new event recorded `now` carries: never before the payment's latest event.
    /// The one rule for gateway payments, as `Order.eventTime(at:)` is for orders.
    public func eventTime(at now: Instant) -> Instant { max(now, events.last?.at ?? authorizedAt) }
}

extension Payment {
    /// A card payment taken as an order's installment (`installment` names it) is captured,
    /// refunded, voided or released only through its order, never at the gateway on its own:
    /// `payment_belongs_to_order`, or nil for a payment authorized on its own. The service
    /// refuses with it; the card payments screen asks it before offering an action.
    public static func refusedOutsideItsOrder(_ paymentId: String, installment: String?) -> Rejection? {
        guard installment != nil else { return nil }
        return Rejection(
            .paymentBelongsToOrder, "Card payment \(paymentId.echoed()) was taken for an order; refund it with `till order refund`.")
    }
}

// The statuses travel in views and JSON as their raw values.
extension PaymentStatus: Codable {}

/// A request to a payment.
public enum PaymentCommand: Hashable, Sendable {
    case capture(Money)
    case refund(Money)
    case void
    /// Give up the uncaptured rest after a partial capture (the amount is the rest).
    case release

    public var operation: PaymentOperation {
        switch self {
        case .capture: .capture
        case .refund: .refund
        case .void: .void
        case .release: .release
        }
    }

    var amount: Money? {
        switch self {
        case .capture(let amount), .refund(let amount): amount
        case .void, .release: nil
        }
    }
}

/// One line of a payment's history.
public struct PaymentEvent: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case authorized, captured, refunded, voided, released
        /// The processor refused or failed the attempt; amounts did not move.
        case captureFailed = "capture_failed"
        case refundFailed = "refund_failed"
    }

    public let kind: Kind
    public let amount: Money
    public let at: Instant

    public init(kind: Kind, amount: Money, at: Instant) {
        self.kind = kind
        self.amount = amount
        self.at = at
    }

    /// The command this event is the outcome of (for failures: the command that was tried).
    var command: PaymentCommand? {
        switch kind {
        case .captured, .captureFailed: .capture(amount)
        case .refunded, .refundFailed: .refund(amount)
        case .voided: .void
        case .released: .release
        case .authorized: nil
        }
    }
}
