import Testing
import TillCore
import TillService
@testable import TillUI
import TillSnapshots

/// The screens with no data from the ledger: loading, empty, forms, errors, help, too small.
/// Screens full of real data are snapshotted by the POS flow tests (TillCLITests), which fill
/// a real ledger first.
@Suite struct ScreenSnapshotTests {
    @Test func dashboardWhileLoading() {
        var state = Fixture.state()
        _ = POSReducer.start(&state)
        Snapshot.assert(state.render(), named: "dashboard-loading-80x24")
    }

    @Test func newOrderWithAnInlineError() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        _ = Fixture.type(&state, "ann@example")
        _ = Fixture.press(&state, .enter)
        Snapshot.assert(state.render(), named: "new-order-error-80x24")
        _ = POSReducer.update(&state, .input(.resize(width: 120, height: 30)))
        Snapshot.assert(state.render(), named: "new-order-error-120x30")
    }

    @Test func paymentDialogByCardWithADecline() {
        var state = Fixture.state()
        state.detail = OrderDetailModel(orderId: "ord_1")
        state.detail.order = Fixture.order()
        state.screen = .orderDetail
        Snapshot.assert(state.render(), named: "order-detail-80x24")
        _ = Fixture.press(&state, .character("p"))
        _ = Fixture.type(&state, "4000000000000002")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "1230")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "123")
        guard case .command(let command) = Fixture.press(&state, .enter).first else { Issue.record("not sent"); return }
        _ = POSReducer.update(&state, .completed(command, .failure(Rejection(.processorDeclined, "GoblinPay declined the card."))))
        Snapshot.assert(state.render(), named: "payment-card-declined-80x24")
    }

    @Test func cashChangeDueLarge() {
        var state = Fixture.state()
        state.detail = OrderDetailModel(orderId: "ord_1")
        state.detail.order = Fixture.order()
        state.screen = .orderDetail
        _ = Fixture.press(&state, .character("p"), .function(9))
        _ = Fixture.type(&state, "50")
        Snapshot.assert(state.render(), named: "payment-cash-typing-80x24")
        guard case .payment(var dialog) = state.overlay else { Issue.record("no dialog"); return }
        dialog.changeDue = 1000
        state.overlay = .payment(dialog)
        Snapshot.assert(state.render(), named: "payment-cash-change-80x24")
    }

    @Test func helpAndTooSmall() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(1))
        Snapshot.assert(state.render(), named: "help-80x24")
        _ = POSReducer.update(&state, .input(.resize(width: 70, height: 20)))
        Snapshot.assert(state.render(), named: "too-small-70x20")
    }

    @Test func emptyScreensSayWhatToDo() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(5))
        _ = POSReducer.update(&state, .loaded(.cardPayments(after: nil), .failure(Rejection(.storageError, "database is locked"))))
        Snapshot.assert(state.render(), named: "card-payments-error-80x24")
        _ = Fixture.press(&state, .function(6))
        _ = POSReducer.update(&state, .loaded(.wallets, .success(.wallets([]))))
        Snapshot.assert(state.render(), named: "wallets-empty-80x24")
        _ = Fixture.press(&state, .character("o"))
        Snapshot.assert(state.render(), named: "wallet-open-dialog-80x24")
        _ = Fixture.press(&state, .escape, .function(4))
        _ = Fixture.type(&state, "zed")
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "zed"), .success(.customers([]))))
        Snapshot.assert(state.render(), named: "customers-no-match-80x24")
    }
}
