import Testing
import TillCore
@testable import TillService
@testable import TillUI

/// What the adversarial review of issue 11 found in the counter rules and sign-in, each as it
/// was typed: every test failed before its fix.
@Suite struct ReviewFindingsIssue11Tests {
    /// F4 on Customers (the order list focused) is a new search: `priya` is typed, never `p` pay.
    @Test func theScreensOwnKeyEntersItAfresh() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4))
        _ = Fixture.type(&state, "zoe")
        let zoe = ReviewRegressionTests.customer("zoe@example.com")
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "zoe"), .success(.customers([zoe]))))
        _ = POSReducer.update(&state, .loaded(.customer(email: zoe.email), .success(.customer(zoe))))
        let page = OrderPage(orders: [ReviewRegressionTests.summary("ord_zoe", zoe.email)], next: nil)
        _ = POSReducer.update(&state, .loaded(.customerOrders(email: zoe.email, after: nil), .success(.orders(page))))
        _ = Fixture.press(&state, .tab, .function(4))
        _ = Fixture.type(&state, "priya")
        #expect(state.overlay == nil)
        #expect(state.customers.search.text == "priya")
    }

    /// F3 from the create-and-pay dialog on New order: a blank form, not a.first's $99.99.
    @Test func f3OnNewOrderIsABlankForm() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .character("n"))
        _ = Fixture.type(&state, "a.first@example.com")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "99.99")
        _ = Fixture.press(&state, .function(8), .function(3))
        _ = Fixture.type(&state, "b.second@example.com")
        #expect(state.newOrder.email.text == "b.second@example.com")
        #expect(state.newOrder.amount.isEmpty)
    }

    static func authorizeSent(_ state: inout POSState, card: String, amount: String) -> ServiceRequest? {
        _ = Fixture.type(&state, card)
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "1230")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "123")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, amount)
        guard case .command(let command) = Fixture.press(&state, .enter).first else { return nil }
        return command
    }

    /// An authorization with no answer: Esc, then `a` brings the same dialog back (same card,
    /// same key), so Enter learns the outcome. A later request under a spent key gets a new one.
    @Test func anUnansweredAuthorizationIsKeptWholeAndASpentKeyIsReplaced() throws {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(5), .character("a"))
        let first = try #require(Self.authorizeSent(&state, card: "4000000000004046", amount: "10"))
        _ = POSReducer.update(&state, .completed(first, .failure(Rejection(.paymentPending, "GoblinPay did not answer."))))
        _ = Fixture.press(&state, .escape, .character("a"))
        guard case .authorize(let kept) = state.overlay else { Issue.record("no dialog"); return }
        #expect(kept.card.number.text.filter(\.isNumber) == "4000000000004046")
        guard case .command(let again) = Fixture.press(&state, .enter).first else { Issue.record("not sent"); return }
        #expect(again == first)

        // The operator typed another card over it: the key is spent, so a new one, said so.
        _ = POSReducer.update(&state, .completed(again, .failure(Rejection(.idempotencyKeyReused, "reused"))))
        guard case .authorize(let rekeyed) = state.overlay else { Issue.record("no dialog"); return }
        #expect(rekeyed.key != kept.key)
        #expect(rekeyed.error?.contains("Not sent") == true)
        #expect(state.cards.unanswered == nil)
    }

    /// Ann's create-and-pay had no answer when Bob signed in: it stays, and Bob is told.
    @Test func anUnansweredRequestSurvivesAnOperatorSwitchAndTheNextOperatorIsTold() {
        var state = CounterRulesTests.createAndPayFailed(Rejection(.paymentPending, "GoblinPay did not answer."))
        state.startSession(as: SignInTests.ann, signInRequired: true, lockAfter: 0)
        state.session.signIn = nil
        let key = state.newOrder.payKey
        _ = Fixture.press(&state, .control("l"))
        _ = SignInTests.signIn(&state, "Bob", pin: "1234", answer: .success(SignInTests.bob))
        #expect(state.newOrder.payPending)
        #expect(state.newOrder.payKey == key)
        #expect(state.message?.text.contains("Check before charging again") == true)
    }

    /// After the idle time on the sign-in screen the focus is back on the name: a PIN typed
    /// next never shows in clear.
    @Test func anIdleSignInScreenGoesBackToTheName() {
        var state = SignInTests.locked(lockAfter: 3)
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "47")
        SignInTests.pulses(&state, 4)
        #expect(state.session.signIn?.focus == .name)
        #expect(state.session.signIn?.pin.isEmpty == true)
    }

    /// Too small to draw the sign-in form: q quits instead of going into the hidden name.
    @Test func qQuitsATooSmallLockedPOS() {
        var state = SignInTests.locked()
        _ = POSReducer.update(&state, .input(.resize(width: 70, height: 20)))
        #expect(Fixture.press(&state, .character("q")) == [.quit])
    }
}
