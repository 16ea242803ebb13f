import Testing
import TillCore
@testable import TillService
@testable import TillUI

/// Defects a review found in the first POS, each pinned by the test that failed before its fix.
@Suite struct ReviewRegressionTests {
    static func summary(_ id: String, _ email: String, due: Int64 = 5000) -> OrderSummaryView {
        OrderSummaryView(id: id, email: email, currency: "USD", total: 5000, paid: 5000 - due, refunded: 0,
                         balanceDue: due, status: due == 0 ? .paid : .open, createdAt: "2026-11-22T10:00:00.000Z", paymentCount: 0)
    }

    static func customer(_ email: String) -> CustomerView {
        CustomerView(email: email, orderCount: 1, openOrders: 1, firstOrderAt: "2026-11-22T10:00:00.000Z",
                     lastOrderAt: "2026-11-22T10:00:00.000Z", totals: [], storeCredit: [])
    }

    static func dashboard(_ orders: [OrderSummaryView]) -> DashboardView {
        DashboardView(day: "2026-11-22", currency: "USD", takings: [], refunds: [], ordersCreated: 0, paymentsTaken: 0,
                      daily: [], recentOrders: orders, owing: [])
    }

    static func wallet(_ name: String) throws -> WalletView {
        WalletView(try Wallet.open(name: name, currency: .usd, balance: Money(minorUnits: 10_000, currency: .usd)).get())
    }

    /// F8, a card whose answer is lost, Esc, F8 again: the same key, so the first attempt is
    /// resolved instead of a second order being made and charged.
    @Test func createAndPayAfterAnUnknownOutcomeReusesItsKey() {
        var state = Fixture.state()
        Fixture.fillCreateAndPay(&state, amount: "50", card: "4000000000004046")
        guard case .command(let first) = Fixture.press(&state, .enter).first,
              case .createAndPay(_, _, _, _, _, let firstKey) = first else { Issue.record("not sent"); return }
        _ = POSReducer.update(&state, .completed(first, .failure(Rejection(.paymentPending, "GoblinPay did not answer."))))
        #expect(state.message?.text.contains("was not created") == false)
        _ = Fixture.press(&state, .escape, .function(8))
        guard case .payment(let second) = state.overlay else { Issue.record("no dialog"); return }
        #expect(second.key == firstKey)
    }

    /// Closed before anything was sent, the dialog's key was never used: a new dialog may take
    /// a new one. One whose answer never came is kept whole (ReviewFindingsIssue11Tests).
    @Test func reopeningAuthorizeBeforeSendingStartsBlank() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(5), .character("a"))
        _ = Fixture.type(&state, "4242")
        _ = Fixture.press(&state, .escape, .character("a"))
        guard case .authorize(let second) = state.overlay else { Issue.record("no dialog"); return }
        #expect(second.card.number.isEmpty)
    }

    /// क then ा typed as two keys make one character: the cursor must not run past the text.
    @Test func aSpacingMarkTypedOnItsOwnDoesNotTrap() {
        var field = TextField(filter: .email, maxLength: 254)
        _ = field.handle(.character("क"))
        _ = field.handle(.character("\u{093E}"))
        #expect(field.cursor == field.text.count)
        _ = field.handle(.character("x"))
        _ = field.handle(.backspace)
        #expect(field.text == "का")
        _ = field.handle(.left)
        _ = field.handle(.delete)
        #expect(field.text.isEmpty)
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3), .character("क"), .character("\u{093E}"), .character("x"), .backspace)
        #expect(state.newOrder.email.text == "का")
    }

    @Test func customersKeepTheChosenCustomerAcrossAReload() {
        var state = Fixture.state()
        let found = [Self.customer("ann@x.io"), Self.customer("bob@x.io")]
        _ = Fixture.press(&state, .function(4))
        _ = Fixture.type(&state, "a")
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "a"), .success(.customers(found))))
        _ = POSReducer.update(&state, .loaded(.customer(email: "ann@x.io"), .success(.customer(Self.customer("ann@x.io")))))
        _ = Fixture.press(&state, .down)
        _ = POSReducer.update(&state, .loaded(.customer(email: "bob@x.io"), .success(.customer(Self.customer("bob@x.io")))))
        _ = POSReducer.update(&state, .ledgerChanged)
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "a"), .success(.customers(found))))
        #expect(state.customers.selectedEmail == "bob@x.io")
        #expect(state.customers.customer?.email == "bob@x.io")
    }

    @Test func dashboardSelectionFollowsTheOrderWhenNewOnesArriveAbove() {
        var state = Fixture.state()
        _ = POSReducer.start(&state)
        let before = Self.dashboard([Self.summary("ord_2", "b@x.io"), Self.summary("ord_1", "a@x.io")])
        _ = POSReducer.update(&state, .loaded(.dashboard, .success(.dashboard(before))))
        _ = Fixture.press(&state, .down)
        let after = Self.dashboard([Self.summary("ord_3", "c@x.io"), Self.summary("ord_2", "b@x.io"), Self.summary("ord_1", "a@x.io")])
        _ = POSReducer.update(&state, .loaded(.dashboard, .success(.dashboard(after))))
        _ = Fixture.press(&state, .character("p"))
        guard case .payment(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.target.orderId == "ord_1")
    }

    @Test func theSelectedStoreCreditWalletIsAlwaysOnScreen() throws {
        var state = Fixture.state()
        state.detail = OrderDetailModel(orderId: "ord_1")
        state.detail.order = Fixture.order()
        state.screen = .orderDetail
        _ = Fixture.press(&state, .character("p"), .function(9), .function(9))
        guard case .payment(var dialog) = state.overlay else { Issue.record("no dialog"); return }
        dialog.wallets = try (1...6).map { try Self.wallet("Wallet \($0)") }
        dialog.walletsLoaded = true
        state.overlay = .payment(dialog)
        _ = Fixture.press(&state, .down, .down, .down, .down, .down)
        #expect(state.render().text.contains("Wallet 6"))
        guard case .command(.pay(_, _, let tender, _)) = Fixture.press(&state, .enter).first else { Issue.record("not sent"); return }
        #expect(tender == .wallet(name: "Wallet 6"))
    }

    @Test func exactCashClosesWithoutAChangeScreen() {
        var state = Fixture.state()
        state.detail = OrderDetailModel(orderId: "ord_1")
        state.detail.order = Fixture.order()
        state.screen = .orderDetail
        _ = Fixture.press(&state, .character("p"), .function(9))
        _ = Fixture.type(&state, "40")
        guard case .command(let command) = Fixture.press(&state, .enter).first else { Issue.record("not sent"); return }
        let order = Fixture.order()
        let payment = order.payments[0]
        _ = POSReducer.update(&state, .completed(command, .success(.orderPayment(
            OrderPaymentResult(order: order, made: payment), replayed: false))))
        // Fixture's payment gave $10.00 change; a dialog that took exact cash has none.
        #expect(payment.change == 1000)
        guard case .payment(let dialog) = state.overlay else { Issue.record("closed although change is due"); return }
        #expect(dialog.changeDue == 1000)
    }
}
