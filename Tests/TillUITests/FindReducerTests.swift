import Testing
import TillCore
@testable import TillService
@testable import TillUI

/// Finding anything (issue 11), as the reducer decides it: the dashboard's Owing list takes
/// the keys after Tab and opens a customer, an order id in the Customers search opens the
/// order, and the Cards screen's filter, Enter and release.
@Suite struct FindReducerTests {
    static func summary(_ id: String, _ email: String) -> OrderSummaryView {
        OrderSummaryView(
            id: id, email: email, currency: "USD", total: 5000, paid: 0, refunded: 0, balanceDue: 5000, status: .open,
            createdAt: "2026-11-22T10:00:00.000Z", paymentCount: 0)
    }

    static func dashboard() -> DashboardView {
        DashboardView(
            day: "2026-11-22", currency: "USD", takings: [], refunds: [], ordersCreated: 2, paymentsTaken: 0, daily: [],
            recentOrders: [summary("ord_1", "eve@example.com"), summary("ord_2", "fay@example.com")],
            owing: [
                CustomerBalance(email: "eve@example.com", currency: "USD", owing: 9000, openOrders: 1),
                CustomerBalance(email: "fay@example.com", currency: "USD", owing: 4000, openOrders: 1),
            ])
    }

    @Test func tabGivesTheOwingListTheKeysAndEnterOpensThatCustomer() {
        var state = Fixture.state()
        _ = POSReducer.update(&state, .loaded(.dashboard, .success(.dashboard(Self.dashboard()))))
        _ = Fixture.press(&state, .tab, .down)
        #expect(state.dashboard.focus == .owing)
        #expect(state.dashboard.owingSelected == 1)
        #expect(state.dashboard.selected == 0)
        let effects = Fixture.press(&state, .enter)
        #expect(state.screen == .customers)
        #expect(state.customers.search.text == "fay@example.com")
        #expect(state.customers.focus == .orders)
        #expect(effects.last == .query(.customers(prefix: "fay@example.com")))
        // Tab again goes back to the recent orders.
        _ = Fixture.press(&state, .function(2), .tab)
        #expect(state.dashboard.focus == .orders)
    }

    @Test func anOrderIdInTheSearchIsLookedUpAndEnterOpensIt() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4))
        #expect(Fixture.type(&state, "ord_").allSatisfy { effect in
            if case .query(.findOrders) = effect { return false }
            return true
        })
        let effects = Fixture.type(&state, "2")
        #expect(effects.contains(.query(.findOrders(idPrefix: "ord_2"))))
        _ = POSReducer.update(&state, .loaded(.findOrders(idPrefix: "ord_2"), .success(.orderMatches([Self.summary("ord_2", "fay@example.com")]))))
        #expect(state.render().text.contains("Enter opens it · $50.00"))
        #expect(Fixture.press(&state, .enter) == [.query(.order(id: "ord_2"))])
        #expect(state.screen == .orderDetail)
    }

    /// Review finding: Enter opened the order an earlier text matched while the answer for the
    /// text now typed had not come yet. Enter opens only what the field names now.
    @Test func enterNeverOpensAMatchOfAnEarlierText() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4))
        _ = Fixture.type(&state, "ord_01h")
        _ = POSReducer.update(&state, .loaded(
            .findOrders(idPrefix: "ord_01h"), .success(.orderMatches([Self.summary("ord_01hsxerkpexchewe", "fay@example.com")]))))
        _ = Fixture.press(&state, .backspace)
        _ = Fixture.type(&state, "z")
        #expect(!Fixture.press(&state, .enter).contains(.query(.order(id: "ord_01hsxerkpexchewe"))))
        #expect(state.screen == .customers)
        _ = Fixture.type(&state, "qqq")
        #expect(state.customers.foundOrder == nil)
    }

    @Test func cardsFilterToOpenHoldsAndEnterNeedsAnOrder() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(5))
        #expect(Fixture.press(&state, .character("f")) == [.query(.openHolds(after: nil))])
        #expect(state.cards.openHoldsOnly)
        // An answer for the list no longer shown is dropped.
        _ = POSReducer.update(&state, .loaded(.cardPayments(after: nil), .success(.payments(PaymentPage(payments: [], next: nil)))))
        #expect(Fixture.press(&state, .character("f")) == [.query(.cardPayments(after: nil))])
        #expect(!state.cards.openHoldsOnly)
    }
}
