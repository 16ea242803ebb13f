import Testing
import TillCore
import TillService
@testable import TillUI

/// What issue 11 left to us, pinned: how a fresh form and an unanswered create-and-pay live
/// together, how the tender is switched, what the confirmation and the status bar do.
@Suite struct CounterDecisionsTests {
    /// A create-and-pay with no answer keeps its form and key when New order is entered again,
    /// and says so; Ctrl-N starts a blank form with fresh keys.
    @Test func anUnansweredCreateAndPayKeepsItsFormUntilCtrlN() {
        let lost = Rejection(.paymentPending, "GoblinPay did not answer.")
        var state = CounterRulesTests.createAndPayFailed(lost)
        guard case .payment(let first) = state.overlay else { Issue.record("no dialog"); return }
        _ = Fixture.press(&state, .escape, .escape)
        #expect(state.screen == .dashboard)
        _ = Fixture.press(&state, .character("n"))
        #expect(state.newOrder.email.text == "ann@example.com")
        #expect(state.newOrder.payKey == first.key)
        #expect(state.message?.text.contains("no answer yet") == true)
        #expect(state.render().text.contains("Ctrl-N starts a blank form"))
        _ = Fixture.press(&state, .function(8))
        guard case .payment(let again) = state.overlay else { Issue.record("no dialog"); return }
        #expect(again.key == first.key)
        _ = Fixture.press(&state, .escape, .control("n"))
        #expect(state.newOrder.email.isEmpty)
        #expect(state.newOrder.payKey != first.key)
        #expect(!state.newOrder.payPending)
        #expect(state.message?.text.contains("till pending --resolve") == true)
    }

    /// A definite refusal frees the key: the next visit starts blank.
    @Test func aRefusedCreateAndPayLeavesNothingToKeep() {
        var state = CounterRulesTests.createAndPayFailed(Rejection(.processorDeclined, "Declined."))
        _ = Fixture.press(&state, .escape, .escape, .character("n"))
        #expect(state.newOrder.email.isEmpty)
        #expect(state.newOrder.focus == 0)
    }

    /// F9 switches the tender from any field, to the new tender's first field; on the tender
    /// row ← → do, and a typed key only says so.
    @Test func theTenderSwitchesOnlyWithKeysNoFieldTakes() throws {
        var state = CounterRulesTests.showing(try CounterRulesTests.order())
        _ = Fixture.press(&state, .character("p"), .function(9))
        guard case .payment(let cash) = state.overlay else { Issue.record("no dialog"); return }
        #expect(cash.tender == .cash)
        #expect(cash.focus == PaymentDialog.firstField)
        _ = Fixture.press(&state, .backTab, .backTab)
        _ = Fixture.type(&state, "3")
        guard case .payment(let row) = state.overlay else { Issue.record("no dialog"); return }
        #expect(row.tender == .cash)
        #expect(state.render().text.contains("← → or F9 choose the tender"))
        _ = Fixture.press(&state, .right)
        guard case .payment(let credit) = state.overlay else { Issue.record("no dialog"); return }
        #expect(credit.tender == .storeCredit)
    }

    /// The refund dialog says where the money goes before anything is sent, and a key other
    /// than y or n on the question says what it wants.
    @Test func aCashRefundSaysHandBackBeforeItIsSentAndEnterIsNudged() throws {
        var state = CounterRulesTests.showing(try CounterRulesTests.order())
        _ = Fixture.press(&state, .character("r"))
        #expect(state.render().text.contains("Hand back cash $10.00"))
        _ = Fixture.type(&state, "2.5")
        #expect(state.render().text.contains("Hand back cash $2.50"))
        _ = Fixture.press(&state, .enter, .enter)
        let screen = state.render().text
        #expect(screen.contains("Refund $2.50? Hand back cash $2.50."))
        #expect(screen.contains("Press y to go ahead"))
    }

    /// A message longer than the status bar wraps upward; every word is on screen.
    @Test func aLongStatusMessageWrapsUpwardAt80x24() {
        var state = Fixture.state()
        let words = (1...30).map { "word\($0)" }
        state.message = .error(words.joined(separator: " ") + " then press Enter.")
        let rows = CounterRulesTests.rows(state)
        #expect(rows.count == 24)
        let bottom = rows.suffix(4).joined(separator: " ")
        for word in words { #expect(bottom.contains(word + " ") || bottom.contains(word + "\n")) }
        #expect(bottom.contains("then press Enter."))
        #expect(rows[23].contains("Sun 22 Nov 10:05"))
    }
}
