import Foundation
import Testing
import HTTPTypes

/// Bad requests: each gets its documented status and code, changes nothing, and none stops the
/// server (the next good request is answered). The kinds are counted for the closing report.
@Suite("HTTP API: bad requests")
struct BadRequestTests {
    struct Bad: Sendable {
        let name: String
        let path: String
        let body: String?
        let status: Int
        let code: String
    }

    static let order = #"{"email":"a@b.co","amount":{"minor_units":100,"currency":"USD"}}"#

    /// What a careless or hostile client sends to POST /orders (and one to each other shape).
    static let kinds: [Bad] = [
        Bad(name: "not JSON", path: "/orders", body: "{email:", status: 400, code: "invalid_request"),
        Bad(name: "empty body", path: "/orders", body: "", status: 400, code: "invalid_request"),
        Bad(name: "a JSON array", path: "/orders", body: "[]", status: 400, code: "invalid_request"),
        Bad(name: "a JSON string", path: "/orders", body: #""hello""#, status: 400, code: "invalid_request"),
        Bad(name: "null", path: "/orders", body: "null", status: 400, code: "invalid_request"),
        Bad(name: "missing email", path: "/orders", body: #"{"amount":{"minor_units":100,"currency":"USD"}}"#, status: 400, code: "invalid_request"),
        Bad(name: "missing amount", path: "/orders", body: #"{"email":"a@b.co"}"#, status: 400, code: "invalid_request"),
        Bad(name: "amount as text", path: "/orders", body: #"{"email":"a@b.co","amount":"1.00"}"#, status: 400, code: "invalid_request"),
        Bad(name: "minor units as text", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":"100","currency":"USD"}}"#, status: 400, code: "invalid_request"),
        Bad(name: "minor units fractional", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":1.5,"currency":"USD"}}"#, status: 400, code: "invalid_amount"),
        Bad(name: "minor units past 64 bits", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":99999999999999999999,"currency":"USD"}}"#, status: 400, code: "amount_too_large"),
        Bad(name: "minor units zero", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":0,"currency":"USD"}}"#, status: 400, code: "invalid_amount"),
        Bad(name: "minor units negative", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":-100,"currency":"USD"}}"#, status: 400, code: "invalid_amount"),
        Bad(name: "minor units one past Int64.max", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":9223372036854775808,"currency":"USD"}}"#, status: 400, code: "amount_too_large"),
        Bad(name: "minor units one below Int64.min", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":-9223372036854775809,"currency":"USD"}}"#, status: 400, code: "amount_too_large"),
        Bad(name: "minor units in exponent form", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":1e30,"currency":"USD"}}"#, status: 400, code: "amount_too_large"),
        Bad(name: "minor units at Int64.min", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":-9223372036854775808,"currency":"USD"}}"#, status: 400, code: "invalid_amount"),
        Bad(name: "unknown currency", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":100,"currency":"XYZ"}}"#, status: 400, code: "unknown_currency"),
        Bad(name: "currency not a string", path: "/orders", body: #"{"email":"a@b.co","amount":{"minor_units":100,"currency":840}}"#, status: 400, code: "invalid_request"),
        Bad(name: "email not a string", path: "/orders", body: #"{"email":7,"amount":{"minor_units":100,"currency":"USD"}}"#, status: 400, code: "invalid_request"),
        Bad(name: "bad email", path: "/orders", body: #"{"email":"nobody","amount":{"minor_units":100,"currency":"USD"}}"#, status: 400, code: "invalid_email"),
        Bad(name: "control characters", path: "/orders", body: "{\"email\":\"a\\u0000@b.co\",\"amount\":{\"minor_units\":100,\"currency\":\"USD\"}}", status: 400, code: "invalid_email"),
        Bad(name: "deeply nested", path: "/orders", body: String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), status: 400, code: "invalid_request"),
        Bad(name: "body too large", path: "/orders", body: #"{"email":"a@b.co","pad":""# + String(repeating: "x", count: 70_000) + #""}"#, status: 413, code: "body_too_large"),
        Bad(name: "unknown tender", path: "/orders/pay", body: #"{"email":"a@b.co","amount":{"minor_units":100,"currency":"USD"},"tender":{"kind":"cheque"}}"#, status: 400, code: "invalid_request"),
        Bad(name: "card tender without card", path: "/orders/pay", body: #"{"email":"a@b.co","amount":{"minor_units":100,"currency":"USD"},"tender":{"kind":"card"}}"#, status: 400, code: "invalid_request"),
        Bad(name: "wallet tender without name", path: "/orders/pay", body: #"{"email":"a@b.co","amount":{"minor_units":100,"currency":"USD"},"tender":{"kind":"wallet"}}"#, status: 400, code: "invalid_request"),
        Bad(name: "gateway without id", path: "/capture", body: #"{"amount":{"minor_units":100,"currency":"USD"}}"#, status: 400, code: "invalid_request"),
        Bad(name: "void of nothing", path: "/void", body: #"{"authorization_id":"pay_missing"}"#, status: 404, code: "not_found"),
        Bad(name: "payment on a missing order", path: "/orders/ord_missing/payments", body: #"{"amount":{"minor_units":100,"currency":"USD"},"tender":{"kind":"cash"}}"#, status: 404, code: "not_found"),
        Bad(name: "key too long", path: "/orders", body: order, status: 400, code: "invalid_idempotency_key"),
    ]

    @Test func everyKindIsAnsweredWithItsCodeAndChangesNothing() async throws {
        try await APIHarness.run { (api: Client) async throws in
            for bad in Self.kinds {
                let key = bad.name == "key too long" ? String(repeating: "k", count: 300) : "bad-\(bad.name)"
                let answer = try await api.call(.post, bad.path, bad.body, key: key)
                #expect(answer.status == bad.status, "\(bad.name): \(answer.text.prefix(300))")
                #expect(answer.code == bad.code, "\(bad.name): \(answer.text.prefix(300))")
                #expect(answer.header("Content-Type") == "application/problem+json", "\(bad.name)")
                // The message never carries the body back whole.
                #expect(answer.text.count < 2_000, "\(bad.name)")
            }
            #expect((try await api.get("/orders?email=a@b.co").json["orders"] as? [Any])?.isEmpty == true)
            // Still serving, and the keys of the refused requests are free.
            #expect(try await api.post("/orders", Self.order, key: "bad-not JSON").status == 201)
        }
    }

    @Test func theBodyLimitIsTheServersSetting() async throws {
        try await APIHarness.run(maxBodyBytes: 512) { (api: Client) async throws in
            let big = #"{"email":"a@b.co","amount":{"minor_units":100,"currency":"USD"},"pad":""# + String(repeating: "x", count: 600) + #""}"#
            #expect(try await api.post("/orders", big, key: "big").status == 413)
            #expect(try await api.post("/orders", Self.order, key: "small").status == 201)
        }
    }

    @Test func metricsCountRequestsByRouteNeverById() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let id = try await api.order(100)
            _ = try await api.get("/orders/\(id)")
            _ = try await api.get("/nowhere/\(id)")
            let metrics = try await api.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"till_http_requests_total{method="GET",route="/orders/{id}",status="200"} 1"#))
            #expect(metrics.text.contains(#"till_http_requests_total{method="POST",route="/orders",status="201"} 1"#))
            #expect(metrics.text.contains(#"route="(not found)",status="404"} 1"#))
            #expect(!metrics.text.contains(id))
        }
    }
}
