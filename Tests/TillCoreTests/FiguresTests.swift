import Testing
@testable import TillCore

/// Issue 12: the figures screens and the CLI show, each from one core function (see
/// Tests/TillCLITests/FiguresAgreeTests.swift for the POS and the CLI side by side).
@Suite("Figures from one core function")
struct FiguresTests {
    // MARK: Order.plan(amount:cash:due:) and Order.cashShortfall

    @Test("an installment never exceeds what is due, whatever cash was handed over")
    func planRefusesMoreThanDue() {
        // The case: $10 due, $15 typed, $12 cash is more than is due, not "short".
        let plan = Order.plan(amount: Fixture.usd(1500), cash: Fixture.usd(1200), due: Fixture.usd(1000))
        #expect(rejectionCode(plan) == .exceedsBalanceDue)
        #expect(rejectionCode(Order.plan(amount: Fixture.usd(1001), cash: nil, due: Fixture.usd(1000))) == .exceedsBalanceDue)
    }

    @Test("cash over the installment is change; cash under it is short by the difference")
    func planCash() throws {
        let plan = try Order.plan(amount: Fixture.usd(750), cash: Fixture.usd(2000), due: Fixture.usd(1000)).get()
        #expect(plan == PaymentPlan(applied: Fixture.usd(750), change: Fixture.usd(1250)))
        #expect(rejectionCode(Order.plan(amount: Fixture.usd(1000), cash: Fixture.usd(825), due: Fixture.usd(1000))) == .insufficientCash)
        #expect(Order.cashShortfall(amount: Fixture.usd(1000), tendered: Fixture.usd(825)) == Fixture.usd(175))
        #expect(Order.cashShortfall(amount: Fixture.usd(1000), tendered: Fixture.usd(1000)).isZero)
        #expect(Order.cashShortfall(amount: Fixture.usd(1000), tendered: Fixture.usd(5000)).isZero)
        #expect(Order.cashShortfall(amount: Fixture.usd(.max), tendered: Fixture.usd(-1)) == Fixture.usd(.max))
    }

    @Test("the order's plan is the figures' plan once the order is known", arguments: [
        (1500, 1200), (1000, 825), (750, 2000), (1000, 1000), (1, 1),
    ] as [(Int64, Int64)])
    func orderPlanIsTheFiguresPlan(amount: Int64, tendered: Int64) throws {
        let email = try Email.parse("ann@example.com").get()
        let order = try Order.create(id: "ord", email: email, total: Fixture.usd(1000), at: Fixture.now).get()
        let byOrder = order.plan(amount: Fixture.usd(amount), tender: .cash(tendered: Fixture.usd(tendered)))
        let byFigures = Order.plan(amount: Fixture.usd(amount), cash: Fixture.usd(tendered), due: order.balanceDue)
        #expect(byOrder == byFigures)
    }

    // MARK: OrderPayment.refundable

    @Test("what is left to refund is the applied amount less refunds, never the change")
    func refundable() throws {
        let email = try Email.parse("ann@example.com").get()
        let order = try Order.create(id: "ord", email: email, total: Fixture.usd(1000), at: Fixture.now).get()
        let (paid, payment) = try order.recordingPayment(
            id: "op", amount: Fixture.usd(1000), tender: .cash(tendered: Fixture.usd(2000)), at: Fixture.now).get()
        #expect(payment.refundable == Fixture.usd(1000))
        let (refunded, _) = try paid.recordingRefund(id: "r", ofPayment: "op", amount: Fixture.usd(300), at: Fixture.now).get()
        #expect(refunded.payments[0].refundable == Fixture.usd(700))
        #expect(OrderPayment.refundable(amount: 1000, refunded: 300) == 700)
    }

    // MARK: Wallet.available

    @Test("available is balance plus overdraft, and a debit may take exactly that")
    func walletAvailable() throws {
        let wallet = try Wallet.open(name: "w", currency: .usd, balance: Fixture.usd(1000), overdraftLimit: Fixture.usd(500)).get()
        #expect(wallet.available == Fixture.usd(1500))
        #expect(rejectionCode(wallet.debit(Fixture.usd(1501))) == .insufficientFunds)
        let emptied = try wallet.debit(Fixture.usd(1500)).get()
        #expect(emptied.available.isZero && emptied.balance == Fixture.usd(-500))
        let huge = try Wallet.open(name: "h", currency: .usd, balance: Fixture.usd(.max), overdraftLimit: Fixture.usd(.max)).get()
        #expect(huge.available == Fixture.usd(.max))
        #expect(Fixture.success(huge.debit(Fixture.usd(.max))) != nil)
    }

    // MARK: CardSecurityCode

    @Test("the security code has the brand's length, digits only", arguments: [
        ("123", CardBrand.visa, true), ("1234", .visa, false), ("1234", .amex, true), ("123", .amex, false),
        (" 123 ", .mastercard, true), ("12a", .visa, false), ("", .unknown, false), ("١٢٣", .visa, false),
    ])
    func securityCode(text: String, brand: CardBrand, valid: Bool) {
        let parsed = CardSecurityCode.parse(text, brand: brand)
        #expect((rejectionCode(parsed) == nil) == valid)
        if !valid { #expect(rejectionCode(parsed) == .invalidCvv) }
    }

    @Test("card validation refuses the code the security-code rule refuses")
    func validationUsesTheRule() {
        let amex = "378282246310005"
        #expect(rejectionCode(CardValidation.validate(number: amex, expiry: "12/30", cvv: "123", now: Fixture.now)) == .invalidCvv)
        #expect(rejectionCode(CardValidation.validate(number: amex, expiry: "12/30", cvv: "1234", now: Fixture.now)) == nil)
    }

    // MARK: A payment taken for an order

    @Test("a gateway payment taken for an order is changed only through its order")
    func belongsToOrder() {
        #expect(Payment.refusedOutsideItsOrder("pay_1", installment: nil) == nil)
        #expect(Payment.refusedOutsideItsOrder("pay_1", installment: "op_1")?.code == .paymentBelongsToOrder)
    }

    // MARK: Wire names

    @Test("tender names: one display name per kind, raw values unchanged")
    func tenderNames() {
        #expect(Tender.Kind.allCases.map(\.displayName) == ["Card", "Cash", "Store credit"])
        #expect(Tender.Kind.allCases.map(\.rawValue) == ["card", "cash", "store_credit"])
    }
}
