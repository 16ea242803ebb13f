import Foundation
import Testing
import TillCore
import TillService

/// The card gateway (`/authorize`, `/capture`, `/refund`, `/void`, `/release`) and the
/// bank-style accounts (`/accounts`) over HTTP: the seed scenarios of both systems.
@Suite("HTTP API: gateway and accounts")
struct GatewayAndAccountTests {
    @Test func theGatewayLifecycle() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let hold = try await api.post("/authorize", #"{"card":\#(visa),"amount":\#(usd(10000))}"#, key: "a-1")
            #expect(hold.status == 201, "\(hold.text)")
            let id = try #require(hold.string("id"))
            #expect(hold.string("status") == "authorized")
            #expect(try await api.post("/authorize", #"{"card":\#(visa),"amount":\#(usd(10000))}"#, key: "a-1").replayed)
            // Capture many times up to what was authorized.
            #expect(try await api.post("/capture", #"{"authorization_id":"\#(id)","amount":\#(usd(3000))}"#, key: "c-1").status == 200)
            #expect(try await api.post("/capture", #"{"authorization_id":"\#(id)","amount":\#(usd(3000))}"#, key: "c-2").status == 200)
            let over = try await api.post("/capture", #"{"authorization_id":"\#(id)","amount":\#(usd(5000))}"#, key: "c-3")
            #expect(over.status == 422)
            #expect(over.code == "exceeds_authorized")
            // Void after a capture is refused; a refund is not; then no capture.
            #expect(try await api.post("/void", #"{"authorization_id":"\#(id)"}"#, key: "v-1").code == "void_after_capture")
            let refunded = try await api.post("/refund", #"{"authorization_id":"\#(id)","amount":\#(usd(1000))}"#, key: "r-1")
            #expect(refunded.status == 200, "\(refunded.text)")
            #expect(refunded.int("refunded") == 1000)
            #expect(try await api.post("/capture", #"{"authorization_id":"\#(id)","amount":\#(usd(100))}"#, key: "c-4").code == "capture_after_refund")
            #expect(try await api.post("/refund", #"{"authorization_id":"\#(id)","amount":\#(usd(9000))}"#, key: "r-2").code == "exceeds_captured")
            #expect(try await api.post("/refund", #"{"authorization_id":"\#(id)","amount":{"minor_units":100,"currency":"EUR"}}"#, key: "r-3").code == "currency_mismatch")
            let fetched = try await api.get("/payments/\(id)")
            #expect(fetched.status == 200)
            #expect(fetched.int("captured") == 6000)
            #expect(try await api.get("/payments/pay_missing").status == 404)
            // A second hold: voided before any capture; then nothing.
            let second = try #require(try await api.post("/authorize", #"{"card":\#(visa),"amount":\#(usd(500))}"#, key: "a-2").string("id"))
            #expect(try await api.post("/void", #"{"authorization_id":"\#(second)"}"#, key: "v-2").string("status") == "voided")
            #expect(try await api.post("/capture", #"{"authorization_id":"\#(second)","amount":\#(usd(100))}"#, key: "c-5").code == "already_voided")
            // A third: partly captured, the rest released.
            let third = try #require(try await api.post("/authorize", #"{"card":\#(visa),"amount":\#(usd(500))}"#, key: "a-3").string("id"))
            #expect(try await api.post("/capture", #"{"authorization_id":"\#(third)","amount":\#(usd(200))}"#, key: "c-6").status == 200)
            #expect(try await api.post("/release", #"{"authorization_id":"\#(third)"}"#, key: "l-1").status == 200)
            #expect(try await api.post("/capture", #"{"authorization_id":"\#(third)","amount":\#(usd(100))}"#, key: "c-7").status == 422)
        }
    }

    @Test func cardInputIsCheckedBeforeTheProcessor() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let cases: [(String, String)] = [
                (#"{"pan":"4242 4242 4242 4241","expiry":"12/40","cvv":"123"}"#, "invalid_card_number"),
                (#"{"pan":"4242 4242 4242 4242","expiry":"13/40","cvv":"123"}"#, "invalid_expiry"),
                (#"{"pan":"4242 4242 4242 4242","expiry":"01/20","cvv":"123"}"#, "card_expired"),
                (#"{"pan":"4242 4242 4242 4242","expiry":"12/40","cvv":"12"}"#, "invalid_cvv"),
            ]
            for (card, code) in cases {
                let answer = try await api.post("/authorize", #"{"card":\#(card),"amount":\#(usd(100))}"#, key: UUID().uuidString)
                #expect(answer.code == code, "\(card)")
                #expect(answer.status == (code == "card_expired" ? 422 : 400))
                #expect(!answer.text.contains("4242 4242 4242 424"), "the card number is never echoed")
            }
            let declined = try await api.post("/authorize", #"{"card":{"pan":"4000 0000 0000 9995","expiry":"12/40","cvv":"123"},"amount":\#(usd(100))}"#, key: "d-1")
            #expect(declined.status == 402)
            #expect(declined.code == "processor_declined")
            let failing = try await api.post("/authorize", #"{"card":{"pan":"4000 0000 0000 0119","expiry":"12/40","cvv":"123"},"amount":\#(usd(100))}"#, key: "d-2")
            #expect(failing.status == 502)
            #expect(failing.code == "processor_error")
        }
    }

    @Test func accountsDepositAndWithdrawByTransactionId() async throws {
        try await APIHarness.run { (api: Client) async throws in
            let opened = try await api.post("/accounts", #"{"name":"Ann Lee","overdraft_limit":\#(usd(500))}"#)
            #expect(opened.status == 201, "\(opened.text)")
            #expect(opened.int("overdraft_limit") == 500)
            #expect(opened.string("currency") == "USD")
            let taken = try await api.post("/accounts", #"{"name":"ann lee"}"#)
            #expect(taken.status == 409)
            #expect(taken.code == "wallet_exists")
            #expect(try await api.post("/accounts", #"{"name":"x","currency":"EUR","overdraft_limit":\#(usd(5))}"#).code == "currency_mismatch")
            let deposit = try await api.post("/accounts/Ann%20Lee/deposit", #"{"amount":\#(usd(1000)),"transaction_id":"t-1"}"#)
            #expect(deposit.status == 200)
            #expect(deposit.int("balance") == 1000)
            // The same transaction again: the same answer, marked; another payload: refused.
            let replay = try await api.post("/accounts/Ann%20Lee/deposit", #"{"amount":\#(usd(1000)),"transaction_id":"t-1"}"#)
            #expect(replay.replayed)
            #expect(replay.text == deposit.text)
            #expect(try await api.post("/accounts/Ann%20Lee/deposit", #"{"amount":\#(usd(999)),"transaction_id":"t-1"}"#).code == "idempotency_key_reused")
            // The header is the key too; header and body must agree.
            #expect(try await api.post("/accounts/Ann%20Lee/deposit", #"{"amount":\#(usd(1))}"#, key: "t-2").int("balance") == 1001)
            #expect(try await api.post("/accounts/Ann%20Lee/deposit", #"{"amount":\#(usd(1)),"transaction_id":"t-3"}"#, key: "t-4").status == 400)
            #expect(try await api.post("/accounts/Ann%20Lee/deposit", #"{"amount":\#(usd(1))}"#).code == "invalid_idempotency_key")
            // Withdraw into the overdraft, not past it; the refused id is free again.
            #expect(try await api.post("/accounts/Ann%20Lee/withdraw", #"{"amount":\#(usd(1400)),"transaction_id":"w-1"}"#).int("balance") == -399)
            let past = try await api.post("/accounts/Ann%20Lee/withdraw", #"{"amount":\#(usd(200)),"transaction_id":"w-2"}"#)
            #expect(past.status == 422)
            #expect(past.code == "insufficient_funds")
            #expect(try await api.post("/accounts/Ann%20Lee/withdraw", #"{"amount":\#(usd(100)),"transaction_id":"w-2"}"#).int("balance") == -499)
            #expect(try await api.post("/accounts/Ann%20Lee/deposit", #"{"amount":{"minor_units":100,"currency":"EUR"},"transaction_id":"e-1"}"#).code == "currency_mismatch")
            let account = try await api.get("/accounts/ann%20lee")
            #expect(account.int("balance") == -499)
            #expect(try await api.get("/accounts/nobody").status == 404)
            #expect(try await api.post("/accounts/nobody/deposit", #"{"amount":\#(usd(1)),"transaction_id":"n-1"}"#).status == 404)
        }
    }

    /// The wallet seed scenario (bet/win): debits and credits by transaction id, many at once,
    /// every one applied exactly once.
    @Test func concurrentDepositsAndWithdrawalsLoseNothing() async throws {
        try await APIHarness.run { (api: Client) async throws in
            #expect(try await api.post("/accounts", #"{"name":"house"}"#).status == 201)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let path = index % 2 == 0 ? "deposit" : "withdraw"
                        let cents = index % 2 == 0 ? 300 : 100
                        let answer = try await api.post("/accounts/house/\(path)", #"{"amount":\#(usd(cents)),"transaction_id":"tx-\#(index % 20)-\#(index)"}"#)
                        // A withdrawal may come before enough deposits: refused, never negative.
                        #expect(answer.status == 200 || answer.code == "insufficient_funds")
                    }
                }
                try await group.waitForAll()
            }
            let balance = try #require(try await api.get("/accounts/house").int("balance"))
            let history = try await api.service.walletHistory(name: "house", limit: 100).get()
            let net = history.reduce(0) { $0 + ($1.kind == "credited" ? Int($1.amount) : -Int($1.amount)) }
            #expect(balance == net)
            #expect(history.filter { $0.kind == "credited" }.count == 20)
        }
    }
}
