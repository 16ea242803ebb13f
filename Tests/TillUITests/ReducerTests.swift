import Foundation
import Testing
import TillCore
@testable import TillService
@testable import TillUI

/// A POS at 80x24 on 2026-11-22 10:05 UTC, and an order built through the core.
enum Fixture {
    static let now = Instant(millisecondsSinceEpoch: 1_795_341_900_000)

    static func state(width: Int = 80, height: Int = 24) -> POSState {
        POSState(width: width, height: height, now: now, utcOffsetSeconds: 0, databasePath: "/shop/till.sqlite", keyPrefix: "k")
    }

    /// A $50.00 order for ann@example.com with $10.00 paid in cash ($20.00 given).
    static func order() -> OrderView {
        let email = (try? Email.parse("ann@example.com").get())!
        let created = (try? Order.create(id: "ord_1", email: email, total: Money(minorUnits: 5000, currency: .usd), at: now).get())!
        let cash = Tender.cash(tendered: Money(minorUnits: 2000, currency: .usd))
        let (paid, _) = (try? created.recordingPayment(id: "op_1", amount: Money(minorUnits: 1000, currency: .usd), tender: cash, at: now).get())!
        return OrderView(paid)
    }

    static func press(_ state: inout POSState, _ keys: Key...) -> [POSEffect] {
        keys.flatMap { POSReducer.update(&state, .input(.key($0))) }
    }

    static func type(_ state: inout POSState, _ text: String) -> [POSEffect] {
        text.flatMap { POSReducer.update(&state, .input(.key(.character($0)))) }
    }

    /// F3, ann@example.com, the amount, F8 (the dialog opens on the card number), then `card`
    /// (12/30, CVV 123) typed in, not sent.
    static func fillCreateAndPay(_ state: inout POSState, amount: String, card: String) {
        _ = press(&state, .function(3))
        _ = type(&state, "ann@example.com")
        _ = press(&state, .tab)
        _ = type(&state, amount)
        _ = press(&state, .function(8))
        _ = type(&state, card)
        _ = press(&state, .tab)
        _ = type(&state, "1230")
        _ = press(&state, .tab)
        _ = type(&state, "123")
    }
}

@Suite struct ReducerTests {
    @Test func functionKeysAndLettersReachEveryScreenAndEscGoesBack() {
        var state = Fixture.state()
        #expect(POSReducer.start(&state) == [.query(.dashboard)])
        #expect(Fixture.press(&state, .function(4)) == [.query(.customers(prefix: ""))])
        #expect(state.screen == .customers)
        _ = Fixture.press(&state, .function(5))
        #expect(state.screen == .cardPayments)
        #expect(Fixture.press(&state, .character("w")) == [.query(.wallets)])
        #expect(state.screen == .wallets)
        // Esc goes to the Dashboard (not back through the screens visited).
        _ = Fixture.press(&state, .escape)
        #expect(state.screen == .dashboard)
        _ = Fixture.press(&state, .character("?"))
        #expect(state.overlay == .help)
        _ = Fixture.press(&state, .character("x"))
        #expect(state.overlay == nil)
        #expect(Fixture.press(&state, .character("q")) == [.quit])
    }

    @Test func lettersAreTextWhileAFieldHasTheKeyboard() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        let effects = Fixture.type(&state, "dan@x.io")
        #expect(state.screen == .newOrder)
        #expect(state.newOrder.email.text == "dan@x.io")
        #expect(effects.last == .query(.suggestions(prefix: "dan@x.io")))
        #expect(Fixture.press(&state, .character("q")) == [.query(.suggestions(prefix: "dan@x.ioq"))])
        #expect(state.newOrder.email.text == "dan@x.ioq")
    }

    @Test func newOrderShowsTheFirstProblemInlineAndSendsNothing() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        _ = Fixture.type(&state, "not-an-email")
        #expect(Fixture.press(&state, .enter).isEmpty)
        #expect(state.newOrder.problem?.field == 0)
        state.newOrder.email.set("ann@example.com")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "12.345")
        #expect(Fixture.press(&state, .enter).isEmpty)
        #expect(state.newOrder.problem?.field == 1)
        #expect(state.newOrder.amount.text == "12.345")
        #expect(state.render().text.contains("! "))
    }

    @Test func createHoldsOneKeyUntilItSucceedsAndIgnoresKeysWhileBusy() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(3))
        _ = Fixture.type(&state, "ann@example.com")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "50")
        let create = ServiceRequest.createOrder(email: "ann@example.com", amount: "50", currency: "USD", key: "k-0")
        #expect(Fixture.press(&state, .enter) == [.command(create)])
        // A second Enter while GoblinPay or the ledger answers does nothing.
        #expect(Fixture.press(&state, .enter).isEmpty)
        // A failure keeps the form and the key: the retry sends the same request.
        _ = POSReducer.update(&state, .completed(create, .failure(Rejection(.storageError, "disk full"))))
        #expect(state.newOrder.email.text == "ann@example.com")
        #expect(state.newOrder.error?.contains("disk full") == true)
        #expect(Fixture.press(&state, .enter) == [.command(create)])
        let order = Fixture.order()
        _ = POSReducer.update(&state, .completed(create, .success(.order(order, replayed: false))))
        #expect(state.screen == .orderDetail)
        #expect(state.newOrder.key != "k-0")
        #expect(state.newOrder.email.isEmpty)
    }

    @Test func paymentDialogPrefillsTheBalanceAndKeepsEverythingAfterADecline() throws {
        var state = Fixture.state()
        state.detail = OrderDetailModel(orderId: "ord_1")
        state.detail.order = Fixture.order()
        state.screen = .orderDetail
        #expect(Fixture.press(&state, .character("p")) == [.query(.customerWallets(email: "ann@example.com"))])
        guard case .payment(let opened) = state.overlay else { Issue.record("no dialog"); return }
        #expect(opened.amount.text == "40.00")
        _ = Fixture.type(&state, "4000000000000002")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "1230")
        _ = Fixture.press(&state, .tab)
        _ = Fixture.type(&state, "123")
        let effects = Fixture.press(&state, .enter)
        guard case .command(let command) = effects.first, case .pay(_, let amount, _, let key) = command else {
            Issue.record("no payment sent: \(effects)")
            return
        }
        #expect(amount == "40.00")
        let declined = Rejection(.processorDeclined, "GoblinPay declined the card.")
        _ = POSReducer.update(&state, .completed(command, .failure(declined)))
        guard case .payment(let after) = state.overlay else { Issue.record("dialog closed"); return }
        #expect(after.error?.contains("declined") == true)
        #expect(after.card.number.text == "4000000000000002")
        #expect(after.key == key)
        let screen = state.render().text
        #expect(screen.contains("processor_declined"))
        #expect(!screen.contains("4000000000000002"))
        #expect(screen.contains("4000 00•• •••• 0002"))
        // Retrying sends the very same key.
        #expect(Fixture.press(&state, .enter) == [.command(command)])
    }

    @Test func cashShowsChangeWhileTypingAndLargeWhenPaid() {
        var state = Fixture.state()
        state.detail = OrderDetailModel(orderId: "ord_1")
        state.detail.order = Fixture.order()
        state.screen = .orderDetail
        _ = Fixture.press(&state, .character("p"), .function(9))
        _ = Fixture.type(&state, "50")
        #expect(state.render().text.contains("Change due  $10.00"))
        guard case .command(let command) = Fixture.press(&state, .enter).first else { Issue.record("not sent"); return }
        #expect(command == .pay(orderId: "ord_1", amount: "40.00", tender: .cash(tendered: "50"), key: "k-2"))
    }

    @Test func anAnswerToAnOldSearchIsDropped() {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4))
        _ = Fixture.type(&state, "an")
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "a"), .success(.customers([]))))
        #expect(state.customers.error == nil)
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "an"), .success(.customers([]))))
        #expect(state.customers.error?.contains("an") == true)
    }

    @Test func aResizeRedrawsAtTheNewSizeAndTooSmallSaysSo() {
        var state = Fixture.state()
        _ = POSReducer.update(&state, .input(.resize(width: 120, height: 40)))
        let large = state.render()
        #expect(large.width == 120 && large.height == 40)
        _ = POSReducer.update(&state, .input(.resize(width: 60, height: 20)))
        #expect(state.render().text.contains("Till needs at least 80×24"))
        #expect(Fixture.press(&state, .function(3)).isEmpty)
        #expect(Fixture.press(&state, .character("q")) == [.quit])
    }

    @Test func statusBarShowsTheClockAndTheDatabasePath() {
        let state = Fixture.state()
        let last = state.render().text.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
        #expect(last.contains("/shop/till.sqlite"))
        #expect(last.contains("Sun 22 Nov 10:05"))
    }
}

@Suite struct HistoryPagingTests {
    static func page(_ range: Range<Int>, more: Bool) -> OrderPage {
        let orders = range.map {
            OrderSummaryView(id: "ord_\($0)", email: "reg@x.io", currency: "USD", total: 100, paid: 100, refunded: 0,
                             balanceDue: 0, status: .paid, createdAt: "2026-11-22T10:00:00.000Z", paymentCount: 1)
        }
        let cursor = more ? try? JSONDecoder().decode(OrderCursor.self, from: Data(#"{"at":1,"id":"x"}"#.utf8)) : nil
        return OrderPage(orders: orders, next: cursor)
    }

    /// PgDn held down runs ahead of the pages: the selection catches up as they arrive.
    @Test func pageDownBeyondWhatIsLoadedArrivesThereOnceThePagesDo() throws {
        var state = Fixture.state()
        _ = Fixture.press(&state, .function(4))
        _ = Fixture.type(&state, "reg")
        let customer = CustomerView(email: "reg@x.io", orderCount: 200, openOrders: 0, firstOrderAt: "2026-11-22T10:00:00.000Z",
                                    lastOrderAt: "2026-11-22T10:00:00.000Z", totals: [], storeCredit: [])
        _ = POSReducer.update(&state, .loaded(.customers(prefix: "reg"), .success(.customers([customer]))))
        _ = POSReducer.update(&state, .loaded(.customer(email: "reg@x.io"), .success(.customer(customer))))
        let first = Self.page(0..<40, more: true)
        _ = POSReducer.update(&state, .loaded(.customerOrders(email: "reg@x.io", after: nil), .success(.orders(first))))
        _ = Fixture.press(&state, .tab)
        var requests: [POSQuery] = []
        for _ in 0..<9 {
            for effect in Fixture.press(&state, .pageDown) { if case .query(let query) = effect { requests.append(query) } }
        }
        #expect(state.customers.orderIndex == 39)
        #expect(state.customers.wanted == 90)
        // Only one page is asked for at a time; each arrival moves on and asks for the next.
        #expect(requests.filter { if case .customerOrders = $0 { true } else { false } }.count == 1)
        var start = 40
        while state.customers.orderIndex < 90, start < 200 {
            let effects = POSReducer.update(&state, .loaded(.customerOrders(email: "reg@x.io", after: first.next),
                                                            .success(.orders(Self.page(start..<(start + 40), more: true)))))
            start += 40
            if state.customers.orderIndex < 90 {
                #expect(effects.contains { if case .query(.customerOrders) = $0 { true } else { false } })
            }
        }
        #expect(state.customers.orderIndex == 90)
        #expect(state.customers.wanted == nil)
        #expect(state.customers.orders[90].id == "ord_90")
    }
}

@Suite struct BusyTests {
    /// While GoblinPay answers, the status bar spins and says what it waits for; the frames
    /// move with the clock, so the screen visibly lives without a single key.
    @Test func theStatusBarSpinsWhileACommandRuns() {
        var state = Fixture.state()
        Fixture.fillCreateAndPay(&state, amount: "5", card: "4242424242424242")
        #expect(Fixture.press(&state, .enter).count == 1)
        let first = state.render().text
        #expect(first.contains("Waiting for GoblinPay…"))
        _ = POSReducer.update(&state, .tick(Instant(millisecondsSinceEpoch: Fixture.now.millisecondsSinceEpoch + 100)))
        let second = state.render().text
        #expect(second.contains("Waiting for GoblinPay…"))
        #expect(first != second)
        // A key while busy sends nothing and says why.
        #expect(Fixture.press(&state, .enter).isEmpty)
        #expect(state.message?.text.hasPrefix("Please wait") == true)
    }
}
