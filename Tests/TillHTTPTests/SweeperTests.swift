import Foundation
import Testing
import TillCore
import TillHTTP
import TillService

/// `till serve` resolves what it left unknown by itself, with no client retrying: found by the
/// review (a lost answer stayed pending, its amount blocked on the order, until a restart).
@Suite("HTTP API: the open-request sweeper")
struct SweeperTests {
    @Test func aLostAnswerIsResolvedWithoutARetry() async throws {
        let harness = try await APIHarness()
        defer { harness.remove() }
        let order = try await harness.service.createOrder(email: "sw@example.com", amount: "40.00", key: "o").get().response.id
        // 4000 0000 0000 4046: GoblinPay authorizes, and its first answer is lost.
        let lost = await harness.service.pay(
            orderId: order, amount: "10.00", tender: .card(number: "4000 0000 0000 4046", expiry: "12/40", cvv: "123"), key: "p")
        guard case .failure(let rejection) = lost, rejection.code == .paymentPending else { Issue.record("\(lost)"); return }
        #expect(try await harness.service.order(id: order).get().pending?.count == 1)
        let sweeping = Task { await OpenRequestSweeper(service: harness.service, every: .milliseconds(50)).run() }
        defer { sweeping.cancel() }
        // Polled until resolved, up to two minutes of a busy machine.
        var resolved = false
        let deadline = ContinuousClock.now + .seconds(120)
        while !resolved, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
            let view = try await harness.service.order(id: order).get()
            resolved = view.pending == nil && view.paid == 1000
        }
        #expect(resolved, "the sweeper recorded the installment GoblinPay applied")
    }

    @Test func anAccountCanBelongToACustomer() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let opened = try await api.post("/accounts", #"{"name":"ann-credit","customer":"Ann@Example.com"}"#)
            #expect(opened.status == 201)
            #expect(opened.string("customer") == "ann@example.com")
            let id = try await api.order(2000, email: "ann@example.com")
            let paid = try await api.post("/orders/\(id)/payments", #"{"amount":\#(usd(2000)),"tender":{"kind":"cash"}}"#, key: "pay")
            let installment = try #require((paid.json["payment"] as? [String: Any])?["id"] as? String)
            let refund = try await api.post("/orders/\(id)/refunds", #"{"payment_id":"\#(installment)","amount":\#(usd(500)),"to_wallet":"ann-credit"}"#, key: "ref")
            #expect(refund.status == 201, "\(refund.text)")
            #expect(try await api.get("/accounts/ann-credit").int("balance") == 500)
        }
    }
}
