import Testing
import TillCore

// Orders.
extension PropertyTests {
    @Test("order: random installments and refunds keep paid + balance due == total")
    func orderInstallments() {
        forEachSeed("order") { random, trial in
            let card = Fixture.visa
            guard case .success(let email) = Email.parse("buyer@example.com") else {
                trial.check(false, "the fixture email does not parse")
                return
            }
            let start = Instant(millisecondsSinceEpoch: 1_795_348_800_000)
            for _ in 0..<30 {
                trial.step += 1
                let currency = random.currency()
                let totalMinor = random.positiveMinorUnits()
                let nonPositive = Money(minorUnits: -random.minorUnits(), currency: currency)
                trial.check(rejectionCode(Order.create(id: "o", email: email, total: nonPositive, at: start)) == .invalidAmount,
                            "an order of \(nonPositive.minorUnits) was created")
                guard case .success(var order) = Order.create(
                    id: "o", email: email, total: Money(minorUnits: totalMinor, currency: currency), at: start)
                else {
                    trial.check(false, "an order of \(totalMinor) \(currency) was not created")
                    return
                }
                var paid: Int64 = 0
                var cashTendered: [String: Money] = [:]

                for _ in 0...random.below(16) {
                    trial.step += 1
                    let before = order
                    let paymentId = "p\(trial.step)"

                    if !order.payments.isEmpty && random.oneIn(3) || random.oneIn(12) {
                        // A refund of one installment, or of one that does not exist.
                        let target = order.payments.isEmpty || random.oneIn(10) ? nil : random.element(of: order.payments)
                        let left = target.map { $0.amount.minorUnits - $0.refunded.minorUnits } ?? 0
                        let amount = commandAmount(pivot: left, currency: currency, &random)
                        let expected: Rejection.Code? =
                            if !amount.isPositive { .invalidAmount }
                            else if target == nil { .notFound }
                            else if amount.currency != currency { .currencyMismatch }
                            else if amount.minorUnits > left { .exceedsPaid }
                            else { nil }
                        let result = order.recordingRefund(
                            id: "r\(trial.step)", ofPayment: target?.id ?? "missing", amount: amount, at: start)
                        trial.check(rejectionCode(result) == expected,
                                    "refund \(amount.minorUnits) \(amount.currency) of \(left) left: "
                                        + "\(describe(result)), expected \(describe(expected))")
                        if case .success(let (next, refund)) = result, let target {
                            trial.check(next.balanceDue == before.balanceDue && next.paid == before.paid,
                                        "a refund changed the balance due or the paid amount")
                            trial.check(next.refunded.minorUnits == before.refunded.minorUnits + amount.minorUnits,
                                        "the order's refunded total did not grow by \(amount.minorUnits)")
                            let updated = next.payments.first { $0.id == target.id }
                            trial.check(updated?.refunded.minorUnits == target.refunded.minorUnits + amount.minorUnits
                                            && updated?.refunds.last == refund && refund.amount == amount,
                                        "the refunded payment does not show the refund")
                            order = next
                        }
                    } else {
                        let due = totalMinor - paid
                        let amount = commandAmount(pivot: due, currency: currency, &random)
                        let tender: Tender
                        var tendered: Money?
                        switch random.below(3) {
                        case 0: tender = .card(card)
                        case 1: tender = .storeCredit(wallet: "house")
                        default:
                            let cash = randomCash(for: amount, currency: currency, &random)
                            tendered = cash
                            tender = .cash(tendered: cash)
                        }

                        // The expected outcome, in the documented order of checks: input, currency,
                        // state, then amount limits. No installment exceeds what is due, whatever the
                        // tender; the cash handed over must cover it, and the rest is change.
                        let applied = amount.minorUnits
                        let expected: Expected<(applied: Int64, change: Int64)> =
                            if !amount.isPositive { .reject(.invalidAmount) }
                            else if amount.currency != currency { .reject(.currencyMismatch) }
                            else if let tendered, tendered.currency != currency { .reject(.currencyMismatch) }
                            else if due == 0 { .reject(.orderAlreadyPaid) }
                            else if amount.minorUnits > due { .reject(.exceedsBalanceDue) }
                            else if let tendered {
                                tendered.minorUnits < applied ? .reject(.insufficientCash)
                                    : .accept((applied, tendered.minorUnits - applied))
                            }
                            else { .accept((amount.minorUnits, 0)) }
                        let expectedCode = expected.code
                        let shown = "\(tender.kind) \(amount.minorUnits) \(amount.currency) "
                            + "(tendered \(tendered.map { "\($0.minorUnits) \($0.currency)" } ?? "-")) with \(due) due"

                        let plan = order.plan(amount: amount, tender: tender)
                        trial.check(rejectionCode(plan) == expectedCode, "plan \(shown): \(describe(plan)), expected \(describe(expectedCode))")
                        if before.status == .paid {
                            trial.check(rejectionCode(plan) != nil, "a paid order accepted \(shown)")
                            if amount.isPositive && amount.currency == currency && (tendered.map { $0.currency == currency } ?? true) {
                                trial.check(rejectionCode(plan) == .orderAlreadyPaid, "a paid order answered \(describe(plan)) to \(shown)")
                            }
                        }

                        let result = order.recordingPayment(id: paymentId, amount: amount, tender: tender, at: start)
                        trial.check(rejectionCode(result) == expectedCode,
                                    "pay \(shown): \(describe(result)), expected \(describe(expectedCode))")
                        if case .success(let (next, payment)) = result, case .accept(let want) = expected {
                            trial.check(payment.amount.minorUnits == want.applied && payment.change.minorUnits == want.change,
                                        "pay \(shown) applied \(payment.amount.minorUnits) change \(payment.change.minorUnits), "
                                            + "expected \(want.applied) change \(want.change)")
                            trial.check(payment.id == paymentId && payment.tender == tender && next.payments.last == payment
                                            && next.payments.count == before.payments.count + 1,
                                        "the recorded payment is not the last one on the order")
                            if case .success(let planned) = plan {
                                trial.check(planned.applied == payment.amount && planned.change == payment.change,
                                            "plan and recordingPayment disagree for \(shown)")
                            }
                            paid += want.applied
                            if let tendered { cashTendered[paymentId] = tendered }
                            order = next
                        }
                    }
                    checkOrderInvariants(order, paid: paid, cashTendered, &trial)
                    if trial.failed { return }
                }
            }
        }
    }

    private func checkOrderInvariants(_ order: Order, paid: Int64, _ cashTendered: [String: Money], _ trial: inout Trial) {
        let total = Int128(order.total.minorUnits)
        let paidNow = Int128(order.paid.minorUnits)
        let due = Int128(order.balanceDue.minorUnits)
        trial.check(paidNow + due == total, "paid \(paidNow) + balance due \(due) != total \(total)")
        trial.check(due >= 0, "balance due \(due) is negative")
        trial.check(order.paid.minorUnits == paid, "paid \(paidNow), the installments applied \(paid)")
        trial.check(order.paid.currency == order.currency && order.refunded.currency == order.currency
                    && order.balanceDue.currency == order.currency, "order amounts changed currency")
        let applied = order.payments.reduce(Int128(0)) { $0 + Int128($1.amount.minorUnits) }
        trial.check(applied == paidNow, "the payments add up to \(applied), paid is \(paidNow)")
        let refunded = order.payments.reduce(Int128(0)) { $0 + Int128($1.refunded.minorUnits) }
        trial.check(refunded == Int128(order.refunded.minorUnits), "the payments' refunds add up to \(refunded), "
                        + "the order says \(order.refunded.minorUnits)")
        let expectedStatus: OrderStatus = due == 0 ? .paid : (paidNow == 0 ? .open : .partiallyPaid)
        trial.check(order.status == expectedStatus, "status \(order.status) with paid \(paidNow) of \(total)")
        for payment in order.payments {
            let amount = payment.amount.minorUnits, back = payment.refunded.minorUnits
            trial.check(amount > 0 && 0 <= back && back <= amount, "payment \(payment.id): refunded \(back) of \(amount)")
            trial.check(payment.refundable.minorUnits == amount - back, "payment \(payment.id): refundable is wrong")
            let refundSum = payment.refunds.reduce(Int128(0)) { $0 + Int128($1.amount.minorUnits) }
            trial.check(refundSum == Int128(back), "payment \(payment.id): refunds add up to \(refundSum), not \(back)")
            let state: OrderPaymentState = back == 0 ? .completed : (back == amount ? .refunded : .partiallyRefunded)
            trial.check(payment.state == state, "payment \(payment.id) is \(payment.state), expected \(state)")
            if case .cash(let tendered) = payment.tender {
                trial.check(cashTendered[payment.id] == tendered, "payment \(payment.id) lost its tendered cash")
                trial.check(payment.change.minorUnits >= 0
                                && Int128(payment.change.minorUnits) == Int128(tendered.minorUnits) - Int128(amount),
                            "cash change \(payment.change.minorUnits) != tendered \(tendered.minorUnits) - applied \(amount)")
            } else {
                trial.check(payment.change.isZero, "a \(payment.tender.kind) payment gives change")
            }
        }
    }

    private func randomCash(for amount: Money, currency: Currency, _ random: inout SeededGenerator) -> Money {
        let base = max(0, amount.minorUnits)
        let minor: Int64 = switch random.below(7) {
        case 0, 1: base
        case 2: Int64(clamping: Int128(base) + Int128(random.minorUnits(upTo: 100_000)))
        case 3: max(0, base - 1)
        case 4: .max
        case 5: random.signedMinorUnits()
        default: Int64(clamping: Int128(base) + Int128(random.minorUnits()))
        }
        let cashCurrency = random.oneIn(15) ? random.currency(otherThan: currency) : currency
        return Money(minorUnits: minor, currency: cashCurrency)
    }
}
