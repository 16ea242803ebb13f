import Foundation
import Testing
import TillCore
import TillProcessor
import TillService
import TillStore

/// GoblinPay's answer lost, or refused: a lost answer is `payment_pending` and resolved with
/// GoblinPay (never charged twice); a refusal records nothing and frees the key.
@Suite("Unknown outcomes")
struct UnknownOutcomeTests {
    @Test func aLostCaptureIsResolvedByRetryingTheSameKey() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "fay@example.com", amount: "50.00")).response.id
        harness.goblin.inject(.errorAfterApplying, on: .capture)

        let lost = await service.pay(orderId: orderId, amount: "20.00", tender: Cards.card(), key: "k1")
        #expect(code(lost) == .paymentPending)
        let before = try ok(await service.order(id: orderId))
        #expect(before.payments.isEmpty)
        #expect(before.paid == 0)
        #expect(try await harness.requestState(key: "k1") == "outcome_unknown")
        // GoblinPay did capture it.
        #expect(try await harness.entries(.capture).map(\.amount.minorUnits) == [2000])

        let retried = try ok(await service.pay(orderId: orderId, amount: "20.00", tender: Cards.card(), key: "k1"))
        #expect(retried.replayed)
        #expect(retried.response.payment.amount == 2000)
        #expect(retried.response.order.paid == 2000)
        let after = try ok(await service.order(id: orderId))
        #expect(after.payments.count == 1)
        #expect(after.paid == 2000)
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.capture).count == 1)
        #expect(try await harness.entries(.void).isEmpty)
        try await harness.expectEveryKeyAppliedOnce()
        #expect(try await harness.requestState(key: "k1") == "completed")

        let again = try ok(await service.pay(orderId: orderId, amount: "20.00", tender: Cards.card(), key: "k1"))
        #expect(again.replayed)
        #expect(again.response == retried.response)
        #expect(try await harness.entries(.capture).count == 1)
    }

    @Test func aLostCaptureIsRecordedByAFreshServiceAtStartup() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let orderId = try ok(await harness.service.createOrder(email: "gus@example.com", amount: "50.00")).response.id
        harness.goblin.inject(.errorAfterApplying, on: .capture)
        #expect(code(await harness.service.pay(orderId: orderId, amount: "20.00", tender: Cards.card(), key: "k1")) == .paymentPending)

        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 1, released: 0, open: 0))
        for service in [fresh, harness.service] {
            let order = try ok(await service.order(id: orderId))
            #expect(order.paid == 2000)
            #expect(order.payments.map(\.amount) == [2000])
        }
        #expect(try await harness.entries(.capture).count == 1)
        #expect(try await harness.entries(.void).isEmpty)
        try await harness.expectEveryKeyAppliedOnce()
        // The client's retry is now a replay of what was recorded.
        let retried = try ok(await harness.service.pay(orderId: orderId, amount: "20.00", tender: Cards.card(), key: "k1"))
        #expect(retried.replayed)
        #expect(retried.response.order.payments.count == 1)
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 0, released: 0, open: 0))
    }

    @Test func aLostAuthorizationIsCapturedWhenTheClientRetries() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "hal@example.com", amount: "50.00")).response.id
        let lostCard = Cards.card(GoblinPay.TestCard.lostResponse)

        #expect(code(await service.pay(orderId: orderId, amount: "15.00", tender: lostCard, key: "k1")) == .paymentPending)
        #expect(try ok(await service.order(id: orderId)).payments.isEmpty)
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.capture).isEmpty)

        let retried = try ok(await service.pay(orderId: orderId, amount: "15.00", tender: lostCard, key: "k1"))
        #expect(retried.replayed)
        #expect(try ok(await service.order(id: orderId)).paid == 1500)
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.capture).map(\.amount.minorUnits) == [1500])
        #expect(try await harness.entries(.void).isEmpty)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// The customer is gone: an installment authorized but never captured is voided at start.
    @Test func aLostAuthorizationIsReleasedAtStartup() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let orderId = try ok(await harness.service.createOrder(email: "ida@example.com", amount: "50.00")).response.id
        let lostCard = Cards.card(GoblinPay.TestCard.lostResponse)
        #expect(code(await harness.service.pay(orderId: orderId, amount: "15.00", tender: lostCard, key: "k1")) == .paymentPending)

        // `open` resolves at start.
        let fresh = try await TillService.open(path: harness.databasePath, processor: harness.goblin, clock: harness.clock.function)
        #expect(try await harness.requestState(key: "k1") == nil)
        let authorization = try #require(try await harness.entries(.authorize).first)
        let summary = try #require(try await harness.goblin.ledger.summary(reference: authorization.reference))
        #expect(summary.isVoided)
        #expect(summary.captured.isZero)
        #expect(try await harness.entries(.capture).isEmpty)
        let order = try ok(await fresh.order(id: orderId))
        #expect(order.payments.isEmpty)
        #expect(order.paid == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM payments") == 0)
        // The key is free again: the same key runs afresh (with another card here).
        let paid = try ok(await fresh.pay(orderId: orderId, amount: "15.00", tender: Cards.card(), key: "k1"))
        #expect(!paid.replayed)
        #expect(try ok(await fresh.order(id: orderId)).paid == 1500)
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 0, released: 0, open: 0))
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func aLostCreateAndPayLeavesNoVisibleOrderUntilResolved() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        harness.goblin.inject(.errorAfterApplying, on: .capture)

        let lost = await service.createAndPay(email: "Jo@Example.com", amount: "30.00", tender: Cards.card(), key: "cp")
        #expect(code(lost) == .paymentPending)
        let orderId = try #require(try await harness.requestTarget(key: "cp"))
        #expect(code(await service.order(id: orderId)) == .notFound)
        #expect(try ok(await service.orders(email: "jo@example.com")).orders.isEmpty)
        #expect(try await harness.count("SELECT COUNT(*) FROM orders") == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events") == 0)

        let retried = try ok(await service.createAndPay(email: "jo@example.com", amount: "30.00", tender: Cards.card(), key: "cp"))
        #expect(retried.replayed)
        #expect(retried.response.order.id == orderId)
        #expect(retried.response.order.status == "paid")
        #expect(try ok(await service.order(id: orderId)).paid == 3000)
        #expect(try ok(await service.orders(email: "JO@example.com")).orders.map(\.id) == [orderId])
        #expect(try await harness.entries(.capture).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func aCreateAndPayReleasedAtStartupNeverShowsAnOrder() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let lost = await harness.service.createAndPay(
            email: "kim@example.com", amount: "30.00", tender: Cards.card(GoblinPay.TestCard.lostResponse), key: "cp")
        #expect(code(lost) == .paymentPending)
        let orderId = try #require(try await harness.requestTarget(key: "cp"))

        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 0, released: 1, open: 0))
        #expect(code(await fresh.order(id: orderId)) == .notFound)
        #expect(try ok(await fresh.orders(email: "kim@example.com")).orders.isEmpty)
        #expect(try await harness.count("SELECT COUNT(*) FROM orders") == 0)
        #expect(try await harness.entries(.void).count == 1)
        #expect(try await harness.entries(.capture).isEmpty)
    }

    @Test func aLostGatewayCaptureCountsAgainstTheAuthorizationUntilResolved() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let payment = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD", key: "auth")).response
        harness.goblin.inject(.errorAfterApplying, on: .capture)
        #expect(code(await service.capture(paymentId: payment.id, amount: "6.00", key: "cap-1")) == .paymentPending)
        #expect(try ok(await service.payment(id: payment.id)).captured == 0)
        // $6.00 may have been captured: only $4.00 is left to capture meanwhile.
        #expect(code(await service.capture(paymentId: payment.id, amount: "5.00", key: "cap-2")) == .exceedsAuthorized)
        #expect(code(await service.void(paymentId: payment.id, key: "void")) == .voidAfterCapture)
        let resolved = try ok(await service.capture(paymentId: payment.id, amount: "6.00", key: "cap-1"))
        #expect(resolved.replayed)
        #expect(resolved.response.captured == 600)
        _ = try ok(await service.capture(paymentId: payment.id, amount: "4.00", key: "cap-2"))
        #expect(try ok(await service.payment(id: payment.id)).captured == 1000)
        #expect(try await harness.entries(.capture).map(\.amount.minorUnits).sorted() == [400, 600])
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func anErrorBeforeApplyingAtAuthorizeFreesTheKey() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "lu@example.com", amount: "50.00")).response.id
        harness.goblin.inject(.errorBeforeApplying, on: .authorize)

        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .processorError)
        #expect(try await harness.requestState(key: "k1") == nil)
        #expect(try await harness.goblin.ledger.entries().isEmpty)
        #expect(try ok(await service.order(id: orderId)).payments.isEmpty)

        let paid = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1"))
        #expect(!paid.replayed)
        #expect(try ok(await service.order(id: orderId)).paid == 1000)
        #expect(try await harness.entries(.capture).count == 1)
    }

    @Test func anErrorBeforeApplyingAtCaptureVoidsTheHoldAndFreesTheKey() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "max@example.com", amount: "50.00")).response.id
        harness.goblin.inject(.errorBeforeApplying, on: .capture)

        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .processorError)
        #expect(try await harness.requestState(key: "k1") == nil)
        #expect(try ok(await service.order(id: orderId)).payments.isEmpty)
        let released = try #require(try await harness.entries(.authorize).first)
        #expect(try await harness.goblin.ledger.summary(reference: released.reference)?.isVoided == true)
        #expect(try await harness.entries(.capture).isEmpty)

        let paid = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1"))
        #expect(!paid.replayed)
        let order = try ok(await service.order(id: orderId))
        #expect(order.payments.count == 1)
        #expect(order.paid == 1000)
        #expect(try await harness.entries(.capture).count == 1)
        #expect(try await harness.entries(.authorize).count == 2)
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func aDeclineAtAuthorizeRecordsNothingAndFreesTheKey() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "ned@example.com", amount: "50.00")).response.id

        let declined = await service.pay(
            orderId: orderId, amount: "10.00", tender: Cards.card(GoblinPay.TestCard.declined), key: "k1")
        #expect(code(declined) == .processorDeclined)
        #expect(try await harness.requestState(key: "k1") == nil)
        #expect(try await harness.count("SELECT COUNT(*) FROM payments") == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_payments") == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events WHERE kind = 'paid'") == 0)
        #expect(try await harness.goblin.ledger.entries().isEmpty)

        let paid = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1"))
        #expect(!paid.replayed)
        #expect(try ok(await service.order(id: orderId)).paid == 1000)

        // A declined create-and-pay leaves no order at all.
        let declinedNew = await service.createAndPay(
            email: "ned@example.com", amount: "20.00", tender: Cards.card(GoblinPay.TestCard.insufficientFunds), key: "k2")
        #expect(code(declinedNew) == .processorDeclined)
        #expect(try ok(await service.orders(email: "ned@example.com")).orders.map(\.id) == [orderId])
    }
}
