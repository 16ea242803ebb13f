import Foundation
import Testing
@testable import TillCLI
import TillCore
import TillProcessor
import TillService
import TillSnapshots
import TillUI

/// The POS driven by keys against a real ledger: what the operator sees, and what the ledger
/// and GoblinPay recorded.
@Suite struct POSFlowTests {
    static let visa = "4242424242424242"
    static let declined = GoblinPay.TestCard.declined

    /// F3, email, amount, Enter: the new order's id (the POS opens it).
    static func createOrder(_ pos: POSHarness, email: String, amount: String) async throws -> String {
        await pos.press(.function(3))
        await pos.type(email)
        await pos.press(.tab)
        await pos.type(amount)
        await pos.press(.enter)
        let id = try #require(pos.state.detail.orderId)
        #expect(pos.state.screen == .orderDetail)
        return id
    }

    /// On the order screen: p, amount, card number, expiry, CVV, Enter.
    static func payByCard(_ pos: POSHarness, amount: String, number: String = visa, expiry: String = "1230") async {
        await pos.press(.character("p"), .backTab, .control("u"))
        await pos.type(amount)
        await pos.press(.tab)
        await pos.type(number)
        await pos.press(.tab)
        await pos.type(expiry)
        await pos.press(.tab)
        await pos.type("123")
        await pos.press(.enter)
    }

    @Test func createPayByCardAndCashSeeHistoryAndRefundPart() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await Self.createOrder(pos, email: "ann@example.com", amount: "50.00")
        await Self.payByCard(pos, amount: "10.00")
        #expect(pos.state.overlay == nil)
        #expect(pos.screen.contains("Visa ••••4242"))
        // Cash for the rest: the amount is prefilled with what is due.
        await pos.press(.character("p"), .function(9))
        guard case .payment(let dialog) = pos.state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.amount.text == "40.00")
        await pos.type("50")
        await pos.press(.enter)
        #expect(pos.screen.contains("CHANGE DUE"))
        #expect(pos.screen.contains("Hand back $10.00."))
        await pos.press(.enter)
        var order = try await pos.order(id)
        #expect(order.status == .paid)
        #expect(order.payments.map(\.amount) == [1000, 4000])
        #expect(order.payments.map(\.tender) == [.card, .cash])
        #expect(pos.screen.contains("PAID"))

        // The customer's history, by typing part of the email.
        await pos.press(.function(4))
        await pos.type("ANN@")
        #expect(pos.state.customers.customer?.email == "ann@example.com")
        #expect(pos.screen.contains(id))
        #expect(pos.screen.contains("Lifetime $50.00"))

        // Open it from the history and refund $4.00 of the card payment.
        await pos.press(.tab, .enter)
        #expect(pos.state.screen == .orderDetail)
        await pos.press(.up, .character("r"), .control("u"))
        await pos.type("4.00")
        await pos.press(.enter)
        #expect(pos.screen.contains("Refund $4.00? Back to Visa ••••4242."))
        await pos.press(.character("y"))
        order = try await pos.order(id)
        #expect(order.refunded == 400)
        #expect(order.payments[0].refunded == 400)
        let payment = try await pos.service.payment(id: try #require(order.payments[0].paymentId)).get()
        #expect(payment.refunded == 400)
        #expect(pos.state.message?.text.contains("Refunded $4.00") == true)
    }

    @Test func aDeclineShowsTheReasonKeepsTheFormAndLeavesNoPayment() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await Self.createOrder(pos, email: "bob@example.com", amount: "20.00")
        await Self.payByCard(pos, amount: "20.00", number: Self.declined)
        guard case .payment(let dialog) = pos.state.overlay else { Issue.record("the dialog closed"); return }
        #expect(dialog.error?.contains("processor_declined") == true)
        #expect(dialog.card.number.text == Self.declined)
        #expect(pos.screen.contains("processor_declined"))
        let order = try await pos.order(id)
        #expect(order.payments.isEmpty)
        #expect(order.balanceDue == 2000)
        // Correcting the card (from the CVV, back two fields) and pressing Enter again pays,
        // under the same key.
        await pos.press(.backTab, .backTab, .control("u"))
        await pos.type(Self.visa)
        await pos.press(.enter)
        #expect(pos.state.overlay == nil)
        #expect(try await pos.order(id).status == .paid)
    }

    @Test func createAndPayThatDeclinesNeverCreatesTheOrder() async throws {
        let pos = try await POSHarness()
        await pos.start()
        await pos.press(.function(3))
        await pos.type("cy@example.com")
        await pos.press(.tab)
        await pos.type("30")
        await pos.press(.function(8))
        await pos.type(Self.declined)
        await pos.press(.tab)
        await pos.type("1230")
        await pos.press(.tab)
        await pos.type("123")
        await pos.press(.enter)
        #expect(pos.state.message?.text.contains("The order was not created.") == true)
        #expect(pos.screen.contains("processor_declined"))
        #expect(try await pos.service.orders(email: "cy@example.com").get().orders.isEmpty)
        #expect(pos.state.newOrder.email.text == "cy@example.com")
    }

    @Test func aLostResponseRetriedWithTheSameKeyChargesOnce() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await Self.createOrder(pos, email: "dee@example.com", amount: "15.00")
        await Self.payByCard(pos, amount: "15.00", number: GoblinPay.TestCard.lostResponse)
        guard case .payment(let dialog) = pos.state.overlay else { Issue.record("the dialog closed"); return }
        #expect(dialog.error?.contains("payment_pending") == true)
        // Enter again: the same key, so the till asks GoblinPay what happened instead of charging.
        await pos.press(.enter)
        #expect(pos.state.overlay == nil)
        let order = try await pos.order(id)
        #expect(order.status == .paid)
        #expect(order.payments.count == 1)
        #expect(pos.state.message?.text.contains("nothing new was charged") == true)
    }

    /// Issue 9, point 4: a lost answer on an existing order. It was shown as "Paid $0.00, no
    /// payments yet", the full balance was offered again, and a second card paid the same
    /// installment. Now the order shows it pending, offers only the rest, resolves it in the
    /// background and says it went through; GoblinPay authorized once.
    @Test func aLostResponseOnAnExistingOrderIsPendingThenResolvedAndNeverChargedTwice() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await Self.createOrder(pos, email: "gus@example.com", amount: "50.00")
        await Self.payByCard(pos, amount: "12.00", number: GoblinPay.TestCard.lostResponse)
        guard case .payment(let dialog) = pos.state.overlay else { Issue.record("the dialog closed"); return }
        #expect(dialog.error?.contains("payment_pending") == true)
        #expect(dialog.error?.contains(dialog.key) == true)
        await pos.press(.escape)
        var screen = pos.screen
        #expect(screen.contains("resolving…"))
        #expect(screen.contains("Visa ••••4046"))
        #expect(screen.contains("Pending $12.00"))
        #expect(screen.contains("Due $38.00"))
        #expect(!screen.contains("No payments yet"))
        #expect(try await pos.order(id).pending?.count == 1)

        // A second dialog offers only the rest; while it is open nothing resolves behind it.
        await pos.press(.character("p"))
        guard case .payment(let second) = pos.state.overlay else { Issue.record("no dialog"); return }
        #expect(second.amount.text == "38.00")
        await pos.pulse()
        await pos.pulse()
        #expect(try await pos.order(id).pending?.count == 1)
        await pos.press(.escape)

        // The background pass: GoblinPay applied the authorization, so Till captures and records it.
        await pos.pulse()
        #expect(pos.state.detail.order?.pending != nil)
        await pos.pulse()
        screen = pos.screen
        #expect(pos.state.message?.text == "Card payment of $12.00 went through")
        #expect(!screen.contains("resolving…"))
        #expect(screen.contains("Paid $12.00"))
        let order = try await pos.order(id)
        #expect(order.paid == 1200)
        #expect(order.pending == nil)
        #expect(order.payments.map(\.amount) == [1200])
        let authorizations = try await pos.goblin.ledger.entries().filter { $0.operation == .authorize }
        #expect(authorizations.count == 1)
        // Nothing pending any more: no more passes.
        await pos.pulse()
        await pos.pulse()
        #expect(pos.state.resolving == nil)
        await pos.press(.character("p"))
        guard case .payment(let third) = pos.state.overlay else { Issue.record("no dialog"); return }
        #expect(third.amount.text == "38.00")
    }

    /// A pending payment for the whole balance: the order cannot be charged again meanwhile.
    @Test func anOrderCoveredByAPendingPaymentRefusesASecondCharge() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await Self.createOrder(pos, email: "hal@example.com", amount: "20.00")
        await Self.payByCard(pos, amount: "20.00", number: GoblinPay.TestCard.lostResponse)
        await pos.press(.escape, .character("p"))
        #expect(pos.state.overlay == nil)
        #expect(pos.state.message?.text.contains("Fully covered by pending payments") == true)
        await pos.pulse()
        await pos.pulse()
        let order = try await pos.order(id)
        #expect(order.status == .paid)
        #expect(order.payments.count == 1)
        #expect(pos.screen.contains("PAID"))
        #expect(pos.state.message?.text == "Card payment of $20.00 went through")
    }

    /// Issue 9, point 5: one time zone for the expiry check. A card expiring 12/26 in a shop at
    /// UTC-5, at 23:30 local on 31 December (already January in UTC): the POS and the service
    /// both take it. At 00:30 local on 1 January both refuse it.
    @Test func cardExpiryEndsWithTheMonthInTheShopsZoneForServiceAndPOSAlike() async throws {
        let pos = try await POSHarness(shopZone: .fixed(seconds: -5 * 3600))
        await pos.start()
        let id = try await Self.createOrder(pos, email: "ida@example.com", amount: "20.00")
        pos.move(to: Instant(millisecondsSinceEpoch: 1_798_777_800_000))  // 2027-01-01T04:30Z = 23:30 on 31 Dec at UTC-5
        await Self.payByCard(pos, amount: "5.00", expiry: "1226")
        #expect(pos.state.overlay == nil, "\(pos.screen)")
        #expect(try await pos.order(id).payments.count == 1)

        pos.move(to: Instant(millisecondsSinceEpoch: 1_798_781_400_000))  // 2027-01-01T05:30Z = 00:30 on 1 Jan at UTC-5
        await Self.payByCard(pos, amount: "5.00", expiry: "1226")
        guard case .payment(let dialog) = pos.state.overlay else { Issue.record("the dialog closed"); return }
        #expect(dialog.problem?.field == 3)
        #expect(pos.state.busy == nil)
        let refused = await pos.service.pay(
            orderId: id, amount: "5.00", tender: .card(number: Self.visa, expiry: "12/26", cvv: "123"), key: "ida-late")
        guard case .failure(let rejection) = refused else { Issue.record("the service took an expired card"); return }
        #expect(rejection.code == .cardExpired)
        #expect(try await pos.order(id).payments.count == 1)
    }

    /// Issue 9, point 5: with TILL_NOW fixed and a reused pid (containers), two runs made the
    /// same idempotency keys. The prefix is now random per run.
    @Test func twoRunsInOneProcessNeverShareAKeyPrefix() {
        let prefixes = Set((0..<50).map { _ in POSLoop.keyPrefix() })
        #expect(prefixes.count == 50)
        #expect(prefixes.allSatisfy { $0.hasPrefix("pos-\(getpid())-") })
    }

    @Test func historyPagesThroughManyOrdersWithoutGapsOrRepeats() async throws {
        let pos = try await POSHarness()
        for index in 0..<130 {
            pos.advance(minutes: 1)
            _ = try await pos.service.createOrder(email: "reg@example.com", amount: "\(index + 1).00").get()
        }
        await pos.start()
        await pos.press(.function(4))
        await pos.type("reg")
        #expect(pos.state.customers.orders.count == POSEffects.pageSize)
        await pos.press(.tab)
        for _ in 0..<20 { await pos.press(.pageDown) }
        let orders = pos.state.customers.orders
        #expect(orders.count == 130)
        #expect(Set(orders.map(\.id)).count == 130)
        #expect(orders.first?.total == 13_000)
        #expect(orders.last?.total == 100)
        #expect(pos.state.customers.orderIndex == 129)
        #expect(pos.state.customers.order?.id == orders.last?.id)
    }

    @Test func cardPaymentsAuthorizeCaptureRefundAndVoidWithConfirmation() async throws {
        let pos = try await POSHarness()
        await pos.start()
        await pos.press(.function(5), .character("a"))
        await pos.type(Self.visa)
        await pos.press(.tab)
        await pos.type("1230")
        await pos.press(.tab)
        await pos.type("123")
        await pos.press(.tab)
        await pos.type("20.00")
        await pos.press(.enter)
        let id = try #require(pos.state.cards.payments.first?.id)
        #expect(pos.state.cards.payments.first?.status == .authorized)
        await pos.press(.character("c"), .control("u"))
        await pos.type("5.00")
        await pos.press(.enter)
        await pos.press(.character("r"), .control("u"))
        await pos.type("2.00")
        await pos.press(.enter)
        #expect(pos.screen.contains("Refund $2.00 to the card?"))
        await pos.press(.character("y"))
        var payment = try await pos.service.payment(id: id).get()
        #expect(payment.captured == 500)
        #expect(payment.refunded == 200)
        #expect(payment.status == .partiallyRefunded)

        // A second authorization, voided after a yes.
        await pos.press(.character("a"))
        await pos.type(Self.visa)
        await pos.press(.tab)
        await pos.type("1230")
        await pos.press(.tab)
        await pos.type("123")
        await pos.press(.tab)
        await pos.type("7.00")
        await pos.press(.enter)
        let second = try #require(pos.state.cards.payments.first?.id)
        #expect(second != id)
        await pos.press(.character("v"))
        #expect(pos.screen.contains("Void the $7.00 authorization"))
        await pos.press(.character("n"))
        #expect(try await pos.service.payment(id: second).get().status == .authorized)
        await pos.press(.character("v"), .character("y"))
        payment = try await pos.service.payment(id: second).get()
        #expect(payment.status == .voided)
    }

    @Test func walletsOpenCreditDebitAndPayAnOrderWithStoreCredit() async throws {
        let pos = try await POSHarness()
        await pos.start()
        await pos.press(.function(6), .character("o"))
        await pos.type("Ann credit")
        await pos.press(.tab, .tab, .control("u"))
        await pos.type("25.00")
        await pos.press(.tab, .tab)
        await pos.type("ann@example.com")
        await pos.press(.enter)
        #expect(pos.state.overlay == nil)
        #expect(pos.state.wallets.wallets.map(\.name) == ["Ann credit"])
        await pos.press(.character("+"))
        await pos.type("5")
        await pos.press(.enter)
        await pos.press(.character("-"))
        await pos.type("10")
        await pos.press(.enter)
        #expect(try await pos.service.wallet(name: "Ann credit").get().balance == 2000)
        #expect(pos.state.wallets.history.count == 3)
        // History: newest first, a debit shown as money out.
        #expect(pos.screen.contains("debited") && pos.screen.contains("-$10.00"))
        #expect(pos.screen.contains("+$5.00"))

        let id = try await Self.createOrder(pos, email: "ann@example.com", amount: "12.00")
        await pos.press(.character("p"), .function(9), .function(9))
        #expect(pos.screen.contains("Ann credit"))
        #expect(pos.screen.contains("available $20.00"))
        await pos.press(.enter)
        #expect(try await pos.order(id).status == .paid)
        #expect(try await pos.service.wallet(name: "Ann credit").get().balance == 800)
    }

    @Test func writesFromAnotherProcessShowUpOnTheNextVersionChange() async throws {
        let pos = try await POSHarness()
        await pos.start()
        #expect(!pos.screen.contains("eve@example.com"))
        let before = try await pos.service.ledgerVersion().get()
        _ = try await pos.service.createOrder(email: "eve@example.com", amount: "9.99").get()
        #expect(try await pos.service.ledgerVersion().get() != before)
        await pos.send(.ledgerChanged)
        #expect(pos.screen.contains("eve@example.com"))
    }

    @Test func aReceiptGoesToATextFileWithTheCardMasked() async throws {
        let pos = try await POSHarness()
        await pos.start()
        let id = try await Self.createOrder(pos, email: "fay@example.com", amount: "8.00")
        await Self.payByCard(pos, amount: "8.00")
        await pos.press(.character("t"))
        let path = pos.directory.appendingPathComponent("receipt-\(id).txt").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("Visa ••••4242"))
        #expect(text.contains("Balance due") && text.contains("$0.00"))
        #expect(!text.contains(Self.visa))
        #expect(pos.state.message?.text == "Receipt saved: receipt-\(id).txt in \(pos.directory.path)")
    }
}
