import Testing
import TillCore
@testable import TillService
@testable import TillUI
import TillSnapshots

/// The Payouts screen (y): paid out, in transit, unmatched; per payout its entries; Enter on an
/// entry opens its order; i imports now.
@Suite struct PayoutsScreenTests {
    static func usd(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: .usd) }

    /// One payout of a $30 capture (order ord_1) and a $4.50 entry Till never saw; a $12 capture
    /// still in transit.
    static func overview() throws -> PayoutsOverview {
        let movements = [
            CardMovement(kind: .capture, reference: "gp_a", amount: usd(3000), paymentId: "pay_1", orderId: "ord_1", at: Fixture.now),
            CardMovement(kind: .capture, reference: "gp_b", amount: usd(1200), paymentId: "pay_2", orderId: "ord_2", at: Fixture.now),
        ]
        let payout = Payout(
            id: "po-1", amount: usd(3450), createdAt: Fixture.now, recipient: "bank",
            entries: [PayoutEntry(kind: .capture, reference: "gp_a", amount: usd(3000)), PayoutEntry(kind: .capture, reference: "gp_zz", amount: usd(450))])
        let imported = [ImportedPayout(payout: payout, importedAt: Fixture.now, acknowledgedAt: Fixture.now)]
        let reconciliation = Reconciliation(movements: movements, payouts: [payout])
        return PayoutsOverview(
            payouts: PayoutView.all(imported, reconciliation: reconciliation),
            reconciliation: try ReconciliationView(reconciliation, payouts: imported))
    }

    static func onPayouts() throws -> POSState {
        var state = Fixture.state()
        #expect(Fixture.press(&state, .character("y")) == [.query(.payouts(importing: false))])
        #expect(state.screen == .payouts)
        _ = POSReducer.update(&state, .loaded(.payouts(importing: false), .success(.payouts(try overview(), imported: nil))))
        return state
    }

    @Test func theFiguresAndTheEntriesWithTheirBuckets() throws {
        let state = try Self.onPayouts()
        let text = state.render().text
        #expect(text.contains("Paid out $34.50"))
        #expect(text.contains("In transit $12.00"))
        #expect(text.contains("Unmatched 1"))
        #expect(text.contains("1 matched · 0 mismatched · 1 unexpected"))
        #expect(text.contains("matched") && text.contains("unexpected"))
        Snapshot.assert(state.render(), named: "payouts-80x24")
    }

    @Test func enterOnAnEntryOpensItsOrderAndAnUnknownEntryStays() throws {
        var state = try Self.onPayouts()
        _ = Fixture.press(&state, .tab)
        #expect(state.payouts.inEntries)
        #expect(Fixture.press(&state, .enter) == [.query(.order(id: "ord_1"))])
        #expect(state.screen == .orderDetail)
        state = try Self.onPayouts()
        _ = Fixture.press(&state, .tab, .down)
        #expect(Fixture.press(&state, .enter).isEmpty)  // the unexpected entry has no order
        #expect(state.screen == .payouts)
        _ = Fixture.press(&state, .escape)
        #expect(!state.payouts.inEntries && state.screen == .payouts)
    }

    @Test func iImportsNowAndSaysWhatCameIn() throws {
        var state = try Self.onPayouts()
        #expect(Fixture.press(&state, .character("i")) == [.query(.payouts(importing: true))])
        var report = PayoutCycleReport()
        report.recorded = 3
        _ = POSReducer.update(&state, .loaded(.payouts(importing: true), .success(.payouts(try Self.overview(), imported: report))))
        #expect(state.message?.text.contains("Imported 3 new payout(s)") == true)
        _ = POSReducer.update(&state, .loaded(.payouts(importing: true), .failure(Rejection(.processorError, "GoblinPay is away."))))
        #expect(state.message?.isError == true)
        #expect(state.render().text.contains("Paid out $34.50"))  // what was shown stays
    }

    @Test func yIsAScreenKeyOnlyWhereNoFieldTakesLetters() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        _ = Fixture.type(&state, "y")
        #expect(state.screen == .newOrder)
    }
}
