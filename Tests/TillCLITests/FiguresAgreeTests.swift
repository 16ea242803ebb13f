import Foundation
import Testing
@testable import TillCLI
import TillCore
import TillService
import TillUI

/// Issue 12, "one rule, one place": every figure the POS shows and the command line prints
/// (change due, shortfall, refundable, capturable, available, status) comes from one core
/// function. Each test makes the state once, through the service, then reads the same figure
/// on a POS screen and from `till … --json` against the same ledger, and compares them.
@Suite("The POS and the CLI show the same figures")
struct FiguresAgreeTests {
    /// `till` in-process on the POS harness's own ledger, at the harness's time.
    static func till(_ pos: POSHarness, _ arguments: [String]) async -> CommandResult {
        let environment = [
            "TILL_DB": pos.directory.appendingPathComponent("ledger/till.sqlite").path,
            "TILL_SECRETS_DIR": pos.directory.appendingPathComponent("secrets").path,
            "TILL_NOW": Timestamp.iso8601(pos.now), "TILL_RECEIPT_DIR": pos.directory.path,
        ]
        return await TillCommandLine.run(arguments + ["--json"], environment: environment)
    }

    static func json(_ result: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    static func error(_ result: CommandResult) throws -> (code: String, message: String) {
        let error = try #require(try json(result)["error"] as? [String: Any], "\(result)")
        return (try #require(error["code"] as? String), try #require(error["message"] as? String))
    }

    /// On the order screen: p, cash (F9), the cash handed over, then the amount typed over the
    /// prefilled balance. The dialog stays open, showing what it makes of the figures.
    static func typeCash(_ pos: POSHarness, amount: String, tendered: String) async {
        await pos.press(.character("p"), .function(9))
        await pos.type(tendered)
        await pos.press(.backTab, .control("u"))
        await pos.type(amount)
    }

    // MARK: Cash change and shortfall (Order.plan)

    /// The issue's reproduction: $10 due, $15 typed as the amount, $12 cash. The service
    /// refuses the installment (it exceeds what is due); the dialog said "Short by $3.00"
    /// and, on Enter, "That is $3.00 short.", a rule of its own.
    @Test func cashMoreThanDueIsRefusedAlikeNotCalledShort() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await POSFlowTests.createOrder(pos, email: "ann@example.com", amount: "10.00")
        let cli = try Self.error(await Self.till(pos, ["order", "pay", id, "--amount", "15.00", "--cash", "12.00", "--key", "cli-1"]))
        #expect(cli.code == "exceeds_balance_due")
        await Self.typeCash(pos, amount: "15.00", tendered: "12.00")
        #expect(pos.screen.contains(cli.message))
        #expect(!pos.screen.contains("Short by"))
        await pos.press(.enter)
        guard case .payment(let dialog) = pos.state.overlay else { Issue.record("the dialog closed"); return }
        // Refused before anything is sent, with the service's message and its stable code.
        #expect(dialog.problem?.message == "\(cli.message) [exceeds_balance_due]")
        #expect(try await pos.order(id).payments.isEmpty)
    }

    @Test func cashChangeIsTheSame() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await POSFlowTests.createOrder(pos, email: "bo@example.com", amount: "10.00")
        await Self.typeCash(pos, amount: "7.50", tendered: "20.00")
        #expect(pos.screen.contains("Change due  $12.50"))
        let paid = try Self.json(await Self.till(pos, ["order", "pay", id, "--amount", "7.50", "--cash", "20.00", "--key", "cli-1"]))
        let payment = try #require(paid["payment"] as? [String: Any])
        #expect((payment["change"] as? NSNumber)?.int64Value == 1250)
    }

    @Test func cashShortfallIsTheSame() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await POSFlowTests.createOrder(pos, email: "cy@example.com", amount: "10.00")
        let cli = try Self.error(await Self.till(pos, ["order", "pay", id, "--amount", "10.00", "--cash", "8.25", "--key", "cli-1"]))
        #expect(cli.code == "insufficient_cash")
        await Self.typeCash(pos, amount: "10.00", tendered: "8.25")
        #expect(pos.screen.contains("Short by  $1.75"))
    }

    static func int(_ object: [String: Any], _ key: String) -> Int64? { (object[key] as? NSNumber)?.int64Value }

    // MARK: Wallet.available

    @Test func walletAvailableIsTheSame() async throws {
        let pos = try await POSHarness()
        await pos.start()
        _ = try await pos.service.openWallet(name: "Ann credit", balance: "10.00", overdraft: "5.25").get()
        let cli = try Self.json(await Self.till(pos, ["wallet", "get", "Ann credit"]))
        #expect(Self.int(cli, "available") == 1525)
        await pos.press(.function(6))
        #expect(pos.screen.contains("Available") && pos.screen.contains("$15.25"))
        // Debiting more than that is refused alike: the dialog's limit is the same figure.
        await pos.press(.character("-"))
        guard case .amount(let dialog) = pos.state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.limit == 1525)
    }

    // MARK: OrderPayment.refundable

    @Test func refundableIsTheSame() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await POSFlowTests.createOrder(pos, email: "di@example.com", amount: "10.00")
        let paid = try await pos.service.pay(orderId: id, amount: "10.00", tender: .cash(tendered: "20.00"), key: "pay-1").get()
        _ = try await pos.service.refund(orderId: id, paymentId: paid.response.payment.id, amount: "3.00", key: "ref-1").get()
        // The CLI: more than is left is refused, naming what is left (the core's figure).
        let cli = try Self.error(await Self.till(
            pos, ["order", "refund", id, "--payment", paid.response.payment.id, "--amount", "7.01", "--key", "cli-ref"]))
        #expect(cli.code == "exceeds_paid" && cli.message.contains("$7.00"))
        // The POS: the refund dialog offers, and allows, exactly that.
        await pos.send(.loaded(.order(id: id), .success(.order(try await pos.order(id)))))
        await pos.press(.character("r"))
        guard case .amount(let dialog) = pos.state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.limit == 700 && dialog.amount.text == "7.00")
    }

    // MARK: Payment.capturable and the status text

    @Test func capturableAndStatusAreTheSame() async throws {
        let pos = try await POSHarness(width: 120, height: 30)
        await pos.start()
        let held = try await pos.service.authorize(
            number: POSFlowTests.visa, expiry: "12/30", cvv: "123", amount: "25.00", currency: "USD", key: "auth-1").get()
        _ = try await pos.service.capture(paymentId: held.response.id, amount: "10.00", key: "cap-1").get()
        let cli = try Self.json(await Self.till(pos, ["payment", "get", held.response.id]))
        #expect(Self.int(cli, "capturable") == 1500 && cli["status"] as? String == "partially_captured")
        await pos.press(.function(5))
        let row = try #require(pos.screen.split(separator: "\n").first { $0.contains("Visa") }, "\(pos.screen)")
        // The status column is 11 cells: "partially captured" shows cut to fit.
        #expect(row.contains("$15.00") && row.contains("partially"))
    }

    // MARK: The drawer's expected cash

    @Test func expectedCashIsTheSame() async throws {
        let pos = try await POSHarness(width: 100, height: 40)
        await pos.start()
        _ = try await pos.service.openDrawer(float: "100.00", key: "open").get()
        let id = try await POSFlowTests.createOrder(pos, email: "ed@example.com", amount: "12.50")
        _ = try await pos.service.pay(orderId: id, amount: "12.50", tender: .cash(tendered: "20.00"), key: "pay-1").get()
        let cli = try Self.json(await Self.till(pos, ["report", "x"]))
        #expect(Self.int(cli, "expected") == 11_250)
        await pos.press(.function(7), .character("x"))
        let row = try #require(pos.screen.split(separator: "\n").first { $0.contains("Expected in the drawer") }, "\(pos.screen)")
        #expect(row.contains("$112.50"))
    }
}

