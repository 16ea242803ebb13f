import TillCore

/// What a request that talks to the processor has promised to do, stored with its key
/// BEFORE the processor is called, so that any process can finish it later (by asking the
/// processor what became of each step) if this one never hears back or is killed.
/// It never holds the card number or the security code: only the card's summary.
struct Intent: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        /// `payment authorize`.
        case authorize
        /// `payment capture` / `refund` / `void` / `release` on an existing authorization.
        case capture, refund, void, release
        /// A card installment on an order: authorize + capture; a failed capture is voided.
        case orderCard = "order_card"
        /// A card installment refunded through its order.
        case orderRefund = "order_refund"

        /// The processor call this intent makes (an order card's first call is its authorize).
        var processorStep: String {
            switch self {
            case .authorize, .orderCard: "authorize"
            case .capture: "capture"
            case .refund, .orderRefund: "refund"
            case .void: "void"
            case .release: "release"
            }
        }
    }

    var kind: Kind
    /// Prefix of this attempt's processor keys, "<client key>#<attempt>": stable across every
    /// retry of the attempt; the next attempt (after a refusal freed the key) gets the next
    /// number. Set by `processorRequest` when the intent is recorded.
    var id: String = ""
    /// When the request was made: the time its events carry.
    var at: Int64
    /// In minor units of `currency`: what is authorized, captured or refunded (a void or a
    /// release keeps the payment's figure, for the pending view).
    var amount: Int64
    var currency: String
    /// The gateway payment acted on, or the one an authorization or installment creates.
    var paymentId: String
    /// GoblinPay's reference of the authorization, once it is known.
    var processorReference: String?
    /// Which processor the request was sent to (`PaymentProcessor.identity`); nil: before
    /// GoblinPay could run as a service, always the in-process one. Only that processor's
    /// answer about its keys counts.
    var processor: String?
    /// What may be kept of the card: an authorization's or an installment's.
    var card: StoredCard?
    /// An authorization's hold window (milliseconds), as configured when it was asked.
    var holdWindow: Int64?
    /// An order's request: the order (or the id a create-and-pay gives it), the installment
    /// it records or refunds, and the refund's id.
    var orderId: String?
    var orderPaymentId: String?
    var refundId: String?
    /// Set for a create-and-pay: the order created once its payment is approved.
    var newOrder: NewOrder?
    /// Set once a failed order capture is being released (its authorization voided).
    var releasing: Bool?
    /// The request this intent was recorded for, so a till that hears an applied answer after
    /// its request row was freed (a lookup raced its call) can still record it.
    var request: RequestIdentity?
    /// Who asked: the events are recorded as theirs, whichever till records the answer.
    var operatorName: String?

    func processorKey(_ step: String) -> String { "\(id):\(step)" }

    /// What to retry with: the key, and the order or payment the request acts on.
    func retryHint(key: String) -> Rejection.RetryHint {
        switch kind {
        case .authorize: Rejection.RetryHint(key: key, paymentId: paymentId)
        case .capture, .refund, .void, .release: Rejection.RetryHint(key: key, paymentId: paymentId)
        case .orderCard, .orderRefund: Rejection.RetryHint(key: key, orderId: orderId)
        }
    }

    var money: Money? {
        guard case .success(let currency) = Currency.named(currency) else { return nil }
        return Money(minorUnits: amount, currency: currency)
    }

    var instant: Instant { Instant(millisecondsSinceEpoch: at) }
}

/// What a keyed request is, as its idempotency row says.
struct RequestIdentity: Codable, Sendable {
    var operation: String
    var target: String
    var fingerprint: String
}

/// A card as the ledger may keep it.
struct StoredCard: Codable, Sendable {
    var brand: String
    var first6: String
    var last4: String
    var expiryYear: Int
    var expiryMonth: Int
    /// The card's keyed fingerprint (an HMAC with the ledger's secret), never its number.
    var fingerprint: String

    init(_ summary: CardSummary, fingerprint: String) {
        brand = summary.brand.rawValue
        first6 = summary.first6
        last4 = summary.last4
        expiryYear = summary.expiry.month.year
        expiryMonth = summary.expiry.month.month
        self.fingerprint = fingerprint
    }

    var summary: CardSummary? {
        CardSummary(
            brand: CardBrand(rawValue: brand) ?? .unknown, first6: first6, last4: last4,
            expiry: CardExpiry(month: YearMonth(year: expiryYear, month: expiryMonth)))
    }
}

/// The order a create-and-pay will create once its payment is approved.
struct NewOrder: Codable, Sendable {
    /// The customer's email as parsed; the total in minor units of the installment's currency.
    var email: String
    var total: Int64
}

/// A card installment about to be taken (in memory only: it holds the typed card).
struct CardInstallment: Sendable {
    /// The order paid; for a create-and-pay, the id its order will have (`newOrder`).
    let orderId: String
    let newOrder: NewOrder?
    let amount: Money
    let card: CardText
}
