import Foundation
import Testing

/// Issue 11's counter mistakes typed into the real `till` at 80x24 (a private tmux server per
/// test, see `TmuxSession`), checked on the screen and then in the ledger through the CLI.
/// Each failed on the old code.
@Suite struct CounterEndToEndTests {
    typealias Shop = POSEndToEndTests.Shop

    /// Keys in a row, each one a tmux key name or text typed literally.
    static func newOrderForm(_ pos: TmuxSession, email: String, amount: String) throws {
        try pos.send("n")
        try pos.waitFor("New order ─")
        try pos.type(email)
        try pos.send("Tab")
        try pos.type(amount)
    }

    /// The last `rows` rows of `screen` as one line (a wrapped message reads on).
    static func bottom(_ screen: String, rows: Int) -> String {
        screen.split(separator: "\n", omittingEmptySubsequences: false).suffix(rows)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// Repro 1 and 3: a form left half-way is not the next customer's, and a card number typed
    /// the moment the payment dialog opens lands in the card number.
    @Test func aStaleFormNeverMakesTheWrongOrderAndACardNumberTypedAtOnceIsKept() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try Self.newOrderForm(pos, email: "a.first@example.com", amount: "99.99")
        try pos.send("F8")
        try pos.waitFor("Create and pay")
        try pos.send("Escape")
        try pos.waitUntilGone("Create and pay")
        try pos.send("Escape")
        try pos.waitFor("Net takings")
        try Self.newOrderForm(pos, email: "b.second@example.com", amount: "12.34")
        try pos.send("Enter")
        try pos.waitFor("created for $12.34")
        #expect(try shop.orders("a.first@example.com").isEmpty)
        #expect(try shop.orders("b.second@example.com").map { $0["total"] as? Int } == [1234])

        try pos.send("Escape")
        try pos.waitFor("Net takings")
        try Self.newOrderForm(pos, email: "c.third@example.com", amount: "20.00")
        try pos.send("F8")
        try pos.waitFor("Create and pay")
        try pos.type("4242 4242 4242 4242")
        try pos.send("Tab")
        try pos.type("12/30")
        try pos.send("Tab")
        try pos.type("123")
        try pos.send("Enter")
        try pos.waitFor("Paid $20.00 by Visa ••••4242")
        let order = try #require(try shop.orders("c.third@example.com").first)
        #expect(order["status"] as? String == "paid")
        #expect((order["payments"] as? [[String: Any]])?.map { $0["tender"] as? String } == ["card"])
    }

    /// Repro 2: Customers entered again searches what is typed; no letter opens a dialog.
    @Test func customersEnteredAgainSearchWhatIsTyped() throws {
        let shop = try Shop()
        defer { shop.remove() }
        _ = try shop.json(["order", "create", "--email", "李@example.com", "--amount", "30.00"])
        _ = try shop.json(["order", "create", "--email", "priya@example.com", "--amount", "40.00"])
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try pos.send("F4")
        try pos.type("李")
        try pos.waitFor("Owing $30.00")
        try pos.send("Tab", "F2")
        try pos.waitFor("Net takings")
        try pos.send("F4")
        try pos.type("priya")
        let screen = try pos.waitFor("Owing $40.00")
        #expect(!screen.contains("Take payment"))
        #expect(screen.contains("priya@example.com"))
    }

    /// Repro 5, 9 and the receipt of 7: Enter twice on a cash refund refunds nothing; y does,
    /// and the POS says to hand the cash back; a saved receipt names its file in full.
    @Test func aCashRefundNeedsYAndSaysToHandTheCashBack() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let created = try shop.json(["order", "create", "--email", "dora@example.com", "--amount", "25.00"])
        let id = try #require(created["id"] as? String)
        _ = try shop.json(["order", "pay", id, "--amount", "25.00", "--cash", "30.00", "--key", "dora-1"])
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("dora@")
        try pos.send("Enter")
        try pos.waitFor("Payments ─")
        try pos.send("r")
        try pos.waitFor("Hand back cash $25.00")
        try pos.send("C-u")
        try pos.type("1")
        try pos.send("Enter", "Enter")
        try pos.waitFor("Press y")
        #expect(try shop.json(["order", "get", id])["refunded"] as? Int == 0)
        try pos.send("y")
        let screen = try pos.waitFor("HAND BACK CASH")
        #expect(screen.contains("Hand back $1.00 in cash."))
        // The status bar too (wrapped upward when it needs a second row).
        #expect(Self.bottom(screen, rows: 3).contains("Hand back $1.00 in cash: refunded on"))
        #expect(try shop.json(["order", "get", id])["refunded"] as? Int == 100)
        try pos.send("Enter")
        try pos.waitUntilGone("HAND BACK CASH")
        try pos.send("t")
        let saved = try pos.waitFor("Receipt saved")
        #expect(saved.contains("receipt-\(id)"))
    }

    /// Repro 9 in the command line: `till order refund` of a cash installment says to hand
    /// the cash back, with the amount; a refund to the card does not.
    @Test func theCommandLineSaysToHandCashBack() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let created = try shop.json(["order", "create", "--email", "fred@example.com", "--amount", "25.00"])
        let id = try #require(created["id"] as? String)
        let paid = try shop.json(["order", "pay", id, "--amount", "25.00", "--cash", "30.00", "--key", "fred-1"])
        let payment = try #require((paid["payment"] as? [String: Any])?["id"] as? String)
        let (status, output) = try ChildProcess.run(
            ChildProcess.tillPath, arguments: ["order", "refund", id, "--payment", payment, "--amount", "4.50", "--key", "fred-r"],
            environment: shop.environment)
        #expect(status == 0)
        #expect(output.contains("HAND BACK CASH: $4.50"), "\(output)")
    }

    /// Repro 7 and 8 at 80x24: a lost answer to create-and-pay says what to do, in the dialog
    /// and in the status bar; Esc goes to the Dashboard and stops there.
    @Test func aLostAnswerSaysWhatToDoAndEscStopsAtTheDashboard() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try Self.newOrderForm(pos, email: "eve@example.com", amount: "15.00")
        try pos.send("F8")
        try pos.waitFor("Create and pay")
        try pos.type("4000000000004046")
        try pos.send("Tab")
        try pos.type("1230")
        try pos.send("Tab")
        try pos.type("123")
        try pos.send("Enter")
        let dialog = try pos.waitFor("payment_pending")
        #expect(dialog.contains("learn the outcome"))
        try pos.send("Escape")
        let status = try pos.waitUntilGone("Create and pay")
        #expect(Self.bottom(status, rows: 3).contains("learns the outcome"))
        try pos.send("F4", "F5", "F6", "Escape")
        try pos.waitFor("Net takings")
        try pos.send("Escape")
        try pos.waitFor("Net takings")
        #expect(pos.isRunning())
    }
}
