import Foundation
import Testing
import TillCore
@testable import TillService
@testable import TillUI
import TillSnapshots

/// Issue 9, point 4: a card installment whose answer was lost is pending on its order. The
/// order screen shows it (never "No payments yet" and the full balance again), the payment
/// dialog offers only what is due once it succeeds, the screen resolves it in the background
/// and says what became of it.
@Suite struct PendingPaymentTests {
    /// The $50.00 order ord_1 as the service shows it: `paid` installments recorded, `pending`
    /// requests still open (`dueAfterPending` is the service's figure, given here).
    static func order(
        paid: [(id: String, amount: Int64)] = [], pending: [(key: String, amount: Int64, state: String)] = [],
        dueAfterPending: Int64? = nil, attention: String? = nil
    ) throws -> OrderView {
        let payments = paid.map { payment in
            """
            {"id": "\(payment.id)", "amount": \(payment.amount), "tender": "card", "state": "completed", "refunded": 0,
             "createdAt": "2026-11-22T10:01:00.000Z", "paymentId": "pay_\(payment.id)",
             "card": {"brand": "visa", "first6": "400000", "last4": "4046"}, "refunds": []}
            """
        }
        let requests = pending.map { request in
            """
            {"key": "\(request.key)", "operation": "order.pay", "target": "ord_1", "state": "\(request.state)",
             "amount": \(request.amount), "currency": "USD", "tender": "card",
             "card": {"brand": "visa", "first6": "400000", "last4": "4046"}, "orderPaymentId": "op_\(request.key)",
             "since": "2026-11-22T10:02:00.000Z"\(attention.map { #", "attention": "\#($0)""# } ?? "")}
            """
        }
        let paidSum = paid.reduce(0) { $0 + $1.amount }
        let json = """
            {"id": "ord_1", "email": "ann@example.com", "currency": "USD", "total": 5000, "paid": \(paidSum),
             "balanceDue": \(5000 - paidSum), "refunded": 0, "status": "\(paidSum == 5000 ? "paid" : "open")",
             "createdAt": "2026-11-22T10:00:00.000Z", "payments": [\(payments.joined(separator: ","))]
             \(pending.isEmpty ? "" : #", "pending": [\#(requests.joined(separator: ","))]"#)
             \(dueAfterPending.map { #", "dueAfterPending": \#($0), "pendingPaid": \#(5000 - paidSum - $0)"# } ?? "")}
            """
        return try JSONDecoder().decode(OrderView.self, from: Data(json.utf8))
    }

    /// $12.00 by card pending on the $50.00 order: $38.00 is due once it succeeds.
    static func pendingTwelve(state: String = "outcome_unknown", attention: String? = nil) throws -> OrderView {
        try order(pending: [("k-9", 1200, state)], dueAfterPending: 3800, attention: attention)
    }

    /// The order screen showing `order`, loaded the way the runner answers.
    static func showing(_ order: OrderView) -> POSState {
        var state = Fixture.state()
        _ = state.openOrder(order.id)
        _ = POSReducer.update(&state, .loaded(.order(id: order.id), .success(.order(order))))
        return state
    }

    @Test func thePendingInstallmentIsARowAndTheFiguresCountIt() throws {
        let state = Self.showing(try Self.pendingTwelve())
        let screen = state.render().text
        #expect(screen.contains("resolving…"))
        #expect(screen.contains("Visa ••••4046"))
        #expect(screen.contains("$12.00"))
        #expect(screen.contains("Pending $12.00"))
        #expect(screen.contains("Due $38.00"))
        #expect(screen.contains("0% paid +24% pending"))
        #expect(!screen.contains("No payments yet"))
        #expect(!screen.contains("Due $50.00"))
        Snapshot.assert(state.render(), named: "order-detail-pending-80x24")
    }

    /// Issue 11: the reason ends with the action it asks for, so it wraps instead of being cut.
    @Test func aRequestNeedingAttentionSaysSoWithItsWholeReason() throws {
        let reason = "GoblinPay applied it but the order changed meanwhile; recording it needs an operator (till pending --resolve)"
        let state = Self.showing(try Self.pendingTwelve(state: "needs_attention", attention: reason))
        let rows = state.render().text.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.contains("Visa ••••4046") && $0.contains("NEEDS ATTENTION") })
        #expect(rows.contains { $0.contains("NEEDS ATTENTION: GoblinPay applied it") })
        #expect(rows.contains { $0.contains("(till pending --resolve)") })
        #expect(rows.allSatisfy { $0.count <= 80 })
    }

    @Test func thePaymentDialogOffersOnlyWhatIsDueAfterPending() throws {
        var state = Self.showing(try Self.pendingTwelve())
        _ = Fixture.press(&state, .character("p"))
        guard case .payment(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.amount.text == "38.00")
        #expect(dialog.target.balanceDue == 3800)
        #expect(state.render().text.contains("Due after pending $38.00"))
    }

    @Test func anOrderFullyCoveredByPendingPaymentsCannotBeChargedAgain() throws {
        var state = Self.showing(try Self.order(pending: [("k-9", 5000, "outcome_unknown")], dueAfterPending: 0))
        #expect(state.render().text.contains("100% pending"))
        #expect(Fixture.press(&state, .character("p")).isEmpty)
        #expect(state.overlay == nil)
        #expect(state.message?.text.contains("Fully covered by pending payments") == true)
    }

    /// From a list row (which knows nothing of pending requests): the order is read too, and
    /// the open dialog follows it, prefill included, down to refusing when nothing is left.
    @Test func aDialogOpenedFromAListFollowsTheOrdersPendingFigures() throws {
        var state = Fixture.state()
        _ = POSReducer.update(&state, .loaded(.dashboard, .success(.dashboard(ReviewRegressionTests.dashboard([
            ReviewRegressionTests.summary("ord_1", "ann@example.com"),
        ])))))
        let effects = Fixture.press(&state, .character("p"))
        #expect(effects.contains(.query(.order(id: "ord_1"))))
        _ = POSReducer.update(&state, .loaded(.order(id: "ord_1"), .success(.order(try Self.pendingTwelve()))))
        guard case .payment(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.amount.text == "38.00")
        _ = POSReducer.update(&state, .loaded(.order(id: "ord_1"), .success(.order(
            try Self.order(pending: [("k-9", 5000, "outcome_unknown")], dueAfterPending: 0)))))
        _ = Fixture.type(&state, "4242424242424242")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "1230")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "123")
        #expect(Fixture.press(&state, .enter).isEmpty)
        guard case .payment(let refused) = state.overlay else { Issue.record("no dialog"); return }
        #expect(refused.problem?.message.contains("Fully covered") == true)
    }

    /// Every second pulse, while the order is on screen with nothing over it, one pass at a time.
    @Test func pulsesResolveThePendingRequestsOfTheOrderOnScreen() throws {
        var state = Self.showing(try Self.pendingTwelve())
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        #expect(POSReducer.update(&state, .pulse) == [.resolvePending(orderId: "ord_1")])
        // The pass is still running: no second one.
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        _ = POSReducer.update(&state, .resolved(orderId: "ord_1", .success(try Self.pendingTwelve())))
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        #expect(POSReducer.update(&state, .pulse) == [.resolvePending(orderId: "ord_1")])
        _ = POSReducer.update(&state, .resolved(orderId: "ord_1", .success(try Self.pendingTwelve())))
        // A dialog over the order: the operator is busy with it; nothing runs behind it.
        _ = Fixture.press(&state, .character("p"))
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        _ = Fixture.press(&state, .escape)
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        #expect(POSReducer.update(&state, .pulse) == [.resolvePending(orderId: "ord_1")])
        // Nothing pending: nothing to do.
        var settled = Self.showing(try Self.order(paid: [("op_k-9", 1200)]))
        for _ in 0..<4 { #expect(POSReducer.update(&settled, .pulse).isEmpty) }
        // Only needing attention: that waits for an operator.
        var attention = Self.showing(try Self.pendingTwelve(state: "needs_attention", attention: "stuck"))
        for _ in 0..<4 { #expect(POSReducer.update(&attention, .pulse).isEmpty) }
    }

    @Test func aRecordedPaymentIsAnnounced() throws {
        var state = Self.showing(try Self.pendingTwelve())
        _ = POSReducer.update(&state, .resolved(orderId: "ord_1", .success(try Self.order(paid: [("op_k-9", 1200)]))))
        #expect(state.message?.text == "Card payment of $12.00 went through")
        #expect(state.message?.isError == false)
        let screen = state.render().text
        #expect(!screen.contains("resolving…"))
        #expect(screen.contains("Paid $12.00"))
        #expect(screen.contains("Due $38.00"))
    }

    @Test func aReleasedPaymentIsAnnouncedAsNotCharged() throws {
        var state = Self.showing(try Self.pendingTwelve())
        // Read again after another till resolved it: the same announcement.
        _ = POSReducer.update(&state, .loaded(.order(id: "ord_1"), .success(.order(try Self.order()))))
        #expect(state.message?.text == "The pending card payment of $12.00 did not go through; nothing was charged")
        #expect(state.render().text.contains("Due $50.00"))
    }

    /// A lost answer from the payment dialog on an existing order: the dialog keeps its key and
    /// says so (with the key), the order is read again so it shows the pending row, and
    /// reopening the dialog offers only the rest.
    @Test func paymentPendingFromTheDialogShowsTheKeyAndReloadsTheOrder() throws {
        var state = Self.showing(try Self.order())
        _ = Fixture.press(&state, .character("p"), .backTab, .control("u"))
        _ = Fixture.type(&state, "12")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "4000000000004046")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "1230")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "123")
        guard case .command(let command) = Fixture.press(&state, .enter).first,
              case .pay(_, _, _, let key) = command else { Issue.record("not sent"); return }
        let pending = Rejection(.paymentPending, "GoblinPay did not answer; the payment is pending.")
            .retrying(Rejection.RetryHint(key: key, orderId: "ord_1"))
        #expect(POSReducer.update(&state, .completed(command, .failure(pending))) == [.query(.order(id: "ord_1"))])
        guard case .payment(let dialog) = state.overlay else { Issue.record("the dialog closed"); return }
        #expect(dialog.key == key)
        #expect(dialog.error?.contains("payment_pending") == true)
        #expect(dialog.error?.contains(key) == true)
        let screen = state.render().text
        #expect(screen.contains("Esc shows it on the order"))
        #expect(screen.contains("Enter asks now"))
        // The status bar outlives the dialog: short, whole, and true on the order screen too.
        #expect(state.message?.text == "! Pending, key \(key): asking GoblinPay")
        // Enter again sends the same key: the service resolves it instead of charging again.
        _ = POSReducer.update(&state, .loaded(.order(id: "ord_1"), .success(.order(try Self.pendingTwelve()))))
        guard case .command(.pay(_, _, _, let again)) = Fixture.press(&state, .enter).first else { Issue.record("not sent"); return }
        #expect(again == key)
        _ = POSReducer.update(&state, .completed(command, .failure(pending)))
        _ = Fixture.press(&state, .escape)
        #expect(state.render().text.contains("resolving…"))
        _ = Fixture.press(&state, .character("p"))
        guard case .payment(let reopened) = state.overlay else { Issue.record("no dialog"); return }
        #expect(reopened.amount.text == "38.00")
    }

    /// The customer screen's order pane shows pending requests too.
    @Test func theCustomersOrderPaneShowsThePendingRow() throws {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4))
        _ = POSReducer.update(&state, .loaded(.customers(prefix: ""), .success(.customers([ReviewRegressionTests.customer("ann@example.com")]))))
        _ = POSReducer.update(&state, .loaded(.customer(email: "ann@example.com"), .success(.customer(ReviewRegressionTests.customer("ann@example.com")))))
        let page = OrderPage(orders: [ReviewRegressionTests.summary("ord_1", "ann@example.com")], next: nil)
        _ = POSReducer.update(&state, .loaded(.customerOrders(email: "ann@example.com", after: nil), .success(.orders(page))))
        _ = POSReducer.update(&state, .loaded(.order(id: "ord_1"), .success(.order(try Self.pendingTwelve()))))
        let screen = state.render().text
        #expect(screen.contains("resolving…"))
        #expect(screen.contains("Visa ••••4046"))
        #expect(POSReducer.update(&state, .pulse).isEmpty)
        #expect(POSReducer.update(&state, .pulse) == [.resolvePending(orderId: "ord_1")])
    }
}
