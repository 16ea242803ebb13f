public import TillCore
import TillStore

// The service's answers: plain Codable values, encoded as the CLI's JSON contract (snake_case
// keys, integer minor units beside the object's currency, ISO 8601 UTC times). A keyed
// request's response is stored as this JSON and decoded again to replay it unchanged.

public struct OrderView: Codable, Sendable, Equatable {
    public let id: String
    public let email: String
    public let currency: String
    public let total: Int64
    public let paid: Int64
    public let balanceDue: Int64
    public let refunded: Int64
    public let status: OrderStatus
    public let createdAt: String
    public let payments: [OrderPaymentView]
    /// Requests on the order whose outcome is not known yet (or not recorded): a card
    /// installment taken at GoblinPay but not heard back, a refund in flight. Absent when none.
    public internal(set) var pending: [PendingRequestView]?
    /// What is still due once every pending request succeeds: what a new installment may take.
    /// Absent when nothing is pending (it is then `balance_due`).
    public internal(set) var dueAfterPending: Int64?
    /// How much of the balance the pending installments would pay (`balance_due` less
    /// `due_after_pending`). Absent when nothing is pending.
    public internal(set) var pendingPaid: Int64?

    /// What a new installment may take: `due_after_pending` while requests are pending, else
    /// `balance_due`. Every screen that offers or shows "due" reads this one figure.
    public var payable: Int64 { dueAfterPending ?? balanceDue }

    public init(_ order: Order) {
        id = order.id
        email = order.email.address
        currency = order.currency.code
        total = order.total.minorUnits
        paid = order.paid.minorUnits
        balanceDue = order.balanceDue.minorUnits
        refunded = order.refunded.minorUnits
        status = order.status
        createdAt = Timestamp.iso8601(order.createdAt)
        payments = order.payments.map(OrderPaymentView.init)
    }
}

public struct OrderPaymentView: Codable, Sendable, Equatable {
    public let id: String
    public let amount: Int64
    public let tender: Tender.Kind
    public let state: OrderPaymentState
    public let refunded: Int64
    public let createdAt: String
    /// Cash: what was handed over and the change given.
    public let tendered: Int64?
    public let change: Int64?
    /// Card: the gateway payment and the card as screens may show it.
    public let paymentId: String?
    public let card: CardView?
    /// Store credit: the wallet debited.
    public let wallet: String?
    public let refunds: [RefundView]
    /// Who took it (DESIGN §5 "order payment"). Optional only so that answers stored before
    /// operators were recorded still replay unchanged.
    public let `operator`: String?

    public init(_ payment: OrderPayment) {
        id = payment.id
        amount = payment.amount.minorUnits
        tender = payment.tender.kind
        state = payment.state
        refunded = payment.refunded.minorUnits
        createdAt = Timestamp.iso8601(payment.createdAt)
        paymentId = payment.gatewayPaymentId
        switch payment.tender {
        case .card(let summary):
            card = CardView(summary)
            tendered = nil
            change = nil
            wallet = nil
        case .cash(let cash):
            card = nil
            tendered = cash.minorUnits
            change = payment.change.minorUnits
            wallet = nil
        case .storeCredit(let name):
            card = nil
            tendered = nil
            change = nil
            wallet = name
        }
        refunds = payment.refunds.map { RefundView($0, paymentId: payment.id) }
        `operator` = payment.operatorName.text
    }
    /// What is left to refund of it (the core's `OrderPayment.refundable`).
    public var refundable: Int64 { OrderPayment.refundable(amount: amount, refunded: refunded) }
}

public struct RefundView: Codable, Sendable, Equatable {
    public let id: String
    /// The order installment refunded (JSON `order_payment_id`).
    public let orderPaymentId: String
    public let amount: Int64
    public let toWallet: String?
    public let createdAt: String

    /// The installment under its old JSON key `payment_id`, which on an order payment names the
    /// gateway payment. Deprecated: written beside `order_payment_id` for one release (README).
    public var paymentId: String { orderPaymentId }

    public init(_ refund: OrderRefund, paymentId: String) {
        id = refund.id
        orderPaymentId = paymentId
        amount = refund.amount.minorUnits
        toWallet = refund.toWallet
        createdAt = Timestamp.iso8601(refund.at)
    }

    enum CodingKeys: String, CodingKey { case id, orderPaymentId, paymentId, amount, toWallet, createdAt }

    // A refund stored before `order_payment_id` existed replays from its `payment_id`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        orderPaymentId = try container.decodeIfPresent(String.self, forKey: .orderPaymentId)
            ?? container.decode(String.self, forKey: .paymentId)
        amount = try container.decode(Int64.self, forKey: .amount)
        toWallet = try container.decodeIfPresent(String.self, forKey: .toWallet)
        createdAt = try container.decode(String.self, forKey: .createdAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(orderPaymentId, forKey: .orderPaymentId)
        try container.encode(orderPaymentId, forKey: .paymentId)
        try container.encode(amount, forKey: .amount)
        try container.encodeIfPresent(toWallet, forKey: .toWallet)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

public struct CardView: Codable, Sendable, Equatable {
    public let brand: CardBrand
    public let first6: String
    public let last4: String

    public init(_ card: CardSummary) {
        brand = card.brand
        first6 = card.first6
        last4 = card.last4
    }
}

public struct PaymentView: Codable, Sendable, Equatable {
    public let id: String
    public let status: PaymentStatus
    public let currency: String
    public let authorized: Int64
    public let captured: Int64
    public let refunded: Int64
    public let capturable: Int64
    public let refundable: Int64
    /// The uncaptured rest given up by `payment release` (0 until then).
    public let released: Int64
    /// What a release would give up now (0 when none is allowed).
    public let releasable: Int64
    public let card: CardView
    public let authorizedAt: String
    public let expiresAt: String
    /// Set when the payment was taken as an order installment.
    public let orderPaymentId: String?
    /// The order and customer of an installment (the lists fill them in; absent otherwise).
    public var orderId: String?
    public var customer: String?
    public let events: [PaymentEventView]

    public init(_ payment: Payment, orderPaymentId: String?, at now: Instant) {
        id = payment.id
        status = payment.status(at: now)
        currency = payment.currency.code
        authorized = payment.authorized.minorUnits
        captured = payment.captured.minorUnits
        refunded = payment.refunded.minorUnits
        capturable = payment.capturable(at: now).minorUnits
        refundable = payment.refundable.minorUnits
        released = payment.released.minorUnits
        releasable = payment.releasable(at: now).minorUnits
        card = CardView(payment.card)
        authorizedAt = Timestamp.iso8601(payment.authorizedAt)
        expiresAt = Timestamp.iso8601(payment.expiresAt)
        self.orderPaymentId = orderPaymentId
        events = payment.events.map(PaymentEventView.init)
    }
}

public struct PaymentEventView: Codable, Sendable, Equatable {
    public let kind: PaymentEvent.Kind
    public let amount: Int64
    public let at: String

    public init(_ event: PaymentEvent) {
        kind = event.kind
        amount = event.amount.minorUnits
        at = Timestamp.iso8601(event.at)
    }
}

public struct WalletView: Codable, Sendable, Equatable {
    public let name: String
    public let currency: String
    public let balance: Int64
    public let overdraftLimit: Int64
    /// How much more may be debited (`Wallet.available`).
    public let available: Int64
    /// The customer's email (lowercased) when the wallet is theirs; absent from JSON otherwise.
    public let customer: String?

    public init(_ wallet: Wallet) {
        name = wallet.name
        customer = wallet.customer?.key
        currency = wallet.currency.code
        balance = wallet.balance.minorUnits
        overdraftLimit = wallet.overdraftLimit.minorUnits
        available = wallet.available.minorUnits
    }
}

/// A customer's orders, newest first.
/// A request to the processor whose outcome is not known yet, or that GoblinPay applied but
/// Till could not record (`needs_attention`, with the reason): what `till pending` lists and
/// an order shows as pending.
public struct PendingRequestView: Codable, Sendable, Equatable {
    public let key: String
    /// `order.pay`, `order.create_and_pay`, `order.refund`, `payment.authorize`, `payment.capture`, …
    public let operation: String
    /// The order or payment it acts on ("-" for an authorization).
    public let target: String
    /// `in_progress` (a till is asking GoblinPay now), `outcome_unknown`, `needs_attention`.
    public let state: String
    public let amount: Int64
    public let currency: String
    /// `card` for a card installment or refund.
    public let tender: Tender.Kind?
    public let card: CardView?
    public let paymentId: String?
    public let orderPaymentId: String?
    public let since: String
    public let attention: String?

    /// An open request as every read shows it; one whose stored intent cannot be read is still
    /// shown (amount 0), saying so, rather than hidden.
    init(_ request: RequestRecord) {
        key = request.key
        operation = request.operation
        target = request.target
        state = request.state.rawValue
        since = Timestamp.iso8601(Instant(millisecondsSinceEpoch: request.createdAt))
        guard let intent = TillService.intent(of: request) else {
            amount = 0
            currency = ""
            tender = nil
            card = nil
            paymentId = nil
            orderPaymentId = nil
            attention = request.attention ?? "The stored intent of this request cannot be read."
            return
        }
        amount = intent.amount
        currency = intent.currency
        switch intent.kind {
        case .orderCard, .orderRefund: tender = .card
        default: tender = nil
        }
        card = intent.card?.summary.map(CardView.init)
        paymentId = intent.kind == .orderCard ? nil : intent.paymentId
        orderPaymentId = intent.orderPaymentId
        attention = request.attention
    }
    /// A refund in flight (`order.refund`) rather than a payment.
    public var isRefund: Bool { operation == "order.refund" }
    /// Waiting for an operator (`till pending --resolve`), no longer for GoblinPay.
    public var needsAttention: Bool { state == RequestRecord.State.needsAttention.rawValue }
    /// A till is asking GoblinPay about it right now.
    public var inProgress: Bool { state == RequestRecord.State.inProgress.rawValue }
}

/// Every request still pending, oldest first.
public struct PendingListView: Codable, Sendable, Equatable {
    public let pending: [PendingRequestView]
}

public struct OrderListView: Codable, Sendable, Equatable {
    public let email: String
    public let orders: [OrderView]
}

/// What a change to an order answers: the order as it now stands, plus what the change made
/// (`OrderPaymentResult`: the new installment; `OrderRefundResult`: the refund). In JSON the
/// order's fields are flat with the made thing beside them under its key.
public struct OrderChange<Made: OrderChangeMade>: Sendable, Equatable, Codable {
    public let order: OrderView
    public let made: Made

    public init(order: OrderView, made: Made) {
        self.order = order
        self.made = made
    }

    private struct Beside: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        made = try decoder.container(keyedBy: Beside.self).decode(Made.self, forKey: Beside(stringValue: Made.jsonKey))
        order = try OrderView(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try order.encode(to: encoder)
        var container = encoder.container(keyedBy: Beside.self)
        try container.encode(made, forKey: Beside(stringValue: Made.jsonKey))
    }
}

/// What an order change can make, and the JSON key it stands under beside the order.
public protocol OrderChangeMade: Codable, Sendable, Equatable {
    static var jsonKey: String { get }
}

extension OrderPaymentView: OrderChangeMade { public static var jsonKey: String { "payment" } }
extension RefundView: OrderChangeMade { public static var jsonKey: String { "refund" } }

/// An installment taken: the order as it now stands, plus the new payment.
public typealias OrderPaymentResult = OrderChange<OrderPaymentView>
/// A refund made: the order as it now stands, plus the refund.
public typealias OrderRefundResult = OrderChange<RefundView>

extension OrderChange where Made == OrderPaymentView {
    public var payment: OrderPaymentView { made }
}

extension OrderChange where Made == RefundView {
    public var refund: RefundView { made }
}

/// The answer to a keyed request: the response, the key it ran under, and whether it was
/// answered from the stored response instead of executing now.
public struct Keyed<Response: Codable & Sendable & Equatable>: Encodable, Sendable, Equatable {
    public let response: Response
    public let key: String
    public let replayed: Bool

    enum CodingKeys: String, CodingKey { case key, replayed }
    public func encode(to encoder: any Encoder) throws {
        try response.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(replayed, forKey: .replayed)
    }
}
