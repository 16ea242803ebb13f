import Foundation
import HTTPTypes
import Testing
import TillHTTP

/// `openapi.yaml` against the running API: the same routes, and every status the server
/// answers on a route is one the spec lists for it, with the content type it promises.
@Suite("HTTP API: openapi.yaml")
struct OpenAPITests {
    static let specURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml")

    /// "POST /orders" -> the statuses the spec documents for it. Read by indentation, which
    /// the spec keeps regular: paths at 2 spaces, methods at 4, response codes at 8.
    static func documented() throws -> [String: Set<Int>] {
        let text = try String(contentsOf: specURL, encoding: .utf8)
        var operations: [String: Set<Int>] = [:]
        var path: String?, current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("components:") { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
                current = nil
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "),
                      let method = ["get", "post", "put", "delete", "patch"].first(where: { line == "    \($0):" }) {
                current = "\(method.uppercased()) \(path)"
                operations[current ?? "", default: []] = []
            } else if let current, line.hasPrefix("        \""), let code = Int(line.dropFirst(9).prefix(3)) {
                operations[current, default: []].insert(code)
            }
        }
        return operations
    }

    @Test func theSpecListsExactlyTheServersRoutes() async throws {
        let spec = try Self.documented()
        let harness = try await APIHarness()
        defer { harness.remove() }
        let served = Set(harness.api.routeList.map { "\($0.method) \($0.path)" })
        #expect(Set(spec.keys) == served)
        #expect(served.count == 19)
        // The two routes anyone may call: the health check and GoblinPay's payout notification.
        for (operation, codes) in spec where !operation.hasPrefix("GET /health") && !operation.hasPrefix("GET /goblinpay/webhook") {
            #expect(codes.contains(401), "\(operation) must document 401")
        }
    }

    /// For each route, requests that succeed and that fail; each answer's status must be
    /// documented for its route.
    @Test func everyAnswerIsDocumented() async throws {
        let spec = try Self.documented()
        try await APIHarness.run { (api: Client) async throws in
            var seen: [(String, Answer)] = []
            func send(_ operation: String, _ uri: String, _ body: String? = nil, key: String? = nil, token: String? = APIHarness.token) async throws -> Answer {
                let method = HTTPRequest.Method(String(operation.prefix { $0 != " " })) ?? .get
                let answer = try await api.call(method, uri, body, key: key, token: token)
                seen.append((operation, answer))
                return answer
            }
            _ = try await send("GET /health", "/health", token: nil)
            _ = try await send("GET /metrics", "/metrics")
            _ = try await send("GET /metrics", "/metrics", token: nil)
            _ = try await send("GET /goblinpay/webhook/", "/goblinpay/webhook/", token: nil)
            let order = try #require(try await send("POST /orders", "/orders", #"{"email":"a@b.co","amount":\#(usd(5000))}"#, key: "o").string("id"))
            _ = try await send("POST /orders", "/orders", #"{"email":"a@b.co","amount":\#(usd(5001))}"#, key: "o")
            _ = try await send("POST /orders", "/orders", "{", key: "o2")
            _ = try await send("GET /orders", "/orders?email=a@b.co")
            _ = try await send("GET /orders", "/orders")
            _ = try await send("GET /orders/{id}", "/orders/\(order)")
            _ = try await send("GET /orders/{id}", "/orders/nope")
            let paid = try await send("POST /orders/{id}/payments", "/orders/\(order)/payments", #"{"amount":\#(usd(1000)),"tender":{"kind":"card","card":\#(visa)}}"#, key: "p")
            _ = try await send("POST /orders/{id}/payments", "/orders/\(order)/payments", #"{"amount":\#(usd(99000)),"tender":{"kind":"cash"}}"#, key: "p2")
            _ = try await send("POST /orders/{id}/payments", "/orders/nope/payments", #"{"amount":\#(usd(1)),"tender":{"kind":"cash"}}"#, key: "p3")
            let paymentId = (paid.json["payment"] as? [String: Any])?["id"] as? String ?? ""
            _ = try await send("POST /orders/{id}/refunds", "/orders/\(order)/refunds", #"{"payment_id":"\#(paymentId)","amount":\#(usd(100))}"#, key: "r")
            _ = try await send("POST /orders/{id}/refunds", "/orders/\(order)/refunds", #"{"payment_id":"\#(paymentId)","amount":\#(usd(99999))}"#, key: "r2")
            _ = try await send("POST /orders/pay", "/orders/pay", #"{"email":"b@b.co","amount":\#(usd(100)),"tender":{"kind":"cash"}}"#, key: "cp")
            _ = try await send("POST /orders/pay", "/orders/pay", #"{"email":"b@b.co","amount":\#(usd(100)),"tender":{"kind":"card","card":{"pan":"4000000000000002","expiry":"12/40","cvv":"123"}}}"#, key: "cp2")
            let hold = try await send("POST /authorize", "/authorize", #"{"card":\#(visa),"amount":\#(usd(1000))}"#, key: "a")
            let id = hold.string("id") ?? ""
            _ = try await send("POST /authorize", "/authorize", #"{"card":{"pan":"4000000000000119","expiry":"12/40","cvv":"123"},"amount":\#(usd(1000))}"#, key: "a2")
            _ = try await send("POST /capture", "/capture", #"{"authorization_id":"\#(id)","amount":\#(usd(500))}"#, key: "c")
            _ = try await send("POST /capture", "/capture", #"{"authorization_id":"nope","amount":\#(usd(500))}"#, key: "c2")
            _ = try await send("POST /refund", "/refund", #"{"authorization_id":"\#(id)","amount":\#(usd(100))}"#, key: "f")
            _ = try await send("POST /void", "/void", #"{"authorization_id":"\#(id)"}"#, key: "v")
            _ = try await send("POST /release", "/release", #"{"authorization_id":"\#(id)"}"#, key: "l")
            _ = try await send("GET /payments/{id}", "/payments/\(id)")
            _ = try await send("GET /payments/{id}", "/payments/nope")
            _ = try await send("POST /accounts", "/accounts", #"{"name":"acc"}"#)
            _ = try await send("POST /accounts", "/accounts", #"{"name":"acc"}"#)
            _ = try await send("GET /accounts/{name}", "/accounts/acc")
            _ = try await send("GET /accounts/{name}", "/accounts/nope")
            _ = try await send("POST /accounts/{name}/deposit", "/accounts/acc/deposit", #"{"amount":\#(usd(100)),"transaction_id":"d"}"#)
            _ = try await send("POST /accounts/{name}/withdraw", "/accounts/acc/withdraw", #"{"amount":\#(usd(1000)),"transaction_id":"w"}"#)
            _ = try await send("POST /accounts/{name}/withdraw", "/accounts/acc/withdraw", #"{"amount":\#(usd(10))}"#)
            #expect(Set(seen.map(\.0)) == Set(spec.keys), "every route exercised")
            for (operation, answer) in seen {
                #expect(spec[operation]?.contains(answer.status) == true, "\(operation) answered \(answer.status), which openapi.yaml does not list")
                let type = answer.header("Content-Type") ?? ""
                if answer.status >= 400 {
                    #expect(type == "application/problem+json", "\(operation) \(answer.status)")
                    for member in ["type", "title", "status", "detail", "code"] { #expect(answer.json[member] != nil, "\(operation): \(member)") }
                    #expect(answer.int("status") == answer.status)
                } else {
                    #expect(type.hasPrefix(operation == "GET /metrics" ? "text/plain" : "application/json"), "\(operation)")
                }
            }
        }
    }
}
