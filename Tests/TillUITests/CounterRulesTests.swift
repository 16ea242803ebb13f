import Testing
import TillCore
@testable import TillService
@testable import TillUI

/// Issue 11's counter mistakes (DESIGN §8 "Counter rules"), each as the operator typed it.
/// These use only what the POS had before the fix (keys in, effects and the screen out), so
/// each was run against the old code once and failed there.
@Suite struct CounterRulesTests {
    /// An order for ann@example.com: $10.00 cash ($20.00 given, `op_1`) and $15.00 by Visa
    /// ••••4242 (`op_2`, gateway `pay_2`), $25.00 due.
    static func order() throws -> Order {
        let email = try Email.parse("ann@example.com").get()
        let usd = { (minor: Int64) in Money(minorUnits: minor, currency: .usd) }
        let created = try Order.create(id: "ord_1", email: email, total: usd(5000), at: Fixture.now).get()
        let (cash, _) = try created.recordingPayment(
            id: "op_1", amount: usd(1000), tender: .cash(tendered: usd(2000)), at: Fixture.now).get()
        let expiry = try CardExpiry.parse("12/30").get()
        let card = try #require(CardSummary(brand: .visa, first6: "424242", last4: "4242", expiry: expiry))
        let (paid, _) = try cash.recordingPayment(
            id: "op_2", amount: usd(1500), tender: .card(card), gatewayPaymentId: "pay_2", at: Fixture.now).get()
        return paid
    }

    static func showing(_ order: Order) -> POSState {
        var state = Fixture.state()
        _ = state.openOrder(order.id)
        _ = POSReducer.update(&state, .loaded(.order(id: order.id), .success(.order(OrderView(order)))))
        return state
    }

    static func commands(_ effects: [POSEffect]) -> [ServiceRequest] {
        effects.compactMap { if case .command(let command) = $0 { command } else { nil } }
    }

    static func rows(_ state: POSState) -> [String] {
        state.render().text.split(separator: "\n", omittingEmptySubsequences: false).map { row in
            var row = Substring(row)
            while row.last == " " { row.removeLast() }
            return String(row)
        }
    }

    /// F3, ann@example.com, $50.00, F8, and a card payment sent that failed with `rejection`.
    static func createAndPayFailed(_ rejection: Rejection) -> POSState {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        _ = Fixture.type(&state, "ann@example.com")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "50")
        _ = Fixture.press(&state, .function(8))
        let command = ServiceRequest.createAndPay(
            email: "ann@example.com", amount: "50.00", currency: "USD", pay: "50.00",
            tender: .card(number: "4000000000004046", expiry: "12/30", cvv: "123"), key: state.newOrder.payKey)
        state.busy = command
        _ = POSReducer.update(&state, .completed(command, .failure(rejection)))
        return state
    }

    // MARK: 1. A screen entered afresh starts with a fresh form

    @Test func aStaleNewOrderFormNeverCreatesTheLastCustomersOrder() {
        var state = Fixture.state()
        var effects = Fixture.press(&state, .character("n"))
        effects += Fixture.type(&state, "a.first@example.com")
        effects += Fixture.press(&state, .tab)
        effects += Fixture.type(&state, "99.99")
        effects += Fixture.press(&state, .function(8), .escape, .escape)
        #expect(state.screen == .dashboard)
        effects += Fixture.press(&state, .character("n"))
        effects += Fixture.type(&state, "b.second@example.com")
        effects += Fixture.press(&state, .tab)
        effects += Fixture.type(&state, "12.34")
        effects += Fixture.press(&state, .enter)
        let sent = Self.commands(effects)
        #expect(sent.count == 1)
        guard case .createOrder(let email, let amount, _, _) = sent.first else {
            Issue.record("no order sent: \(sent)")
            return
        }
        #expect(email == "b.second@example.com")
        #expect(amount == "12.34")
    }

    // MARK: 2. Typed search letters never fire commands

    @Test func customersEnteredAfreshSearchWhatIsTyped() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4))
        _ = Fixture.type(&state, "李")
        let li = ReviewRegressionTests.customer("李@example.com")
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "李"), .success(.customers([li]))))
        _ = POSReducer.update(&state, .loaded(.customer(email: li.email), .success(.customer(li))))
        let page = OrderPage(orders: [ReviewRegressionTests.summary("ord_li", li.email)], next: nil)
        _ = POSReducer.update(&state, .loaded(.customerOrders(email: li.email, after: nil), .success(.orders(page))))
        _ = Fixture.press(&state, .tab, .function(2), .function(4))
        let effects = Fixture.type(&state, "priya")
        #expect(state.overlay == nil)
        #expect(state.screen == .customers)
        #expect(state.customers.search.text == "priya")
        #expect(effects.contains(.query(.customers(prefix: "priya"))))
    }

    // MARK: 3. The payment dialog opens on the first field typed into

    @Test func aCardNumberTypedAtOnceLandsInTheCardNumber() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        _ = Fixture.type(&state, "ann@example.com")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "50")
        _ = Fixture.press(&state, .function(8))
        _ = Fixture.type(&state, "4242 4242 4242 4242")
        guard case .payment(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.tender == .card)
        #expect(dialog.card.number.text == "4242424242424242")
        #expect(dialog.amount.text == "50.00")
    }

    // MARK: 4. Fields never drop a key in silence; a prefill is replaced

    @Test func anAmountSaysWhatItRefusedAndNeverMakesAnotherNumber() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        _ = Fixture.type(&state, "ann@example.com")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "1O0.5O")
        #expect(state.newOrder.amount.text == "10.5")
        #expect(state.render().text.contains("letters are not amounts"))
        _ = Fixture.press(&state, .control("u"))
        _ = Fixture.type(&state, "1,234.56")
        #expect(state.newOrder.amount.text == "1234.56")
        #expect(state.render().text.contains("no thousands separators"))
    }

    @Test func aPrefilledAmountIsReplacedByTheFirstKeyTyped() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(6), .character("o"), .tab, .tab)
        _ = Fixture.type(&state, "50")
        guard case .openWallet(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.balance.text == "50")
        // Arrows keep a prefill for editing.
        _ = Fixture.press(&state, .tab)
        _ = Fixture.press(&state, .end)
        _ = Fixture.type(&state, "1")
        guard case .openWallet(let after) = state.overlay else { Issue.record("no dialog"); return }
        #expect(after.overdraft.text == "0.001")
    }

    @Test func ctrlUIsDocumentedInTheHelp() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(1))
        #expect(state.render().text.contains("Ctrl-U"))
    }

    // MARK: 5. A confirmation needs an explicit y

    @Test func enterTwiceOnARefundDoesNotRefund() throws {
        var state = Self.showing(try Self.order())
        var effects = Fixture.press(&state, .character("r"), .control("u"), .character("1"), .enter, .enter)
        #expect(Self.commands(effects).isEmpty)
        effects = Fixture.press(&state, .character("y"))
        #expect(Self.commands(effects).count == 1)
    }

    @Test func enterDoesNotConfirmAVoid() {
        var state = Fixture.state()
        state.overlay = .confirm(ConfirmDialog(title: "Void · pay_1", question: "Void it?", command: .void(paymentId: "pay_1", key: "k-5")))
        #expect(Self.commands(Fixture.press(&state, .enter)).isEmpty)
        #expect(Self.commands(Fixture.press(&state, .character("y"))) == [.void(paymentId: "pay_1", key: "k-5")])
    }

    // MARK: 6. Store credit goes only to the customer's own wallets, and says where

    @Test func aRefundToStoreCreditPicksFromTheCustomersWalletsAndSaysWhere() throws {
        var state = Self.showing(try Self.order())
        _ = Fixture.press(&state, .down, .character("r"))
        #expect(state.render().text.contains("Back to Visa ••••4242"))
        let own = try ReviewRegressionTests.wallet("ann-credit")
        _ = POSReducer.update(&state, .loaded(.customerWallets(email: "ann@example.com"), .success(.wallets([own]))))
        // Typed text is no wallet: another customer's name typed here goes nowhere.
        _ = Fixture.press(&state, .down)
        _ = Fixture.type(&state, "house-zoe")
        _ = Fixture.press(&state, .down)
        #expect(state.render().text.contains("To store credit: ann-credit"))
        _ = Fixture.press(&state, .enter)
        let sent = Self.commands(Fixture.press(&state, .character("y")))
        guard case .refund(_, let payment, _, let wallet, _) = sent.first else { Issue.record("not sent: \(sent)"); return }
        #expect(payment == "op_2")
        #expect(wallet == "ann-credit")
    }

    // MARK: 7. A message is never cut before its action

    @Test func aLostAnswerToCreateAndPaySaysWhatToDoAt80x24() {
        let lost = "GoblinPay did not answer (GoblinPay's response was lost; look the key up). Till resolves the outcome with GoblinPay; to retry, use the same key: k-1."
        var state = Self.createAndPayFailed(Rejection(.paymentPending, lost))
        let rows = Self.rows(state)
        // The dialog shows the whole message, the status bar its action.
        #expect(rows.contains { $0.contains("k-1.") })
        #expect(rows.suffix(3).joined(separator: " ").contains("outcome"))
        _ = Fixture.press(&state, .escape)
        #expect(Self.rows(state).suffix(3).joined(separator: " ").contains("outcome"))
    }

    @Test func aDeclinedCreateAndPaySaysTheOrderWasNotCreatedAt80x24() {
        let declined = "GoblinPay declined the card: the card was declined (generic_decline); ask for another card."
        var state = Self.createAndPayFailed(Rejection(.processorDeclined, declined))
        _ = Fixture.press(&state, .escape)
        let bottom = Self.rows(state).suffix(4).joined(separator: " ")
        #expect(bottom.contains("not created"))
        #expect(bottom.contains("another card."))
    }

    @Test func aSavedReceiptNamesItsFileInFull() {
        var state = Fixture.state()
        let path = "/home/shop/till/receipts/2026/november/receipt-ord_cqwc4fsm2k3x9p1q.txt"
        _ = POSReducer.update(&state, .receiptSaved(path: path))
        #expect(Self.rows(state).suffix(3).joined().contains("receipt-ord_cqwc4fsm2k3x9p1q.txt"))
    }

    // MARK: 8. Esc goes to the Dashboard and stops; function keys work in dialogs

    @Test func escGoesToTheDashboardAndStopsThere() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4), .function(5), .function(6))
        _ = Fixture.press(&state, .escape)
        #expect(state.screen == .dashboard)
        #expect(Fixture.press(&state, .escape).isEmpty)
        #expect(state.screen == .dashboard)
    }

    @Test func functionKeysWorkInsideDialogs() throws {
        var state = Self.showing(try Self.order())
        _ = Fixture.press(&state, .character("p"))
        _ = Fixture.type(&state, "4242")
        _ = Fixture.press(&state, .function(1))
        #expect(state.render().text.contains("Help · any key"))
        // Any key gives the dialog back, with what was typed.
        _ = Fixture.press(&state, .character("x"))
        guard case .payment(let dialog) = state.overlay else { Issue.record("the dialog was lost"); return }
        #expect(dialog.card.number.text == "4242")
        _ = Fixture.press(&state, .function(2))
        #expect(state.overlay == nil)
        #expect(state.screen == .dashboard)
    }

    // MARK: 9. A cash refund says to hand the cash back

    @Test func aCashRefundSaysHandBackTheCash() throws {
        let order = try Self.order()
        var state = Self.showing(order)
        _ = Fixture.press(&state, .character("r"), .control("u"))
        _ = Fixture.type(&state, "4")
        _ = Fixture.press(&state, .enter)
        let sent = Self.commands(Fixture.press(&state, .character("y")))
        guard let command = sent.first else { Issue.record("not sent"); return }
        let (refunded, refund) = try order.recordingRefund(
            id: "ref_1", ofPayment: "op_1", amount: Money(minorUnits: 400, currency: .usd), at: Fixture.now).get()
        let result = OrderRefundResult(order: OrderView(refunded), made: RefundView(refund, paymentId: "op_1"))
        _ = POSReducer.update(&state, .completed(command, .success(.orderRefund(result, replayed: false))))
        let screen = state.render().text
        #expect(screen.contains("Hand back $4.00"))
        #expect(state.message?.text.hasPrefix("Hand back $4.00 in cash") == true)
    }
}
