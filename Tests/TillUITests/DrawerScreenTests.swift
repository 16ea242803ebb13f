import Testing
import TillCore
import TillService
@testable import TillUI
import TillSnapshots

/// The Drawer screen (F7 / k): figures from the service's report, and its dialogs.
@Suite struct DrawerScreenTests {
    static func money(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }

    static func name(_ text: String) -> OperatorName {
        if case .success(let name) = OperatorName.parse(text) { return name }
        return .till
    }

    /// The end of day of the service tests, folded by the core: float $100, a $30 cash sale
    /// ($50 tendered), a $40 card sale, $25 store credit, a $5 cash refund, $20 in, $7.50 out.
    static func report(closedWith counted: Int64? = nil) throws -> DrawerReportView {
        let ana = name("Ana"), ben = name("Ben"), at = Fixture.now
        var journal = [
            DrawerEvent(kind: .opened, amount: money(10_000), operatorName: ana, at: at),
            DrawerEvent(kind: .sale, tender: .cash, amount: money(3_000), change: money(2_000), operatorName: ana, at: at),
            DrawerEvent(kind: .sale, tender: .card, amount: money(4_000), operatorName: ben, at: at),
            DrawerEvent(kind: .sale, tender: .storeCredit, amount: money(2_500), operatorName: ana, at: at),
            DrawerEvent(kind: .refund, tender: .cash, amount: money(500), operatorName: ben, at: at),
            DrawerEvent(kind: .paidIn, amount: money(2_000), operatorName: ana, at: at),
            DrawerEvent(kind: .paidOut, amount: money(750), operatorName: ben, at: at),
        ]
        if let counted { journal.append(DrawerEvent(kind: .closed, amount: money(counted), operatorName: ana, at: at)) }
        let report = try DrawerReport.make(currency: .usd, sessionId: "drw_1", journal: journal, outside: []).get()
        return DrawerReportView(report, kind: counted == nil ? .x : .z)
    }

    static func noSession() throws -> DrawerReportView {
        DrawerReportView(try DrawerReport.make(currency: .usd, sessionId: nil, journal: [], outside: []).get(), kind: .x)
    }

    /// The POS on the Drawer screen with `report` loaded.
    static func drawer(_ report: DrawerReportView) -> POSState {
        var state = Fixture.state()
        #expect(Fixture.press(&state, .function(7)) == [.query(.drawer(currency: "USD"))])
        _ = POSReducer.update(&state, .loaded(.drawer(currency: "USD"), .success(.drawer(report))))
        return state
    }

    @Test func f7AndKReachTheDrawer() {
        var state = Fixture.state()
        #expect(Fixture.press(&state, .character("k")) == [.query(.drawer(currency: "USD"))])
        #expect(state.screen == .drawer)
        _ = Fixture.press(&state, .function(2))
        #expect(Fixture.press(&state, .function(7)) == [.query(.drawer(currency: "USD"))])
        #expect(state.screen == .drawer)
    }

    @Test func openWithAFloat() throws {
        var state = Self.drawer(try Self.noSession())
        _ = Fixture.press(&state, .character("i"))
        #expect(state.overlay == nil && state.message?.isError == true)
        _ = Fixture.press(&state, .character("o"))
        guard case .drawer(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        _ = Fixture.type(&state, "100.00")
        #expect(Fixture.press(&state, .enter) == [.command(.openDrawer(float: "100.00", currency: "USD", key: dialog.key))])
        let opened = try Self.report()
        _ = POSReducer.update(&state, .completed(
            .openDrawer(float: "100.00", currency: "USD", key: dialog.key), .success(.drawerReport(opened, replayed: false, note: nil))))
        #expect(state.overlay == nil && state.drawer.report == opened)
    }

    @Test func payInNeedsAReason() throws {
        var state = Self.drawer(try Self.report())
        _ = Fixture.press(&state, .character("i"))
        _ = Fixture.type(&state, "20")
        #expect(Fixture.press(&state, .enter).isEmpty)
        guard case .drawer(let asked) = state.overlay else { Issue.record("no dialog"); return }
        #expect(asked.problem != nil && asked.focus == 1)
        _ = Fixture.type(&state, "Change from the bank")
        #expect(Fixture.press(&state, .enter)
            == [.command(.payIn(amount: "20", reason: "Change from the bank", currency: "USD", key: asked.key))])
    }

    /// A close asks y/n, and only `y` closes: Enter is not a yes.
    @Test func closeNeedsAnExplicitY() throws {
        var state = Self.drawer(try Self.report())
        _ = Fixture.press(&state, .character("c"))
        _ = Fixture.type(&state, "138.00")
        #expect(Fixture.press(&state, .enter).isEmpty)
        guard case .drawer(let dialog) = state.overlay, dialog.confirming else { Issue.record("no question"); return }
        #expect(Fixture.press(&state, .enter).isEmpty)
        #expect(state.busy == nil)
        #expect(Fixture.press(&state, .character("n")).isEmpty)
        guard case .drawer(let back) = state.overlay, !back.confirming else { Issue.record("n closed the dialog"); return }
        _ = Fixture.press(&state, .enter)
        let close = ServiceRequest.closeDrawer(counted: "138.00", currency: "USD", key: dialog.key)
        #expect(Fixture.press(&state, .character("y")) == [.command(close)])
        let z = try Self.report(closedWith: 13_800)
        let effects = POSReducer.update(&state, .completed(close, .success(.drawerReport(z, replayed: false, note: "saved to /r/z.txt"))))
        #expect(effects == [.query(.drawer(currency: "USD"))])
        #expect(state.overlay == nil && state.drawer.fullReport == z)
        #expect(state.message?.text == "Drawer closed: difference $0.50 over")
        #expect(state.drawer.savedNote == "saved to /r/z.txt")
        Snapshot.assert(state.render(), named: "drawer-z-report-80x24")
    }

    @Test func theOpenDrawerAt80x24() throws {
        var state = Self.drawer(try Self.report())
        Snapshot.assert(state.render(), named: "drawer-open-80x24")
        _ = Fixture.press(&state, .character("u"))
        _ = Fixture.type(&state, "7.50")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "Window cleaner")
        Snapshot.assert(state.render(), named: "drawer-pay-out-80x24")
    }
}
