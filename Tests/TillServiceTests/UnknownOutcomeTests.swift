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

    /// At start, an installment whose authorization went through goes on to its capture (its
    /// amount is still reserved on the order) and is recorded (Resolution.swift, `resume`).
    @Test func aLostAuthorizationIsCapturedAndRecordedAtStartup() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let orderId = try ok(await harness.service.createOrder(email: "ida@example.com", amount: "50.00")).response.id
        let lostCard = Cards.card(GoblinPay.TestCard.lostResponse)
        #expect(code(await harness.service.pay(orderId: orderId, amount: "15.00", tender: lostCard, key: "k1")) == .paymentPending)
        #expect(try await harness.entries(.capture).isEmpty)

        // `open` resolves at start.
        let fresh = try await TillService.open(
            path: harness.databasePath, secretsDirectory: harness.directory.secrets, processor: harness.goblin, clock: harness.clock.function)
        #expect(try await harness.requestState(key: "k1") == "completed")
        let order = try ok(await fresh.order(id: orderId))
        #expect(order.paid == 1500)
        #expect(order.payments.map(\.card?.last4) == ["4046"])
        let authorization = try #require(try await harness.entries(.authorize).first)
        let summary = try #require(try await harness.goblin.ledger.summary(reference: authorization.reference))
        #expect(summary.captured == Money(minorUnits: 1500, currency: .usd))
        #expect(!summary.isVoided)
        #expect(try await harness.goblin.ledger.entries().count == 2)
        try await harness.expectEveryKeyAppliedOnce()
        // The client's retry replays what was recorded; nothing is charged again.
        let retried = try ok(await fresh.pay(orderId: orderId, amount: "15.00", tender: lostCard, key: "k1"))
        #expect(retried.replayed)
        #expect(retried.response.order.paid == 1500)
        #expect(try await harness.goblin.ledger.entries().count == 2)
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 0, released: 0, open: 0))
    }

    /// At start, an installment authorized whose capture then fails is released: voided at
    /// GoblinPay, nothing on the order, the key free.
    @Test func aLostAuthorizationWhoseCaptureFailsIsReleasedAtStartup() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let orderId = try ok(await harness.service.createOrder(email: "ida@example.com", amount: "50.00")).response.id
        let lostCard = Cards.card(GoblinPay.TestCard.lostResponse)
        #expect(code(await harness.service.pay(orderId: orderId, amount: "15.00", tender: lostCard, key: "k1")) == .paymentPending)

        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 0, released: 1, open: 0))
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
        #expect(retried.response.order.status == .paid)
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

        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 0, released: 1, open: 0))
        #expect(code(await fresh.order(id: orderId)) == .notFound)
        #expect(try ok(await fresh.orders(email: "kim@example.com")).orders.isEmpty)
        #expect(try await harness.count("SELECT COUNT(*) FROM orders") == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events") == 0)
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
        // $6.00 may have been captured: only $4.00 is left to capture meanwhile (the payment
        // alone would take $5.00, so the answer says it is pending, not that it exceeds).
        #expect(code(await service.capture(paymentId: payment.id, amount: "5.00", key: "cap-2")) == .paymentPending)
        #expect(code(await service.capture(paymentId: payment.id, amount: "10.01", key: "cap-2")) == .exceedsAuthorized)
        // A void does not commute with a capture whose outcome is unknown: refused until it resolves.
        #expect(code(await service.void(paymentId: payment.id, key: "void")) == .paymentPending)
        let resolved = try ok(await service.capture(paymentId: payment.id, amount: "6.00", key: "cap-1"))
        #expect(resolved.replayed)
        #expect(resolved.response.captured == 600)
        _ = try ok(await service.capture(paymentId: payment.id, amount: "4.00", key: "cap-2"))
        #expect(try ok(await service.payment(id: payment.id)).captured == 1000)
        #expect(try await harness.entries(.capture).map(\.amount.minorUnits).sorted() == [400, 600])
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func aLostOrderRefundIsReservedUntilResolved() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let sale = try ok(await service.createAndPay(email: "lea@example.com", amount: "40.00", tender: Cards.card(), key: "sale")).response
        harness.goblin.inject(.errorAfterApplying, on: .refund)
        let lost = await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "30.00", key: "r1")
        #expect(code(lost) == .paymentPending)
        #expect(try ok(await service.order(id: sale.order.id)).refunded == 0)
        // $30.00 may have gone back: only $10.00 is left to refund meanwhile.
        #expect(code(await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "10.01", key: "r2")) == .paymentPending)
        #expect(code(await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "40.01", key: "r2")) == .exceedsPaid)

        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 1, released: 0, open: 0))
        let order = try ok(await fresh.order(id: sale.order.id))
        #expect(order.refunded == 3000)
        #expect(order.payments.first?.state == .partiallyRefunded)
        #expect(try await harness.entries(.refund).map(\.amount.minorUnits) == [3000])
        let replay = try ok(await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "30.00", key: "r1"))
        #expect(replay.replayed)
        #expect(replay.response.order.refunded == 3000)
        #expect(try await harness.entries(.refund).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// The capture failed and the void releasing the hold lost its answer: still pending, and
    /// resolution finds the void applied and frees the key (nothing is charged).
    @Test func aLostReleaseIsResolvedAtStartup() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let orderId = try ok(await harness.service.createOrder(email: "nia@example.com", amount: "50.00")).response.id
        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        harness.goblin.inject(.errorAfterApplying, on: .void)
        #expect(code(await harness.service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .paymentPending)
        #expect(try await harness.entries(.void).count == 1)

        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 0, released: 1, open: 0))
        #expect(try await harness.requestState(key: "k1") == nil)
        #expect(try ok(await fresh.order(id: orderId)).payments.isEmpty)
        #expect(try await harness.entries(.void).count == 1)
        #expect(try await harness.entries(.capture).isEmpty)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// Same, but the client retries: the old hold is found released and the installment runs
    /// afresh, once.
    @Test func aLostReleaseRetriedByTheClientRunsAfresh() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "oz@example.com", amount: "50.00")).response.id
        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        harness.goblin.inject(.errorAfterApplying, on: .void)
        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .paymentPending)

        let paid = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1"))
        #expect(paid.response.order.paid == 1000)
        let order = try ok(await service.order(id: orderId))
        #expect(order.payments.count == 1)
        #expect(try await harness.entries(.authorize).count == 2)
        #expect(try await harness.entries(.void).count == 1)
        #expect(try await harness.entries(.capture).map(\.amount.minorUnits) == [1000])
        try await harness.expectEveryKeyAppliedOnce()
        let replay = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1"))
        #expect(replay.replayed)
        #expect(replay.response == paid.response)
    }

    @Test func aLostGatewayAuthorizationIsRecordedAtStartup() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let lost = await harness.service.authorize(
            number: GoblinPay.TestCard.lostResponse, expiry: Cards.expiry, cvv: Cards.cvv, amount: "8.00", currency: "GBP", key: "a1")
        #expect(code(lost) == .paymentPending)
        #expect(try await harness.count("SELECT COUNT(*) FROM payments") == 0)

        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 1, released: 0, open: 0))
        let replay = try ok(await fresh.authorize(
            number: GoblinPay.TestCard.lostResponse, expiry: Cards.expiry, cvv: Cards.cvv, amount: "8.00", currency: "GBP", key: "a1"))
        #expect(replay.replayed)
        let payment = try ok(await fresh.payment(id: replay.response.id))
        #expect(payment.status == .authorized)
        #expect(payment.authorized == 800)
        #expect(payment.currency == "GBP")
        #expect(payment.card.last4 == "4046")
        #expect(try await harness.entries(.authorize).count == 1)
        _ = try ok(await fresh.capture(paymentId: payment.id, amount: "8.00", key: "c1"))
        #expect(try await harness.entries(.capture).map(\.amount) == [Money(minorUnits: 800, currency: .gbp)])
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
