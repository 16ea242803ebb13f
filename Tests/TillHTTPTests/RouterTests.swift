import Foundation
import HTTPTypes
import Testing
import TillCore
import TillService

/// Every endpoint of DESIGN §6 through the real router and middleware, on a real ledger.
@Suite("HTTP API: endpoints")
struct RouterTests {
    @Test func healthNeedsNoTokenAndEverythingElseDoes() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let health = try await api.call(.get, "/health", token: nil)
            #expect(health.status == 200)
            #expect(health.string("status") == "ok")
            for (method, path) in [("GET", "/metrics"), ("GET", "/orders/x"), ("POST", "/orders"), ("GET", "/nowhere"), ("DELETE", "/orders/x")] {
                let method = HTTPMethodName(method)
                let missing = try await api.call(method, path, token: nil)
                #expect(missing.status == 401, "\(path)")
                #expect(missing.code == "unauthorized")
                #expect(missing.header("WWW-Authenticate") == "Bearer")
                #expect(missing.header("Content-Type") == "application/problem+json")
                #expect(try await api.call(method, path, token: "wrong-token-0123456789abcdef").status == 401)
                // A token one byte short, one byte long, in another scheme: refused alike.
                #expect(try await api.call(method, path, token: String(APIHarness.token.dropLast())).status == 401)
                #expect(try await api.call(method, path, token: APIHarness.token + "x").status == 401)
                #expect(try await api.call(method, path, token: nil, headers: [("Authorization", "Basic \(APIHarness.token)")]).status == 401)
            }
            // Length differences of any size count (a difference of 256 once wrapped to zero).
            for extra in [1, 255, 256, 512] {
                #expect(try await api.call(.get, "/metrics", token: APIHarness.token + String(repeating: "A", count: extra)).status == 401, "\(extra)")
            }
            // The scheme is matched in any case, as RFC 9110 says.
            #expect(try await api.call(.get, "/metrics", token: nil, headers: [("Authorization", "bearer \(APIHarness.token)")]).status == 200)
        }
    }

    @Test func unknownPathsAreNotFoundAndWrongMethodsNotAllowed() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let unknown = try await api.get("/nowhere")
            #expect(unknown.status == 404)
            #expect(unknown.code == "not_found")
            let wrongMethod = try await api.call(.delete, "/orders/ord_1")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.code == "method_not_allowed")
            #expect(wrongMethod.header("Allow") == "GET")
            let getPay = try await api.get("/orders/pay")
            #expect(getPay.status == 405)
            #expect(getPay.header("Allow") == "POST")
            let problem = unknown.json
            #expect(problem["status"] as? Int == 404)
            #expect(problem["type"] as? String == "https://till.invalid/problems/not_found")
            #expect((problem["title"] as? String)?.isEmpty == false)
        }
    }

    @Test func ordersAreCreatedReplayedAndListed() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let body = #"{"email":"Ann@Example.com","amount":\#(usd(5000))}"#
            let created = try await api.post("/orders", body, key: "o-1")
            #expect(created.status == 201)
            #expect(created.int("total") == 5000)
            #expect(created.string("currency") == "USD")
            #expect(!created.replayed)
            let again = try await api.post("/orders", body, key: "o-1")
            #expect(again.status == 201)
            #expect(again.replayed)
            #expect(again.text == created.text)
            // The key in the draft's quoted form is the same key.
            #expect(try await api.post("/orders", body, key: "\"o-1\"").replayed)
            let reused = try await api.post("/orders", #"{"email":"Ann@Example.com","amount":\#(usd(5001))}"#, key: "o-1")
            #expect(reused.status == 422)
            #expect(reused.code == "idempotency_key_reused")
            let id = try #require(created.string("id"))
            let fetched = try await api.get("/orders/\(id)")
            #expect(fetched.status == 200)
            #expect(fetched.int("balance_due") == 5000)
            let missing = try await api.get("/orders/ord_missing")
            #expect(missing.status == 404)
            #expect(missing.code == "not_found")
            // Three more orders: two pages of two.
            for cents in [100, 200, 300] { _ = try await api.order(cents, email: "ann@example.com") }
            let first = try await api.get("/orders?email=ANN%40example.com&limit=2")
            #expect(first.status == 200)
            let firstOrders = try #require(first.json["orders"] as? [Any])
            #expect(firstOrders.count == 2)
            let next = try #require(first.string("next"))
            let second = try await api.get("/orders?email=ann@example.com&limit=2&before=\(next)")
            #expect((second.json["orders"] as? [Any])?.count == 2)
            #expect(second.string("next") == nil)
            #expect(try await api.get("/orders?email=ann@example.com&before=garbage").code == "invalid_request")
            #expect(try await api.get("/orders?email=ann@example.com&limit=0").code == "invalid_request")
            #expect(try await api.get("/orders").code == "invalid_request")
        }
    }

    @Test func mutationsNeedAKeyAndARefusalStoresNothing() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let missing = try await api.post("/orders", #"{"email":"a@b.co","amount":\#(usd(100))}"#)
            #expect(missing.status == 400)
            #expect(missing.code == "invalid_idempotency_key")
            let twoKeys = try await api.call(.post, "/orders", #"{"email":"a@b.co","amount":\#(usd(100))}"#, key: "k", headers: [("Idempotency-Key", "k2")])
            #expect(twoKeys.status == 400)
            #expect(try await api.get("/orders?email=a@b.co").json["orders"] as? [Any] != nil)
            #expect((try await api.get("/orders?email=a@b.co").json["orders"] as? [Any])?.isEmpty == true)
            // Refused (a bad email): the key is free for a request that succeeds.
            #expect(try await api.post("/orders", #"{"email":"nope","amount":\#(usd(100))}"#, key: "k-free").code == "invalid_email")
            #expect(try await api.post("/orders", #"{"email":"a@b.co","amount":\#(usd(100))}"#, key: "k-free").status == 201)
        }
    }

    @Test func installmentsByCardCashAndWallet() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let id = try await api.order(5000)
            let card = try await api.post("/orders/\(id)/payments", #"{"amount":\#(usd(1000)),"tender":{"kind":"card","card":\#(visa)}}"#, key: "p-card")
            #expect(card.status == 201, "\(card.text)")
            #expect(card.int("balance_due") == 4000)
            #expect(!card.text.contains("4242424242424242"))
            let cash = try await api.post(
                "/orders/\(id)/payments", #"{"amount":\#(usd(1000)),"tender":{"kind":"cash","tendered":\#(usd(2000))}}"#, key: "p-cash")
            #expect(cash.status == 201, "\(cash.text)")
            #expect((cash.json["payment"] as? [String: Any])?["change"] as? Int == 1000)
            #expect(try await api.post("/accounts", #"{"name":"ann-credit","currency":"USD"}"#).status == 201)
            #expect(try await api.post("/accounts/ann-credit/deposit", #"{"amount":\#(usd(3000)),"transaction_id":"t-1"}"#).status == 200)
            let wallet = try await api.post("/orders/\(id)/payments", #"{"amount":\#(usd(500)),"tender":{"kind":"wallet","name":"ann-credit"}}"#, key: "p-wallet")
            #expect(wallet.status == 201, "\(wallet.text)")
            #expect(try await api.get("/accounts/ann-credit").int("balance") == 2500)
            // Refusals: another currency, more than is due, a declined card (nothing charged).
            let euros = try await api.post("/orders/\(id)/payments", #"{"amount":{"minor_units":100,"currency":"EUR"},"tender":{"kind":"cash"}}"#, key: "p-eur")
            #expect(euros.status == 422)
            #expect(euros.code == "currency_mismatch")
            let euroCard = try await api.post("/orders/\(id)/payments", #"{"amount":{"minor_units":100,"currency":"EUR"},"tender":{"kind":"card","card":\#(visa)}}"#, key: "p-eur-card")
            #expect(euroCard.code == "currency_mismatch")
            let tooMuch = try await api.post("/orders/\(id)/payments", #"{"amount":\#(usd(9000)),"tender":{"kind":"card","card":\#(visa)}}"#, key: "p-much")
            #expect(tooMuch.status == 422)
            #expect(tooMuch.code == "exceeds_balance_due")
            let declinedCard = #"{"pan":"4000 0000 0000 0002","expiry":"12/40","cvv":"123"}"#
            let declined = try await api.post("/orders/\(id)/payments", #"{"amount":\#(usd(100)),"tender":{"kind":"card","card":\#(declinedCard)}}"#, key: "p-declined")
            #expect(declined.status == 402)
            #expect(declined.code == "processor_declined")
            let after = try await api.get("/orders/\(id)")
            #expect(after.int("paid") == 2500)
            #expect((after.json["payments"] as? [Any])?.count == 3)
        }
    }

    @Test func createAndPayLeavesNoOrderWhenThePaymentFails() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let paid = try await api.post(
                "/orders/pay", #"{"email":"bo@example.com","amount":\#(usd(3000)),"pay":\#(usd(1000)),"tender":{"kind":"card","card":\#(visa)}}"#, key: "cp-1")
            #expect(paid.status == 201, "\(paid.text)")
            #expect(paid.int("balance_due") == 2000)
            let declinedCard = #"{"pan":"4000 0000 0000 0002","expiry":"12/40","cvv":"123"}"#
            let declined = try await api.post(
                "/orders/pay", #"{"email":"cy@example.com","amount":\#(usd(3000)),"tender":{"kind":"card","card":\#(declinedCard)}}"#, key: "cp-2")
            #expect(declined.status == 402)
            #expect((try await api.get("/orders?email=cy@example.com").json["orders"] as? [Any])?.isEmpty == true)
            let mixed = try await api.post(
                "/orders/pay", #"{"email":"cy@example.com","amount":\#(usd(3000)),"pay":{"minor_units":1,"currency":"EUR"},"tender":{"kind":"cash"}}"#, key: "cp-3")
            #expect(mixed.code == "currency_mismatch")
        }
    }

    @Test func refundsOfAnInstallment() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let id = try await api.order(5000)
            let paid = try await api.post("/orders/\(id)/payments", #"{"amount":\#(usd(5000)),"tender":{"kind":"card","card":\#(visa)}}"#, key: "p-1")
            let paymentId = try #require((paid.json["payment"] as? [String: Any])?["id"] as? String)
            let refund = try await api.post("/orders/\(id)/refunds", #"{"payment_id":"\#(paymentId)","amount":\#(usd(1500))}"#, key: "r-1")
            #expect(refund.status == 201, "\(refund.text)")
            #expect(try await api.get("/orders/\(id)").int("refunded") == 1500)
            let tooMuch = try await api.post("/orders/\(id)/refunds", #"{"payment_id":"\#(paymentId)","amount":\#(usd(4000))}"#, key: "r-2")
            #expect(tooMuch.status == 422)
            #expect(try await api.get("/orders/\(id)").int("refunded") == 1500)
        }
    }
}

/// `HTTPRequest.Method` from its name, for tables of requests.
func HTTPMethodName(_ name: String) -> HTTPRequest.Method { HTTPRequest.Method(name) ?? .get }
