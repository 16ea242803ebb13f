public import TillCore

/// One mutation of the ledger as a value, with every parameter as typed and the idempotency
/// key it is sent under: what the POS sends from a dialog, what the simulator sends (and sends
/// again, identically, after a crash), one shape for every caller that holds a request before
/// it runs. `TillService.perform` sends it.
public enum ServiceRequest: Sendable, Hashable {
    case createOrder(email: String, amount: String, currency: String, key: String)
    case createAndPay(email: String, amount: String, currency: String, pay: String, tender: TenderInput, key: String)
    case pay(orderId: String, amount: String, tender: TenderInput, key: String)
    case refund(orderId: String, orderPaymentId: String, amount: String, toWallet: String?, key: String)
    case authorize(number: String, expiry: String, cvv: String, amount: String, currency: String, key: String)
    case capture(paymentId: String, amount: String, key: String)
    case refundPayment(paymentId: String, amount: String, key: String)
    case void(paymentId: String, key: String)
    case release(paymentId: String, key: String)
    /// Not keyed: a second open of the same name is `wallet_exists`.
    case openWallet(name: String, currency: String, balance: String, overdraft: String, customer: String?)
    case credit(wallet: String, amount: String, key: String)
    case debit(wallet: String, amount: String, key: String)
    case openDrawer(float: String, currency: String, key: String)
    case payIn(amount: String, reason: String, currency: String, key: String)
    case payOut(amount: String, reason: String, currency: String, key: String)
    case closeDrawer(counted: String, currency: String, key: String)

    /// The idempotency key (nil for opening a wallet).
    public var key: String? {
        switch self {
        case .createOrder(_, _, _, let key), .createAndPay(_, _, _, _, _, let key), .pay(_, _, _, let key),
             .refund(_, _, _, _, let key), .authorize(_, _, _, _, _, let key), .capture(_, _, let key),
             .refundPayment(_, _, let key), .void(_, let key), .release(_, let key), .credit(_, _, let key),
             .debit(_, _, let key), .openDrawer(_, _, let key), .payIn(_, _, _, let key), .payOut(_, _, _, let key),
             .closeDrawer(_, _, let key):
            key
        case .openWallet: nil
        }
    }
}

/// What a request answered: the view its own command answers with.
public enum ServiceAnswer: Sendable, Equatable, Encodable {
    case order(OrderView)
    case orderPayment(OrderPaymentResult)
    case orderRefund(OrderRefundResult)
    case payment(PaymentView)
    case wallet(WalletView)
    /// Opening the drawer answers its X report; closing it, the Z report.
    case drawerReport(DrawerReportView)
    case drawerMovement(DrawerMovementView)

    /// Encoded as the view itself: the same JSON as the command's own answer.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .order(let view): try view.encode(to: encoder)
        case .orderPayment(let result): try result.encode(to: encoder)
        case .orderRefund(let result): try result.encode(to: encoder)
        case .payment(let view): try view.encode(to: encoder)
        case .wallet(let view): try view.encode(to: encoder)
        case .drawerReport(let view): try view.encode(to: encoder)
        case .drawerMovement(let view): try view.encode(to: encoder)
        }
    }
}

/// An answer and whether it is the stored answer of an earlier identical request.
public struct ServiceReply: Sendable, Equatable {
    public let answer: ServiceAnswer
    public let replayed: Bool
}

extension TillService {
    /// Sends `request`: the same as calling its own method.
    public func perform(_ request: ServiceRequest) async -> Result<ServiceReply, Rejection> {
        func reply<View>(_ result: Result<Keyed<View>, Rejection>, _ answer: (View) -> ServiceAnswer) -> Result<ServiceReply, Rejection> {
            result.map { ServiceReply(answer: answer($0.response), replayed: $0.replayed) }
        }
        switch request {
        case .createOrder(let email, let amount, let currency, let key):
            return reply(await createOrder(email: email, amount: amount, currency: currency, key: key), ServiceAnswer.order)
        case .createAndPay(let email, let amount, let currency, let pay, let tender, let key):
            return reply(
                await createAndPay(email: email, amount: amount, currency: currency, pay: pay, tender: tender, key: key),
                ServiceAnswer.orderPayment)
        case .pay(let orderId, let amount, let tender, let key):
            return reply(await pay(orderId: orderId, amount: amount, tender: tender, key: key), ServiceAnswer.orderPayment)
        case .refund(let orderId, let orderPaymentId, let amount, let toWallet, let key):
            return reply(
                await refund(orderId: orderId, paymentId: orderPaymentId, amount: amount, key: key, toWallet: toWallet),
                ServiceAnswer.orderRefund)
        case .authorize(let number, let expiry, let cvv, let amount, let currency, let key):
            return reply(
                await authorize(number: number, expiry: expiry, cvv: cvv, amount: amount, currency: currency, key: key),
                ServiceAnswer.payment)
        case .capture(let id, let amount, let key):
            return reply(await capture(paymentId: id, amount: amount, key: key), ServiceAnswer.payment)
        case .refundPayment(let id, let amount, let key):
            return reply(await refundPayment(paymentId: id, amount: amount, key: key), ServiceAnswer.payment)
        case .void(let id, let key):
            return reply(await void(paymentId: id, key: key), ServiceAnswer.payment)
        case .release(let id, let key):
            return reply(await release(paymentId: id, key: key), ServiceAnswer.payment)
        case .openWallet(let name, let currency, let balance, let overdraft, let customer):
            return await openWallet(name: name, currency: currency, balance: balance, overdraft: overdraft, customer: customer)
                .map { ServiceReply(answer: .wallet($0), replayed: false) }
        case .credit(let wallet, let amount, let key):
            return reply(await credit(name: wallet, amount: amount, key: key), ServiceAnswer.wallet)
        case .debit(let wallet, let amount, let key):
            return reply(await debit(name: wallet, amount: amount, key: key), ServiceAnswer.wallet)
        case .openDrawer(let float, let currency, let key):
            return reply(await openDrawer(float: float, currency: currency, key: key), ServiceAnswer.drawerReport)
        case .payIn(let amount, let reason, let currency, let key):
            return reply(await payIn(amount: amount, reason: reason, currency: currency, key: key), ServiceAnswer.drawerMovement)
        case .payOut(let amount, let reason, let currency, let key):
            return reply(await payOut(amount: amount, reason: reason, currency: currency, key: key), ServiceAnswer.drawerMovement)
        case .closeDrawer(let counted, let currency, let key):
            return reply(await closeDrawer(counted: counted, currency: currency, key: key), ServiceAnswer.drawerReport)
        }
    }
}
