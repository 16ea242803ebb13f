import Foundation
import TillCore
import TillService

/// One request the simulator sends, with every parameter, so that it can be sent again
/// identically (a retry, a concurrent duplicate, a replay after a crash) on any instance.
enum SimOp: Sendable, Hashable {
    case createOrder(email: String, amount: String, currency: String, key: String)
    case pay(orderId: String, amount: String, tender: TenderInput, key: String)
    case createAndPay(email: String, amount: String, currency: String, pay: String, tender: TenderInput, key: String)
    case refund(orderId: String, paymentId: String, amount: String, key: String, toWallet: String?)
    case authorize(number: String, amount: String, currency: String, key: String)
    case capture(paymentId: String, amount: String, key: String)
    case refundPayment(paymentId: String, amount: String, key: String)
    case void(paymentId: String, key: String)
    case release(paymentId: String, key: String)
    case openWallet(name: String, currency: String, balance: String, overdraft: String, customer: String?)
    case credit(name: String, amount: String, key: String)
    case debit(name: String, amount: String, key: String)
    case openDrawer(float: String, currency: String, key: String)
    case payIn(amount: String, reason: String, currency: String, key: String)
    case payOut(amount: String, reason: String, currency: String, key: String)
    case closeDrawer(counted: String, currency: String, key: String)

    static let expiry = "12/40"

    var key: String? {
        switch self {
        case .createOrder(_, _, _, let key), .pay(_, _, _, let key), .createAndPay(_, _, _, _, _, let key),
             .refund(_, _, _, let key, _), .authorize(_, _, _, let key), .capture(_, _, let key),
             .refundPayment(_, _, let key), .void(_, let key), .release(_, let key), .credit(_, _, let key), .debit(_, _, let key),
             .openDrawer(_, _, let key), .payIn(_, _, _, let key), .payOut(_, _, _, let key), .closeDrawer(_, _, let key):
            return key
        case .openWallet: return nil
        }
    }

    /// The counting name of the operation ("pay.card", "refund.wallet", …).
    var kind: String {
        switch self {
        case .createOrder: return "order.create"
        case .pay(_, _, let tender, _): return "order.pay." + Self.tenderName(tender)
        case .createAndPay(_, _, _, _, let tender, _): return "order.create_and_pay." + Self.tenderName(tender)
        case .refund(_, _, _, _, let toWallet): return toWallet == nil ? "order.refund" : "order.refund.to_wallet"
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
        case .refund(let orderId, let paymentId, let amount, let key, let toWallet):
            return "order.refund \(orderId) \(paymentId) \(amount)\(toWallet.map { " to=\($0)" } ?? "") key=\(key)"
        case .authorize(let number, let amount, let currency, let key):
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
    func withOtherParameters() -> SimOp {
        func bump(_ amount: String) -> String { String(amount.dropLast()) + (amount.hasSuffix("1") ? "2" : "1") }
        switch self {
        case .createOrder(let email, let amount, let currency, let key): return .createOrder(email: email, amount: bump(amount), currency: currency, key: key)
        case .pay(let orderId, let amount, let tender, let key): return .pay(orderId: orderId, amount: bump(amount), tender: tender, key: key)
        case .createAndPay(let email, let amount, let currency, let pay, let tender, let key):
            return .createAndPay(email: email, amount: amount, currency: currency, pay: bump(pay), tender: tender, key: key)
        case .refund(let orderId, let paymentId, let amount, let key, let toWallet):
            return .refund(orderId: orderId, paymentId: paymentId, amount: bump(amount), key: key, toWallet: toWallet)
        case .authorize(let number, let amount, let currency, let key): return .authorize(number: number, amount: bump(amount), currency: currency, key: key)
        case .capture(let paymentId, let amount, let key): return .capture(paymentId: paymentId, amount: bump(amount), key: key)
        case .refundPayment(let paymentId, let amount, let key): return .refundPayment(paymentId: paymentId, amount: bump(amount), key: key)
        case .void(let paymentId, let key), .release(let paymentId, let key):
            return .capture(paymentId: paymentId, amount: "1.00", key: key)
        case .openWallet: return self
        case .credit(let name, let amount, let key): return .credit(name: name, amount: bump(amount), key: key)
        case .debit(let name, let amount, let key): return .debit(name: name, amount: bump(amount), key: key)
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

extension SimOp {
    /// Sends the request to `service`.
    func run(on service: TillService) async -> SimAnswer {
        switch self {
        case .createOrder(let email, let amount, let currency, let key):
            return Self.answer(await service.createOrder(email: email, amount: amount, currency: currency, key: key)) { answer, view in
                answer.orderId = view.id
            }
        case .pay(let orderId, let amount, let tender, let key):
            return Self.answer(await service.pay(orderId: orderId, amount: amount, tender: tender, key: key), Self.paid)
        case .createAndPay(let email, let amount, let currency, let pay, let tender, let key):
            return Self.answer(
                await service.createAndPay(email: email, amount: amount, currency: currency, pay: pay, tender: tender, key: key),
                Self.paid)
        case .refund(let orderId, let paymentId, let amount, let key, let toWallet):
            return Self.answer(
                await service.refund(orderId: orderId, paymentId: paymentId, amount: amount, key: key, toWallet: toWallet)
            ) { answer, result in
                answer.orderId = result.order.id
                answer.orderPaymentId = result.refund.paymentId
            }
        case .authorize(let number, let amount, let currency, let key):
            return Self.answer(
                await service.authorize(number: number, expiry: Self.expiry, cvv: "123", amount: amount, currency: currency, key: key),
                Self.gateway)
        case .capture(let paymentId, let amount, let key):
            return Self.answer(await service.capture(paymentId: paymentId, amount: amount, key: key), Self.gateway)
        case .refundPayment(let paymentId, let amount, let key):
            return Self.answer(await service.refundPayment(paymentId: paymentId, amount: amount, key: key), Self.gateway)
        case .void(let paymentId, let key):
            return Self.answer(await service.void(paymentId: paymentId, key: key), Self.gateway)
        case .release(let paymentId, let key):
            return Self.answer(await service.release(paymentId: paymentId, key: key), Self.gateway)
        case .openWallet(let name, let currency, let balance, let overdraft, let customer):
            switch await service.openWallet(name: name, currency: currency, balance: balance, overdraft: overdraft, customer: customer) {
            case .success(let view): return SimAnswer(ok: true, response: SimJSON.text(view))
            case .failure(let rejection): return SimAnswer(ok: false, code: rejection.code.rawValue, message: rejection.message)
            }
        case .credit(let name, let amount, let key):
            return Self.answer(await service.credit(name: name, amount: amount, key: key)) { _, _ in }
        case .debit(let name, let amount, let key):
            return Self.answer(await service.debit(name: name, amount: amount, key: key)) { _, _ in }
        case .openDrawer(let float, let currency, let key):
            return Self.answer(await service.openDrawer(float: float, currency: currency, key: key)) { _, _ in }
        case .payIn(let amount, let reason, let currency, let key):
            return Self.answer(await service.payIn(amount: amount, reason: reason, currency: currency, key: key)) { _, _ in }
        case .payOut(let amount, let reason, let currency, let key):
            return Self.answer(await service.payOut(amount: amount, reason: reason, currency: currency, key: key)) { _, _ in }
        case .closeDrawer(let counted, let currency, let key):
            return Self.answer(await service.closeDrawer(counted: counted, currency: currency, key: key)) { _, _ in }
        }
    }

    private static func paid(_ answer: inout SimAnswer, _ result: OrderPaymentResult) {
        answer.orderId = result.order.id
        answer.orderPaymentId = result.payment.id
        answer.paymentId = result.payment.paymentId
    }

    private static func gateway(_ answer: inout SimAnswer, _ view: PaymentView) {
        answer.paymentId = view.id
    }

    private static func answer<R>(
        _ result: Result<Keyed<R>, Rejection>, _ extract: (inout SimAnswer, R) -> Void
    ) -> SimAnswer {
        switch result {
        case .success(let keyed):
            var answer = SimAnswer(ok: true, replayed: keyed.replayed, response: SimJSON.text(keyed.response))
            extract(&answer, keyed.response)
            return answer
        case .failure(let rejection):
            return SimAnswer(ok: false, code: rejection.code.rawValue, message: rejection.message)
        }
    }
}
