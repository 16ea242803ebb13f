import Foundation
import TillCore
import TillService

/// The simulator sends `ServiceRequest`s: every parameter is in the value, so a request can be
/// sent again identically (a retry, a concurrent duplicate, a replay after a crash) on any instance.
extension ServiceRequest {
    /// The card expiry and security code every simulated card is typed with.
    static let simExpiry = "12/40"
    static let simCVV = "123"

    /// The counting name of the operation ("pay.card", "refund.wallet", …).
    var kind: String {
        switch self {
        case .createOrder: return "order.create"
        case .pay(_, _, let tender, _): return "order.pay." + Self.tenderName(tender)
        case .createAndPay(_, _, _, _, let tender, _): return "order.create_and_pay." + Self.tenderName(tender)
        case .refund(_, _, _, let toWallet, _): return toWallet == nil ? "order.refund" : "order.refund.to_wallet"
        case .authorize: return "payment.authorize"
        case .capture: return "payment.capture"
        case .refundPayment: return "payment.refund"
        case .void: return "payment.void"
        case .release: return "payment.release"
        case .openWallet: return "wallet.open"
        case .credit: return "wallet.credit"
        case .debit: return "wallet.debit"
        case .openDrawer: return "drawer.open"
        case .payIn: return "drawer.pay_in"
        case .payOut: return "drawer.pay_out"
        case .closeDrawer: return "drawer.close"
        }
    }

    static func tenderName(_ tender: TenderInput) -> String {
        switch tender {
        case .card: "card"
        case .cash: "cash"
        case .wallet: "wallet"
        }
    }

    /// One line for the trace: the operation and its parameters (card numbers by their last four).
    var traceText: String {
        func tender(_ input: TenderInput) -> String {
            switch input {
            case .card(let number, _, _): "card …\(number.suffix(4))"
            case .cash(let tendered): "cash \(tendered)"
            case .wallet(let name): "wallet \(name)"
            }
        }
        switch self {
        case .createOrder(let email, let amount, let currency, let key):
            return "order.create \(email) \(amount) \(currency) key=\(key)"
        case .pay(let orderId, let amount, let input, let key):
            return "order.pay \(orderId) \(amount) \(tender(input)) key=\(key)"
        case .createAndPay(let email, let amount, let currency, let pay, let input, let key):
            return "order.create_and_pay \(email) \(amount) \(currency) pay=\(pay) \(tender(input)) key=\(key)"
        case .refund(let orderId, let paymentId, let amount, let toWallet, let key):
            return "order.refund \(orderId) \(paymentId) \(amount)\(toWallet.map { " to=\($0)" } ?? "") key=\(key)"
        case .authorize(let number, _, _, let amount, let currency, let key):
            return "payment.authorize …\(number.suffix(4)) \(amount) \(currency) key=\(key)"
        case .capture(let paymentId, let amount, let key): return "payment.capture \(paymentId) \(amount) key=\(key)"
        case .refundPayment(let paymentId, let amount, let key): return "payment.refund \(paymentId) \(amount) key=\(key)"
        case .void(let paymentId, let key): return "payment.void \(paymentId) key=\(key)"
        case .release(let paymentId, let key): return "payment.release \(paymentId) key=\(key)"
        case .openWallet(let name, let currency, let balance, let overdraft, let customer):
            return "wallet.open \(name) \(currency) balance=\(balance) overdraft=\(overdraft)\(customer.map { " customer=\($0)" } ?? "")"
        case .credit(let name, let amount, let key): return "wallet.credit \(name) \(amount) key=\(key)"
        case .debit(let name, let amount, let key): return "wallet.debit \(name) \(amount) key=\(key)"
        case .openDrawer(let float, let currency, let key): return "drawer.open \(float) \(currency) key=\(key)"
        case .payIn(let amount, let reason, let currency, let key): return "drawer.pay_in \(amount) \(currency) \(reason) key=\(key)"
        case .payOut(let amount, let reason, let currency, let key): return "drawer.pay_out \(amount) \(currency) \(reason) key=\(key)"
        case .closeDrawer(let counted, let currency, let key): return "drawer.close \(counted) \(currency) key=\(key)"
        }
    }

    /// The same request with other parameters under the same key (for the key-reuse check).
    func withOtherParameters() -> ServiceRequest {
        func bump(_ amount: String) -> String { String(amount.dropLast()) + (amount.hasSuffix("1") ? "2" : "1") }
        switch self {
        case .createOrder(let email, let amount, let currency, let key): return .createOrder(email: email, amount: bump(amount), currency: currency, key: key)
        case .pay(let orderId, let amount, let tender, let key): return .pay(orderId: orderId, amount: bump(amount), tender: tender, key: key)
        case .createAndPay(let email, let amount, let currency, let pay, let tender, let key):
            return .createAndPay(email: email, amount: amount, currency: currency, pay: bump(pay), tender: tender, key: key)
        case .refund(let orderId, let paymentId, let amount, let toWallet, let key):
            return .refund(orderId: orderId, orderPaymentId: paymentId, amount: bump(amount), toWallet: toWallet, key: key)
        case .authorize(let number, let expiry, let cvv, let amount, let currency, let key):
            return .authorize(number: number, expiry: expiry, cvv: cvv, amount: bump(amount), currency: currency, key: key)
        case .capture(let paymentId, let amount, let key): return .capture(paymentId: paymentId, amount: bump(amount), key: key)
        case .refundPayment(let paymentId, let amount, let key): return .refundPayment(paymentId: paymentId, amount: bump(amount), key: key)
        case .void(let paymentId, let key), .release(let paymentId, let key):
            return .capture(paymentId: paymentId, amount: "1.00", key: key)
        case .openWallet: return self
        case .credit(let name, let amount, let key): return .credit(wallet: name, amount: bump(amount), key: key)
        case .debit(let name, let amount, let key): return .debit(wallet: name, amount: bump(amount), key: key)
        case .openDrawer(let float, let currency, let key): return .openDrawer(float: bump(float), currency: currency, key: key)
        case .payIn(let amount, let reason, let currency, let key): return .payIn(amount: bump(amount), reason: reason, currency: currency, key: key)
        case .payOut(let amount, let reason, let currency, let key): return .payOut(amount: bump(amount), reason: reason, currency: currency, key: key)
        case .closeDrawer(let counted, let currency, let key): return .closeDrawer(counted: bump(counted), currency: currency, key: key)
        }
    }
}

/// What a request answered, reduced to what the simulator checks and remembers.
struct SimAnswer: Sendable {
    var ok: Bool
    var replayed = false
    /// The response as canonical JSON (sorted keys), for byte comparison with a replay.
    var response = ""
    var code = ""
    var message = ""
    /// Ids the response names: order, order payment, gateway payment, wallet.
    var orderId: String?
    var orderPaymentId: String?
    var paymentId: String?

    var traceText: String {
        ok ? "ok\(replayed ? " replayed" : "")\(orderId.map { " \($0)" } ?? "")\(orderPaymentId.map { " \($0)" } ?? "")\(paymentId.map { " \($0)" } ?? "")"
            : "rejected \(code)"
    }
}

enum SimJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func text<T: Encodable>(_ value: T) -> String {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "<unencodable>"
    }
}

extension ServiceRequest {
    /// Sends the request to `service`.
    func run(on service: TillService) async -> SimAnswer {
        switch await service.perform(self) {
        case .failure(let rejection):
            return SimAnswer(ok: false, code: rejection.code.rawValue, message: rejection.message)
        case .success(let reply):
            var answer = SimAnswer(ok: true, replayed: reply.replayed, response: SimJSON.text(reply.answer))
            switch reply.answer {
            case .order(let view): answer.orderId = view.id
            case .orderPayment(let result):
                answer.orderId = result.order.id
                answer.orderPaymentId = result.payment.id
                answer.paymentId = result.payment.paymentId
            case .orderRefund(let result):
                answer.orderId = result.order.id
                answer.orderPaymentId = result.refund.paymentId
            case .payment(let view): answer.paymentId = view.id
            case .wallet, .drawerReport, .drawerMovement: break
            }
            return answer
        }
    }
}
