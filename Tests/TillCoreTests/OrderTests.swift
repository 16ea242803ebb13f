import Testing
@testable import TillCore

@Suite("Orders")
struct OrderTests {
    static let ann = Email.parse("Ann@Example.com")

    static func order(total: Int64 = 5000, currency: Currency = .usd) -> Order? {
        guard let email = try? ann.get() else { return nil }
        return Fixture.success(Order.create(
            id: "ord_1", email: email, total: Money(minorUnits: total, currency: currency), at: Fixture.now))
    }

    private func pay(_ order: Order, _ minor: Int64, _ tender: Tender = .card(Fixture.visa), id: String = "op") -> Order? {
        Fixture.success(order.recordingPayment(id: id, amount: Fixture.usd(minor), tender: tender, at: Fixture.now))
            .map(\.0)
    }

    /// A fresh $50.00 order with one installment.
    private func fresh(_ minor: Int64, _ tender: Tender = .card(Fixture.visa), id: String = "op") -> Order? {
        Self.order().flatMap { pay($0, minor, tender, id: id) }
    }

    @Test("a $50 order paid $10 + $10 + $30 by card, cash and store credit")
    func installments() throws {
        let order = try #require(Self.order())
        #expect(order.status == .open)
        #expect(order.balanceDue == Fixture.usd(5000))
        let first = try #require(pay(order, 1000, id: "p1"))
        #expect(first.status == .partiallyPaid)
        #expect(first.balanceDue == Fixture.usd(4000))
        let second = try #require(pay(first, 1000, .cash(tendered: Fixture.usd(1000)), id: "p2"))
        let third = try #require(pay(second, 3000, .storeCredit(wallet: "ann"), id: "p3"))
        #expect(third.status == .paid)
        #expect(third.balanceDue == .zero(.usd))
        #expect(third.paid == Fixture.usd(5000))
        #expect(third.payments.map(\.id) == ["p1", "p2", "p3"])
        #expect(third.payments.map(\.tender.kind) == [.card, .cash, .storeCredit])
    }

    @Test("an installment over the balance due is exceeds_balance_due; exactly the balance is fine")
    func overpayment() throws {
        let order = try #require(fresh(4000))
        #expect(rejectionCode(order.plan(amount: Fixture.usd(1001), tender: .card(Fixture.visa))) == .exceedsBalanceDue)
        #expect(rejectionCode(order.plan(amount: Fixture.usd(1001), tender: .storeCredit(wallet: "w"))) == .exceedsBalanceDue)
        #expect((try? order.plan(amount: Fixture.usd(1000), tender: .card(Fixture.visa)).get())?.applied == Fixture.usd(1000))
    }

    @Test("a fully paid order refuses any further payment, cash included")
    func paidOrder() throws {
        let order = try #require(fresh(5000))
        for tender in [Tender.card(Fixture.visa), .cash(tendered: Fixture.usd(100)), .storeCredit(wallet: "w")] {
            #expect(rejectionCode(order.plan(amount: Fixture.usd(1), tender: tender)) == .orderAlreadyPaid, "\(tender)")
        }
    }

    @Test("the cash handed over may exceed the installment (change is given); the installment never exceeds what is due")
    func cashChange() throws {
        let order = try #require(fresh(3500))
        // Issue 10: `--amount 1000000.01 --cash 1000000.01` on $1,000,000.00 due was accepted.
        #expect(rejectionCode(order.plan(amount: Fixture.usd(2000), tender: .cash(tendered: Fixture.usd(2000)))) == .exceedsBalanceDue)
        #expect(rejectionCode(order.plan(amount: Fixture.usd(1501), tender: .cash(tendered: Fixture.usd(1501)))) == .exceedsBalanceDue)
        let plan = try order.plan(amount: Fixture.usd(1500), tender: .cash(tendered: Fixture.usd(2000))).get()
        #expect(plan.applied == Fixture.usd(1500))
        #expect(plan.change == Fixture.usd(500))
        let (paid, payment) = try order.recordingPayment(
            id: "cash", amount: Fixture.usd(1500), tender: .cash(tendered: Fixture.usd(2000)), at: Fixture.now).get()
        #expect(payment.amount == Fixture.usd(1500))
        #expect(payment.change == Fixture.usd(500))
        #expect(paid.status == .paid)
        #expect(paid.paid == Fixture.usd(5000))
    }

    @Test("cash tendered below what is applied is insufficient_cash")
    func shortCash() throws {
        let order = try #require(Self.order())
        #expect(rejectionCode(order.plan(amount: Fixture.usd(1000), tender: .cash(tendered: Fixture.usd(999)))) == .insufficientCash)
        // $15.00 due, $15.00 asked, $18.00 handed over: $15.00 is applied and $3.00 is change.
        let owing = try #require(fresh(3500))
        let plan = try owing.plan(amount: Fixture.usd(1500), tender: .cash(tendered: Fixture.usd(1800))).get()
        #expect(plan.applied == Fixture.usd(1500))
        #expect(plan.change == Fixture.usd(300))
    }

    @Test("cash change on an installment that does not settle the order")
    func changeMidOrder() throws {
        let order = try #require(Self.order())
        let (next, payment) = try order.recordingPayment(
            id: "c1", amount: Fixture.usd(1000), tender: .cash(tendered: Fixture.usd(2000)), at: Fixture.now).get()
        #expect(payment.amount == Fixture.usd(1000))
        #expect(payment.change == Fixture.usd(1000))
        #expect(next.balanceDue == Fixture.usd(4000))
        #expect(next.status == .partiallyPaid)
    }

    @Test("installments must be positive and in the order's currency")
    func badInstallments() throws {
        let order = try #require(Self.order())
        #expect(rejectionCode(order.plan(amount: Fixture.usd(0), tender: .card(Fixture.visa))) == .invalidAmount)
        #expect(rejectionCode(order.plan(amount: Fixture.usd(-1), tender: .card(Fixture.visa))) == .invalidAmount)
        #expect(rejectionCode(order.plan(amount: Fixture.gbp(100), tender: .card(Fixture.visa))) == .currencyMismatch)
        #expect(rejectionCode(order.plan(amount: Fixture.usd(100), tender: .cash(tendered: Fixture.gbp(100)))) == .currencyMismatch)
        #expect(rejectionCode(order.recordingPayment(id: "x", amount: Fixture.usd(5001), tender: .card(Fixture.visa), at: Fixture.now)) == .exceedsBalanceDue)
    }

    @Test("a refund never raises the balance due; it is counted apart")
    func refunds() throws {
        let paid = try #require(fresh(5000, id: "p1"))
        let (refunded, refund) = try paid.recordingRefund(id: "r1", ofPayment: "p1", amount: Fixture.usd(500), at: Fixture.now).get()
        #expect(refund.amount == Fixture.usd(500))
        #expect(refunded.balanceDue == .zero(.usd))
        #expect(refunded.status == .paid)
        #expect(refunded.refunded == Fixture.usd(500))
        #expect(refunded.payments[0].state == .partiallyRefunded)
        let (all, _) = try refunded.recordingRefund(id: "r2", ofPayment: "p1", amount: Fixture.usd(4500), toWallet: "ann", at: Fixture.now).get()
        #expect(all.payments[0].state == .refunded)
        #expect(all.payments[0].refunds.map(\.toWallet) == [nil, "ann"])
        #expect(rejectionCode(all.recordingRefund(id: "r3", ofPayment: "p1", amount: Fixture.usd(1), at: Fixture.now)) == .exceedsPaid)
    }

    @Test("refund checks: invalid_amount, then not_found, then currency_mismatch, then exceeds_paid")
    func refundChecks() throws {
        let paid = try #require(fresh(1000, id: "p1"))
        #expect(rejectionCode(paid.recordingRefund(id: "r", ofPayment: "nope", amount: Fixture.usd(0), at: Fixture.now)) == .invalidAmount)
        #expect(rejectionCode(paid.recordingRefund(id: "r", ofPayment: "nope", amount: Fixture.usd(1), at: Fixture.now)) == .notFound)
        #expect(rejectionCode(paid.recordingRefund(id: "r", ofPayment: "p1", amount: Fixture.gbp(1), at: Fixture.now)) == .currencyMismatch)
        #expect(rejectionCode(paid.recordingRefund(id: "r", ofPayment: "p1", amount: Fixture.usd(1001), at: Fixture.now)) == .exceedsPaid)
    }

    @Test("a cash refund gives back the applied amount, never the change")
    func cashRefund() throws {
        let order = try #require(fresh(1000, .cash(tendered: Fixture.usd(2000)), id: "c"))
        #expect(order.payments[0].refundable == Fixture.usd(1000))
        #expect(rejectionCode(order.recordingRefund(id: "r", ofPayment: "c", amount: Fixture.usd(1001), at: Fixture.now)) == .exceedsPaid)
    }

    @Test("an order needs a positive total")
    func createChecks() throws {
        let email = try Self.ann.get()
        #expect(rejectionCode(Order.create(id: "o", email: email, total: Fixture.usd(0), at: Fixture.now)) == .invalidAmount)
        #expect(rejectionCode(Order.create(id: "o", email: email, total: Fixture.usd(-100), at: Fixture.now)) == .invalidAmount)
        let huge = try Order.create(id: "o", email: email, total: Fixture.usd(.max), at: Fixture.now).get()
        #expect(huge.balanceDue == Fixture.usd(.max))
    }

    @Test("emails are trimmed, kept as typed and matched case-insensitively")
    func emails() throws {
        let typed = try Email.parse("  Ann.Lee+till@Example.COM \r\n").get()
        #expect(typed.address == "Ann.Lee+till@Example.COM")
        #expect(typed.key == "ann.lee+till@example.com")
        #expect(typed.key == (try Email.parse("ann.lee+till@example.com").get()).key)
        #expect((try? Email.parse("zoë@münchen.de").get())?.key == "zoë@münchen.de")
    }

    @Test("malformed emails are invalid_email", arguments: [
        "", "   ", "ann", "ann@", "@example.com", "ann@example", "ann@@example.com", "ann@ex ample.com",
        "a b@example.com", "ann\u{00A0}lee@example.com", "ann\u{200B}@example.com", "ann@example..com", "ann@.example.com", "ann@example.com.", "ann\u{0}@example.com",
        String(repeating: "a", count: 65) + "@example.com", "a@" + String(repeating: "b", count: 250) + ".com",
    ])
    func badEmails(text: String) {
        #expect(rejectionCode(Email.parse(text)) == .invalidEmail)
    }
}
