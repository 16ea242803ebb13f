import Foundation
import Testing
import TillCore
import TillProcessor
import TillService
import TillStore

/// Many tasks (and two pools, as two processes) at once on one ledger: nothing is paid,
/// captured or debited past its limit, nothing is executed twice, no update is lost.
@Suite("Concurrency")
struct ConcurrencyTests {
    typealias PayResult = Result<Keyed<OrderPaymentResult>, Rejection>

    @Test func fiftyConcurrentInstallmentsNeverPayMoreThanTheTotal() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "ann@example.com", amount: "50.00")).response.id
        // $1.00 … $5.00, cash and card alternating, one key each: $150 offered on a $50 order.
        let results = await withTaskGroup(of: (Int, PayResult).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let amount = "\(1 + index % 5).00"
                    let tender: TenderInput = index.isMultiple(of: 2) ? Cards.card() : .cash(tendered: amount)
                    return (index, await service.pay(orderId: orderId, amount: amount, tender: tender, key: "pay-\(index)"))
                }
            }
            var results: [Int: PayResult] = [:]
            for await (index, result) in group { results[index] = result }
            return results
        }
        let order = try ok(await service.order(id: orderId))
        let successes = results.values.compactMap { try? $0.get() }
        let refusals = results.values.compactMap { code($0) }
        #expect(successes.count + refusals.count == 50)
        // payment_pending: the rest of the balance is taken by a card installment still in flight.
        #expect(Set(refusals).isSubset(of: [.exceedsBalanceDue, .orderAlreadyPaid, .paymentPending]), "refusals: \(refusals)")
        // What was answered is what was recorded, and never more than the total.
        #expect(order.paid <= 5000)
        #expect(order.paid == successes.map(\.response.payment.amount).reduce(0, +))
        #expect(order.balanceDue == 5000 - order.paid)
        #expect(order.payments.count == successes.count)
        #expect(Set(order.payments.map(\.id)) == Set(successes.map(\.response.payment.id)))
        #expect(successes.allSatisfy { !$0.replayed })
        // Each success saw the order after all earlier ones: no two answered the same "paid".
        let paidAfter = successes.map(\.response.order.paid).sorted()
        #expect(Set(paidAfter).count == paidAfter.count)
        #expect(paidAfter.last == order.paid)
        if refusals.contains(.orderAlreadyPaid) { #expect(order.status == .paid) }
        // GoblinPay captured exactly the card installments the order recorded, each once.
        let cardPayments = order.payments.filter { $0.tender == .card }
        let captures = try await harness.entries(.capture)
        #expect(captures.count == cardPayments.count)
        #expect(captures.map(\.amount.minorUnits).reduce(0, +) == cardPayments.map(\.amount).reduce(0, +))
        #expect(try await harness.entries(.authorize).count == captures.count + harness.entries(.void).count)
        try await harness.expectEveryKeyAppliedOnce()
        #expect(try await harness.count("SELECT COUNT(*) FROM idempotency WHERE state != 'completed'") == 0)
        // Finish it off; afterwards every tender is refused.
        if order.balanceDue > 0 {
            let due = String(format: "%lld.%02lld", order.balanceDue / 100, order.balanceDue % 100)
            _ = try ok(await service.pay(orderId: orderId, amount: due, tender: .cash(tendered: due), key: "last"))
        }
        #expect(code(await service.pay(orderId: orderId, amount: "1.00", tender: Cards.card(), key: "after-card")) == .orderAlreadyPaid)
        #expect(code(await service.pay(orderId: orderId, amount: "1.00", tender: .cash(tendered: "1.00"), key: "after-cash")) == .orderAlreadyPaid)
        #expect(try ok(await service.order(id: orderId)).paid == 5000)
    }

    @Test func fiftyReplaysOfOneCardInstallmentExecuteOnce() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "bo@example.com", amount: "50.00")).response.id
        let results = await withTaskGroup(of: PayResult.self) { group in
            for _ in 0..<50 {
                group.addTask { await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "one-key") }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let successes = results.compactMap { try? $0.get() }
        let executed = successes.filter { !$0.replayed }
        #expect(executed.count == 1)
        let first = try #require(executed.first)
        #expect(successes.allSatisfy { $0.response == first.response && $0.key == "one-key" })
        #expect(results.compactMap { code($0) }.allSatisfy { $0 == .requestInProgress })
        let order = try ok(await service.order(id: orderId))
        #expect(order.payments.count == 1)
        #expect(order.paid == 1000)
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.capture).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
        // Once done, every retry is a replay of the same answer.
        let again = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "one-key"))
        #expect(again.replayed)
        #expect(again.response == first.response)
    }

    @Test func twentyConcurrentCapturesTakeExactlyTheAuthorizedAmount() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let payment = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD", key: "auth")).response
        let results = await withTaskGroup(of: Result<Keyed<PaymentView>, Rejection>.self) { group in
            for index in 0..<20 {
                group.addTask { await service.capture(paymentId: payment.id, amount: "1.00", key: "cap-\(index)") }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { (try? $0.get()) != nil }.count == 10)
        // Refused for want of room: payment_pending while other captures were still in flight.
        #expect(results.compactMap { code($0) }.count == 10)
        #expect(Set(results.compactMap { code($0) }).isSubset(of: [.exceedsAuthorized, .paymentPending]))
        let after = try ok(await service.payment(id: payment.id))
        #expect(after.captured == 1000)
        #expect(after.status == .captured)
        #expect(after.events.filter { $0.kind == .captured }.count == 10)
        let reference = try #require(try await harness.entries(.authorize).first?.reference)
        let summary = try #require(try await harness.goblin.ledger.summary(reference: reference))
        #expect(summary.captured == Money(minorUnits: 1000, currency: .usd))
        #expect(try await harness.entries(.capture).count == 10)
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func aHundredConcurrentDebitsNeverOverdraw() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "Gift", balance: "50.00"))
        let results = await withTaskGroup(of: Result<Keyed<WalletView>, Rejection>.self) { group in
            for index in 0..<100 {
                group.addTask { await service.debit(name: "gift", amount: "1.00", key: "debit-\(index)") }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let balances = results.compactMap { try? $0.get().response.balance }
        #expect(balances.count == 50)
        // Each debit answered a different balance after it: 49.00 down to 0.00.
        #expect(Set(balances) == Set(stride(from: Int64(0), to: 5000, by: 100)))
        #expect(results.compactMap { code($0) } == Array(repeating: .insufficientFunds, count: 50))
        #expect(try ok(await service.wallet(name: "Gift")).balance == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM wallet_events WHERE kind = 'debited'") == 50)
        #expect(try await harness.count("SELECT MIN(balance_after) FROM wallet_events") == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM idempotency") == 50)
    }

    /// Two pools on one file, each with its own GoblinPay on one shared GoblinPay ledger file:
    /// two processes, as far as SQLite and GoblinPay can tell.
    @Test func twoServicesOnOneFileLoseNoUpdates() async throws {
        let harness = try Harness(goblinOnFile: true)
        defer { harness.remove() }
        let first = harness.service
        let secondGoblin = try GoblinPay(ledgerPath: harness.directory.path("goblinpay.sqlite"), configuration: Harness.noChance)
        let second = try harness.anotherService(processor: secondGoblin)
        _ = try ok(await first.openWallet(name: "house"))
        let cashOrder = try ok(await first.createOrder(email: "cy@example.com", amount: "40.00")).response.id
        let cardOrder = try ok(await second.createOrder(email: "cy@example.com", amount: "20.00")).response.id

        await withTaskGroup(of: Void.self) { group in
            for (name, service) in [("a", first), ("b", second)] {
                for index in 0..<50 {
                    group.addTask { _ = await service.credit(name: "house", amount: "1.00", key: "credit-\(name)-\(index)") }
                }
                for index in 0..<25 {
                    group.addTask {
                        _ = await service.pay(orderId: cashOrder, amount: "1.00", tender: .cash(tendered: "1.00"), key: "cash-\(name)-\(index)")
                    }
                }
                for index in 0..<15 {
                    group.addTask {
                        _ = await service.pay(orderId: cardOrder, amount: "1.00", tender: Cards.card(), key: "card-\(name)-\(index)")
                    }
                }
            }
        }
        for service in [first, second] {
            #expect(try ok(await service.wallet(name: "house")).balance == 10_000)
            let cash = try ok(await service.order(id: cashOrder))
            #expect(cash.paid == 4000)
            #expect(cash.payments.count == 40)
            let card = try ok(await service.order(id: cardOrder))
            #expect(card.paid == 2000)
            #expect(card.payments.count == 20)
        }
        #expect(try await harness.count("SELECT COUNT(*) FROM wallet_events WHERE kind = 'credited'") == 100)
        #expect(try await harness.count("SELECT COUNT(DISTINCT position) FROM order_payments WHERE order_id = ?", [cashOrder]) == 40)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events WHERE kind = 'paid'") == 60)
        #expect(try await harness.entries(.capture).count == 20)
        #expect(try await harness.entries(.authorize).count == 20)
        try await harness.expectEveryKeyAppliedOnce()
        #expect(try harness.database.integrityCheck() == "ok")
    }

    /// A cash installment taken while a card installment on the same order is at GoblinPay
    /// must leave room for it: the card was charged, so it must be recorded.
    @Test func cashTakenWhileACardInstallmentIsInFlightLeavesRoomForIt() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "di@example.com", amount: "50.00")).response.id
        harness.goblin.inject(.latency(.milliseconds(500)), on: .capture)
        let card = Task { await service.pay(orderId: orderId, amount: "30.00", tender: Cards.card(), key: "card") }
        try await harness.waitUntilInFlight(key: "card")
        let cash = await service.pay(orderId: orderId, amount: "30.00", tender: .cash(tendered: "30.00"), key: "cash")
        let cardResult = await card.value
        #expect(code(cardResult) == nil, "the card was captured at GoblinPay: \(cardResult)")
        let order = try ok(await service.order(id: orderId))
        #expect(order.paid <= 5000)
        let cardPaid = order.payments.filter { $0.tender == .card }.map(\.amount).reduce(0, +)
        #expect(cardPaid == 3000, "GoblinPay captured $30.00 that the order does not show")
        #expect(try await harness.entries(.capture).map(\.amount.minorUnits).reduce(0, +) == cardPaid)
        if case .success(let taken) = cash { #expect(taken.response.payment.amount <= 2000) }
        #expect(try await harness.count("SELECT COUNT(*) FROM idempotency WHERE state != 'completed'") == 0)
    }

    /// A refund to store credit taken while the card refund of the same installment is at
    /// GoblinPay must not give the same money back twice.
    @Test func walletRefundWhileACardRefundIsInFlightCannotRefundTwice() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "credit", customer: "ed@example.com"))
        let paid = try ok(await service.createAndPay(email: "ed@example.com", amount: "50.00", tender: Cards.card(), key: "buy"))
        let orderId = paid.response.order.id, installment = paid.response.payment.id
        // Long enough that a poll sees it in flight even on a loaded machine (CI, fuzzers).
        harness.goblin.inject(.latency(.seconds(3)), on: .refund)
        let card = Task { await service.refund(orderId: orderId, paymentId: installment, amount: "50.00", key: "refund-card") }
        try await harness.waitUntilInFlight(key: "refund-card")
        let toWallet = await service.refund(
            orderId: orderId, paymentId: installment, amount: "50.00", key: "refund-wallet", toWallet: "credit")
        let cardResult = await card.value
        // payment_pending while the card refund is in flight (exceeds_paid had it landed first).
        #expect([.paymentPending, .exceedsPaid].contains(code(toWallet)))
        #expect(code(cardResult) == nil, "GoblinPay refunded the card: \(cardResult)")
        let walletBalance = try ok(await service.wallet(name: "credit")).balance
        let cardRefunded = try await harness.entries(.refund).map(\.amount.minorUnits).reduce(0, +)
        #expect(walletBalance + cardRefunded <= 5000, "refunded \(cardRefunded) to the card and \(walletBalance) to the wallet")
        #expect(try ok(await service.order(id: orderId)).refunded == 5000)
    }
}
