import Foundation
import HTTPTypes
import Hummingbird
import TillCore
import TillService

/// The handlers of DESIGN §6, each a translation: read the request, make one service call,
/// answer its view or its rejection. No rule lives here; the service and the core decide.
struct Endpoints: Sendable {
    let service: TillService
    let maxBodyBytes: Int

    // MARK: Orders

    func createOrder(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await keyed(request, status: .created, NewOrderBody.self) { body, key throws(Rejection) in
            await service.createOrder(email: body.email, amount: try body.amount.text(), currency: body.amount.currency, key: key)
        }
    }

    func order(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await answer(service.order(id: context.path("id")))
    }

    /// A customer's orders, newest first, a page at a time: `next` is the `before` of the next page.
    func orders(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let query = request.uri.queryParameters
        guard let email = query["email"].map(String.init) else {
            return Wire.problem(Rejection(.invalidRequest, "GET /orders needs ?email=ADDRESS."))
        }
        var cursor: OrderCursor?
        if let before = query["before"].map(String.init) {
            guard let parsed = OrderCursor(text: before) else {
                return Wire.problem(Rejection(.invalidRequest, "before=\(before.echoed()) is not a cursor this API gave."))
            }
            cursor = parsed
        }
        var limit = 20
        if let text = query["limit"] {
            guard let parsed = Int(text), (1...100).contains(parsed) else {
                return Wire.problem(Rejection(.invalidRequest, "limit takes a whole number from 1 to 100."))
            }
            limit = parsed
        }
        return await answer(service.customerOrders(email: email, limit: limit, after: cursor).map(OrdersPage.init))
    }

    func pay(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let orderId = context.path("id")
        return await keyed(request, status: .created, PaymentBody.self) { body, key throws(Rejection) in
            let tender = try body.tender.input(paying: body.amount)
            return await service.pay(orderId: orderId, amount: try body.amount.text(), tender: tender, key: key, currency: body.amount.currency)
        }
    }

    func createAndPay(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await keyed(request, status: .created, CreateAndPayBody.self) { body, key throws(Rejection) in
            try body.amount.requireSameCurrency(body.pay, "The amount to pay now")
            let paying = body.pay ?? body.amount
            let tender = try body.tender.input(paying: paying)
            return await service.createAndPay(
                email: body.email, amount: try body.amount.text(), currency: body.amount.currency, pay: try body.pay?.text(),
                tender: tender, key: key)
        }
    }

    func refundOrder(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let orderId = context.path("id")
        return await keyed(request, status: .created, OrderRefundBody.self) { body, key throws(Rejection) in
            await service.refund(
                orderId: orderId, paymentId: body.paymentId, amount: try body.amount.text(), key: key, toWallet: body.toWallet,
                currency: body.amount.currency)
        }
    }

    // MARK: The card gateway

    func authorize(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await keyed(request, status: .created, AuthorizeBody.self) { body, key throws(Rejection) in
            await service.authorize(
                number: body.card.pan, expiry: body.card.expiry, cvv: body.card.cvv, amount: try body.amount.text(),
                currency: body.amount.currency, key: key)
        }
    }

    func capture(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await keyed(request, GatewayAmountBody.self) { body, key throws(Rejection) in
            await service.capture(paymentId: body.authorizationId, amount: try body.amount.text(), key: key, currency: body.amount.currency)
        }
    }

    func refundPayment(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await keyed(request, GatewayAmountBody.self) { body, key throws(Rejection) in
            await service.refundPayment(
                paymentId: body.authorizationId, amount: try body.amount.text(), key: key, currency: body.amount.currency)
        }
    }

    func void(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await keyed(request, GatewayBody.self) { body, key in await service.void(paymentId: body.authorizationId, key: key) }
    }

    func release(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await keyed(request, GatewayBody.self) { body, key in await service.release(paymentId: body.authorizationId, key: key) }
    }

    func payment(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await answer(service.payment(id: context.path("id")))
    }

    // MARK: Accounts (wallets)

    /// Not keyed: the name is the account's key, and opening a taken name is `wallet_exists`.
    func openAccount(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body: NewAccountBody
        do { body = try await BodyReader.decode(NewAccountBody.self, from: request, limit: maxBodyBytes) } catch {
            return Wire.problem(error)
        }
        if let currency = body.currency, let overdraft = body.overdraftLimit, overdraft.currency.uppercased() != currency.uppercased() {
            return Wire.problem(Rejection(.currencyMismatch, "The overdraft limit is not in the account's currency."))
        }
        let overdraft: String?
        do { overdraft = try body.overdraftLimit?.text() } catch { return Wire.problem(error) }
        let result = await service.openWallet(
            name: body.name, currency: body.currency ?? body.overdraftLimit?.currency, overdraft: overdraft, customer: body.customer)
        return answer(result, status: .created)
    }

    func account(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await answer(service.wallet(name: context.path("name")))
    }

    func deposit(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await moveMoney(request, context, credit: true)
    }

    func withdraw(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await moveMoney(request, context, credit: false)
    }

    /// The key is `Idempotency-Key`, or the body's `transaction_id` (the same if both are given).
    private func moveMoney(_ request: Request, _ context: BasicRequestContext, credit: Bool) async -> Response {
        let name = context.path("name")
        let body: AccountMoveBody
        do { body = try await BodyReader.decode(AccountMoveBody.self, from: request, limit: maxBodyBytes) } catch {
            return Wire.problem(error)
        }
        let key: String
        switch (IdempotencyHeader.value(in: request), body.transactionId) {
        case (.some(.failure(let rejection)), _): return Wire.problem(rejection)
        case (.some(.success(let header)), .some(let id)) where header != id:
            return Wire.problem(Rejection(.invalidRequest, "Idempotency-Key and transaction_id differ; give one, or the same twice."))
        case (.some(.success(let header)), _): key = header
        case (.none, .some(let id)): key = id
        case (.none, .none): return Wire.problem(IdempotencyHeader.missing(orTransactionId: true))
        }
        let amount: String
        do { amount = try body.amount.text() } catch { return Wire.problem(error) }
        let result = credit
            ? await service.credit(name: name, amount: amount, key: key, currency: body.amount.currency)
            : await service.debit(name: name, amount: amount, key: key, currency: body.amount.currency)
        return keyedAnswer(result, status: .ok)
    }

    // MARK: The shapes every handler shares

    /// A mutation under the request's `Idempotency-Key`: the body is read, the call made, and
    /// its view answered (`Idempotent-Replayed: true` on a replay of a completed request).
    private func keyed<Body: Decodable & Sendable, View: Encodable & Sendable>(
        _ request: Request, status: HTTPResponse.Status = .ok, _ body: Body.Type,
        _ call: (Body, String) async throws(Rejection) -> Result<Keyed<View>, Rejection>
    ) async -> Response {
        let key: String
        switch IdempotencyHeader.value(in: request) {
        case .none: return Wire.problem(IdempotencyHeader.missing(orTransactionId: false))
        case .some(.failure(let rejection)): return Wire.problem(rejection)
        case .some(.success(let value)): key = value
        }
        do {
            let decoded = try await BodyReader.decode(Body.self, from: request, limit: maxBodyBytes)
            return keyedAnswer(try await call(decoded, key), status: status)
        } catch {
            return Wire.problem(error)
        }
    }

    private func keyedAnswer<View: Encodable & Sendable>(_ result: Result<Keyed<View>, Rejection>, status: HTTPResponse.Status) -> Response {
        switch result {
        case .success(let keyed):
            var headers: HTTPFields = [:]
            if keyed.replayed, let name = IdempotencyHeader.replayed { headers[name] = "true" }
            return Wire.response(keyed.response, status: status, headers: headers)
        case .failure(let rejection): return Wire.problem(rejection)
        }
    }

    private func answer<View: Encodable>(_ result: Result<View, Rejection>, status: HTTPResponse.Status = .ok) -> Response {
        switch result {
        case .success(let view): Wire.response(view, status: status)
        case .failure(let rejection): Wire.problem(rejection)
        }
    }
}

/// A page of a customer's orders; `next` goes back as `?before=` for the page after.
struct OrdersPage: Encodable {
    let orders: [OrderSummaryView]
    let next: String?

    init(_ page: OrderPage) {
        orders = page.orders
        next = page.next?.text
    }
}

/// `Idempotency-Key` (IETF draft): one header, its value a key the service accepts, quoted
/// (a structured-field string, as the draft writes it) or not.
enum IdempotencyHeader {
    static let name = HTTPField.Name("Idempotency-Key")
    static let replayed = HTTPField.Name("Idempotent-Replayed")

    static func value(in request: Request) -> Result<String, Rejection>? {
        guard let name else { return nil }
        let values = request.headers[values: name]
        guard let first = values.first else { return nil }
        guard values.count == 1 else { return .failure(Rejection(.invalidIdempotencyKey, "Send one Idempotency-Key header, not \(values.count).")) }
        if first.count >= 2, first.hasPrefix("\""), first.hasSuffix("\"") { return .success(String(first.dropFirst().dropLast())) }
        return .success(first)
    }

    static func missing(orTransactionId: Bool) -> Rejection {
        Rejection(.invalidIdempotencyKey, orTransactionId
            ? "This request needs an Idempotency-Key header or a transaction_id: a retry must be recognisable."
            : "This request needs an Idempotency-Key header: a retry must be recognisable.")
    }
}

extension BasicRequestContext {
    /// A path parameter, percent-decoded (`/accounts/Ann%20Lee` is Ann Lee).
    func path(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}
