import Testing
import TillCore
import TillService
@testable import TillUI
import TillSnapshots

/// Issue 11, operators at the counter: the sign-in screen, the idle lock that keeps the work
/// for the same operator (and never hands it to another), the wait after refused PINs.
@Suite struct SignInTests {
    static let ann = OperatorName.restore("Ann") ?? .till
    static let bob = OperatorName.restore("Bob") ?? .till

    /// A POS whose ledger has operators, locking after `lockAfter` idle seconds.
    static func locked(lockAfter: Int = 3) -> POSState {
        var state = Fixture.state()
        state.startSession(as: .till, signInRequired: true, lockAfter: lockAfter)
        return state
    }

    /// Types the name and PIN, Enter, then the runner's `answer`. Returns what Enter asked for.
    static func signIn(_ state: inout POSState, _ name: String, pin: String, answer: Result<OperatorName, Rejection>) -> [POSEffect] {
        _ = Fixture.type(&state, name)
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, pin)
        let sent = Fixture.press(&state, .enter)
        _ = POSReducer.update(&state, .signedIn(answer))
        return sent
    }

    static func pulses(_ state: inout POSState, _ count: Int) {
        for _ in 0..<count { _ = POSReducer.update(&state, .pulse) }
    }

    @Test func thePOSStartsOnTheSignInScreenWhichTakesEveryKey() {
        var state = Self.locked()
        #expect(state.render().text.contains("Who is at the counter?"))
        // Letters are the name, not commands: n does not open a new order, q does not quit.
        #expect(Fixture.type(&state, "nq").isEmpty)
        #expect(Fixture.press(&state, .function(3), .function(4)).isEmpty)
        #expect(state.screen == .dashboard)
        #expect(state.session.signIn?.name.text == "nq")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "12a")
        #expect(state.session.signIn?.pin.text == "12")
        #expect(state.session.signIn?.error == "A PIN is digits only: that key was not typed.")
        let screen = state.render().text
        #expect(screen.contains("PIN      ••") && screen.contains("digits only"))
        #expect(Fixture.press(&state, .enter) == [.signIn(name: "nq", pin: "12")])
        // The PIN leaves the state as soon as it is sent; keys wait for the answer.
        #expect(state.session.signIn?.pin.isEmpty == true)
        #expect(state.session.signIn?.checking == true)
        #expect(Fixture.press(&state, .enter).isEmpty)
    }

    @Test func withoutOperatorsThereIsNoSignInAndNothingLocks() {
        var state = Fixture.state()
        state.startSession(as: .till, signInRequired: false, lockAfter: 3)
        #expect(state.session.signIn == nil)
        _ = Fixture.press(&state, .control("l"))
        #expect(state.message?.text.contains("till operator add NAME") == true)
        Self.pulses(&state, 50)
        #expect(state.session.signIn == nil)
    }

    @Test func anIdlePOSLocksAndTheSameOperatorGetsEverythingBackAsItWas() throws {
        var state = Self.locked(lockAfter: 3)
        #expect(Self.signIn(&state, "ann", pin: "4711", answer: .success(Self.ann)) == [.signIn(name: "ann", pin: "4711")])
        #expect(state.session.signIn == nil && state.session.current == Self.ann)
        #expect(state.render().text.split(separator: "\n").last?.contains("Ann ·") == true)
        Fixture.fillCreateAndPay(&state, amount: "25.00", card: "4242424242424242")
        guard case .payment(let dialog) = state.overlay else {
            Issue.record("no payment dialog")
            return
        }
        #expect(dialog.card.number.text == "4242424242424242")
        let before = state
        Self.pulses(&state, 2)
        #expect(state.session.signIn == nil)
        Self.pulses(&state, 1)
        #expect(state.session.signIn?.lockedFrom == Self.ann)
        // Locked: nothing of the work shows, least of all the card.
        let screen = state.render().text
        #expect(screen.contains("Locked. Ann's work is kept for Ann."))
        #expect(!screen.contains("4242") && !screen.contains("ann@example.com") && !screen.contains("25.00"))
        #expect(!screen.contains("Ann ·"))
        _ = Fixture.type(&state, "Ann")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "47x")
        Snapshot.assert(state.render(), named: "sign-in-locked-80x24")
        _ = Fixture.press(&state, .escape)
        _ = Self.signIn(&state, "ANN", pin: "4711", answer: .success(Self.ann))
        #expect(state.session.signIn == nil)
        #expect(state.overlay == before.overlay && state.newOrder == before.newOrder && state.screen == before.screen)
        // The form is still whole: Enter charges it.
        guard case .command(.createAndPay(let email, let amount, _, _, .card(let number, _, _), _)) = Fixture.press(&state, .enter).first else {
            Issue.record("the kept form was not sent")
            return
        }
        #expect(email == "ann@example.com" && amount == "25.00" && number == "4242424242424242")
    }

    @Test func aKeyIsActivityAndACommandInFlightNeverLocks() throws {
        var state = Self.locked(lockAfter: 3)
        _ = Self.signIn(&state, "ann", pin: "4711", answer: .success(Self.ann))
        Self.pulses(&state, 2)
        _ = Fixture.press(&state, .down)
        Self.pulses(&state, 2)
        #expect(state.session.signIn == nil)
        state.busy = .createOrder(email: "ann@example.com", amount: "5.00", currency: "USD", key: "k-9")
        Self.pulses(&state, 10)
        #expect(state.session.signIn == nil)
        state.busy = nil
        Self.pulses(&state, 1)
        #expect(state.session.signIn != nil)
    }

    @Test func anotherOperatorGetsAFreshScreenAndNeverTheFormerOperatorsForm() throws {
        var state = Self.locked(lockAfter: 0)
        _ = Self.signIn(&state, "ann", pin: "4711", answer: .success(Self.ann))
        Fixture.fillCreateAndPay(&state, amount: "25.00", card: "4242424242424242")
        let annsKeys = [state.newOrder.key, state.newOrder.payKey]
        // lockAfter 0 never locks by itself; Ctrl-L does.
        Self.pulses(&state, 1000)
        #expect(state.session.signIn == nil)
        _ = Fixture.press(&state, .control("l"))
        #expect(state.session.signIn != nil)
        _ = Fixture.type(&state, "bob")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "2222")
        _ = Fixture.press(&state, .enter)
        let effects = POSReducer.update(&state, .signedIn(.success(Self.bob)))
        #expect(effects == [.query(.dashboard)])
        #expect(state.screen == .dashboard && state.overlay == nil && state.back.isEmpty)
        #expect(state.newOrder.email.isEmpty && state.newOrder.amount.isEmpty)
        #expect(!annsKeys.contains(state.newOrder.key) && !annsKeys.contains(state.newOrder.payKey))
        #expect(state.message?.text == "Signed in as Bob.")
        #expect(state.session.current == Self.bob)
    }

    @Test func afterFiveRefusedPINsEachTryWaitsLonger() throws {
        var state = Self.locked()
        _ = Fixture.type(&state, "ann")
        _ = Fixture.press(&state, .tab)
        for attempt in 1...5 {
            // A refusal keeps the name and leaves the focus on the emptied PIN.
            _ = Fixture.type(&state, "0000")
            #expect(Fixture.press(&state, .enter) == [.signIn(name: "ann", pin: "0000")], "attempt \(attempt)")
            _ = POSReducer.update(&state, .signedIn(.failure(Rejection(.unauthorized))))
            #expect(state.session.signIn?.focus == .pin && state.session.signIn?.pin.isEmpty == true)
        }
        #expect(state.session.signIn?.error == Rejection(.unauthorized).message)
        #expect(state.render().text.contains("Too many refused tries: next try in 5 s."))
        _ = Fixture.type(&state, "4711")
        #expect(Fixture.press(&state, .enter).isEmpty)
        // The wait runs on pulses; three idle ones also forget the half-typed PIN.
        Self.pulses(&state, 5)
        #expect(state.session.signIn?.pin.isEmpty == true && state.session.signIn?.focus == .name)
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "4711")
        #expect(Fixture.press(&state, .enter) == [.signIn(name: "ann", pin: "4711")])
        _ = POSReducer.update(&state, .signedIn(.failure(Rejection(.unauthorized))))
        #expect(state.render().text.contains("next try in 10 s."))
        #expect(OperatorSession.wait(afterFailures: 4) == 0)
        #expect(OperatorSession.wait(afterFailures: 20) == 300)
    }
}
