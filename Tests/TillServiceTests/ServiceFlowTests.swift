import Foundation
import Testing
import TillCore
import TillProcessor
import TillService
import TillStore

/// End-to-end flows through the service: store credit in and out, refunds the processor
/// refuses, and gateway commands on payments that belong to orders.
@Suite("Service flows")
struct ServiceFlowTests {
    @Test func aRefundToAWalletCreditsTheWallet() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "Store Credit", customer: "olga@example.com"))
        let sale = try ok(await service.createAndPay(
            email: "olga@example.com", amount: "40.00", tender: .cash(tendered: "50.00"), key: "sale")).response
        #expect(sale.payment.amount == 4000)
        #expect(sale.payment.change == 1000)
        #expect(sale.order.status == .paid)

        let refund = try ok(await service.refund(
            orderId: sale.order.id, paymentId: sale.payment.id, amount: "15.00", key: "back", toWallet: "store credit"))
        #expect(!refund.replayed)
        #expect(refund.response.refund.amount == 1500)
        #expect(refund.response.refund.toWallet == "store credit")
        #expect(refund.response.order.refunded == 1500)
        #expect(refund.response.order.balanceDue == 0)
        #expect(try ok(await service.wallet(name: "Store Credit")).balance == 1500)
        let history = try ok(await service.walletHistory(name: "store credit"))
        #expect(history.first?.kind == "credited")
        #expect(history.first?.reference == refund.response.refund.id)

        // Replayed: the same answer, credited once.
        let replay = try ok(await service.refund(
            orderId: sale.order.id, paymentId: sale.payment.id, amount: "15.00", key: "back", toWallet: "store credit"))
        #expect(replay.replayed)
        #expect(replay.response == refund.response)
        #expect(try ok(await service.wallet(name: "Store Credit")).balance == 1500)
        // No more than what is left of the installment, and an unknown wallet changes nothing.
        #expect(code(await service.refund(
            orderId: sale.order.id, paymentId: sale.payment.id, amount: "25.01", key: "too-much", toWallet: "store credit")) == .exceedsPaid)
        #expect(code(await service.refund(
            orderId: sale.order.id, paymentId: sale.payment.id, amount: "1.00", key: "nowhere", toWallet: "nobody")) == .notFound)
        #expect(try ok(await service.order(id: sale.order.id)).refunded == 1500)
        #expect(try ok(await service.wallet(name: "Store Credit")).balance == 1500)
    }

    /// Issue 11: store credit goes to a wallet of the order's customer only. Another
    /// customer's overdrawn house account, or a wallet of nobody's, is refused with
    /// wallet_not_customers and nothing changes (the key stays free).
    @Test func aRefundToStoreCreditGoesOnlyToTheCustomersOwnWallet() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "house-zoe", overdraft: "100.00", customer: "zoe@example.com"))
        _ = try ok(await service.debit(name: "house-zoe", amount: "80.00", key: "zoe"))
        _ = try ok(await service.openWallet(name: "nobodys"))
        _ = try ok(await service.openWallet(name: "olga-credit", customer: "OLGA@example.com"))
        let sale = try ok(await service.createAndPay(
            email: "olga@example.com", amount: "40.00", tender: .cash(tendered: "40.00"), key: "sale")).response
        for wallet in ["house-zoe", "nobodys"] {
            #expect(code(await service.refund(
                orderId: sale.order.id, paymentId: sale.payment.id, amount: "15.00", key: "back", toWallet: wallet))?.rawValue == "wallet_not_customers")
        }
        #expect(try ok(await service.wallet(name: "house-zoe")).balance == -8000)
        #expect(try ok(await service.order(id: sale.order.id)).refunded == 0)
        let refund = try ok(await service.refund(
            orderId: sale.order.id, paymentId: sale.payment.id, amount: "15.00", key: "back", toWallet: "olga-credit"))
        #expect(refund.response.refund.toWallet == "olga-credit")
        #expect(try ok(await service.wallet(name: "olga-credit")).balance == 1500)
    }

    @Test func aCardInstallmentRefundedToAWalletNeverReachesGoblinPay() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "credit", customer: "pia@example.com"))
        let sale = try ok(await service.createAndPay(email: "pia@example.com", amount: "25.00", tender: Cards.card(), key: "sale")).response
        let refund = try ok(await service.refund(
            orderId: sale.order.id, paymentId: sale.payment.id, amount: "25.00", key: "back", toWallet: "credit")).response
        #expect(refund.order.refunded == 2500)
        #expect(refund.order.payments.first?.state == .refunded)
        #expect(try ok(await service.wallet(name: "credit")).balance == 2500)
        #expect(try await harness.entries(.refund).isEmpty)
        // Nothing is left of it to refund to the card.
        #expect(code(await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "1.00", key: "card")) == .exceedsPaid)
        #expect(try await harness.entries(.refund).isEmpty)
    }

    @Test func storeCreditPaysAndARefundPutsItBack() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "Gift", balance: "30.00"))
        let orderId = try ok(await service.createOrder(email: "quinn@example.com", amount: "50.00")).response.id

        let paid = try ok(await service.pay(orderId: orderId, amount: "20.00", tender: .wallet(name: "GIFT"), key: "w1")).response
        #expect(paid.payment.tender == .storeCredit)
        #expect(paid.payment.wallet == "Gift")
        #expect(paid.order.paid == 2000)
        #expect(try ok(await service.wallet(name: "gift")).balance == 1000)

        // More than the wallet holds: refused, nothing moves.
        #expect(code(await service.pay(orderId: orderId, amount: "20.00", tender: .wallet(name: "gift"), key: "w2")) == .insufficientFunds)
        #expect(try ok(await service.wallet(name: "gift")).balance == 1000)
        #expect(try ok(await service.order(id: orderId)).paid == 2000)
        #expect(try await harness.requestState(key: "w2") == nil)

        let refund = try ok(await service.refund(orderId: orderId, paymentId: paid.payment.id, amount: "20.00", key: "r1")).response
        #expect(refund.order.refunded == 2000)
        #expect(refund.order.paid == 2000)
        #expect(refund.order.balanceDue == 3000)
        #expect(try ok(await service.wallet(name: "gift")).balance == 3000)
        let kinds = try ok(await service.walletHistory(name: "gift")).map(\.kind)
        #expect(kinds == ["credited", "debited", "opened"])
    }

    @Test func anOrderCardRefundGoblinPayFailsLeavesTheOrderUnchanged() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let sale = try ok(await service.createAndPay(
            email: "rae@example.com", amount: "25.00", tender: Cards.card(GoblinPay.TestCard.refundFails), key: "sale")).response
        let before = try ok(await service.order(id: sale.order.id))
        let gatewayId = try #require(sale.payment.paymentId)

        let failed = await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "10.00", key: "r1")
        #expect(code(failed) == .processorError)
        #expect(try ok(await service.order(id: sale.order.id)) == before)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_refunds") == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events WHERE kind = 'refunded'") == 0)
        #expect(try await harness.requestState(key: "r1") == nil)
        let gateway = try ok(await service.payment(id: gatewayId))
        #expect(gateway.refunded == 0)
        #expect(gateway.events.map(\.kind) == [.authorized, .captured, .refundFailed])
        #expect(try await harness.entries(.refund).isEmpty)
        // The key is free: the retry runs again (and fails again), still nothing refunded.
        #expect(code(await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "10.00", key: "r1")) == .processorError)
        #expect(try ok(await service.order(id: sale.order.id)).refunded == 0)
    }

    @Test func gatewayCommandsRefuseAPaymentThatBelongsToAnOrder() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "sam@example.com", amount: "50.00")).response.id
        let installment = try ok(await service.pay(orderId: orderId, amount: "20.00", tender: Cards.card(), key: "p1")).response
        let gatewayId = try #require(installment.payment.paymentId)
        let gateway = try ok(await service.payment(id: gatewayId))
        #expect(gateway.orderPaymentId == installment.payment.id)
        #expect(gateway.captured == 2000)
        let entriesBefore = try await harness.goblin.ledger.entries().count

        #expect(code(await service.capture(paymentId: gatewayId, amount: "1.00", key: "c")) == .paymentBelongsToOrder)
        #expect(code(await service.refundPayment(paymentId: gatewayId, amount: "1.00", key: "r")) == .paymentBelongsToOrder)
        #expect(code(await service.void(paymentId: gatewayId, key: "v")) == .paymentBelongsToOrder)
        #expect(try await harness.goblin.ledger.entries().count == entriesBefore)
        #expect(try ok(await service.payment(id: gatewayId)) == gateway)
        for key in ["c", "r", "v"] { #expect(try await harness.requestState(key: key) == nil) }
        // Through the order it works.
        _ = try ok(await service.refund(orderId: orderId, paymentId: installment.payment.id, amount: "1.00", key: "order-refund"))
        #expect(try ok(await service.payment(id: gatewayId)).refunded == 100)
        #expect(try await harness.entries(.refund).map(\.amount.minorUnits) == [100])
    }

    /// A replay is answered before anything that changes with time is looked at.
    @Test func aReplayAnswersEvenAfterTheCardExpired() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "tia@example.com", amount: "50.00")).response.id
        let card = TenderInput.card(number: Cards.visa, expiry: "03/26", cvv: Cards.cvv)
        let paid = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: card, key: "k1"))
        harness.clock.advance(milliseconds: 31 * 86_400_000)  // April 2026: the card has expired
        let replay = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: card, key: "k1"))
        #expect(replay.replayed)
        #expect(replay.response == paid.response)
        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: card, key: "k2")) == .cardExpired)
        #expect(code(await service.pay(orderId: orderId, amount: "11.00", tender: card, key: "k1")) == .idempotencyKeyReused)
        #expect(try ok(await service.order(id: orderId)).paid == 1000)
        #expect(try await harness.entries(.capture).count == 1)
    }
}

/// Orders whose whole life is already decided (history, imports) recorded in one write.
@Suite("Recorded history")
struct RecordedHistoryTests {
    static func order(_ id: String, paid: Int64, at time: Instant) throws -> Order {
        let usd = { (minor: Int64) in Money(minorUnits: minor, currency: .usd) }
        let created = try Order.create(id: id, email: try Email.parse("Hal@Example.com").get(), total: usd(5000), at: time).get()
        guard paid > 0 else { return created }
        let later = time.adding(TimeSpan(milliseconds: 60_000))
        let (order, payment) = try created.recordingPayment(
            id: id + "-pay", amount: usd(paid), tender: .cash(tendered: usd(paid)), at: later).get()
        return try order.recordingRefund(
            id: id + "-ref", ofPayment: payment.id, amount: usd(100), at: later.adding(TimeSpan(milliseconds: 60_000))).get().0
    }

    @Test func recordedOrdersReadBackWithTheirHistory() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let start = TestClock.start.adding(TimeSpan.days(-30))
        let orders = [try Self.order("ord_a", paid: 5000, at: start), try Self.order("ord_b", paid: 2000, at: start), try Self.order("ord_c", paid: 0, at: start)]
        #expect(try ok(await harness.service.recordHistory(orders)) == 3)
        #expect(try ok(await harness.service.order(id: "ord_a")) == OrderView(orders[0]))
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events") == 3 + 2 + 2)
        #expect(try await harness.count("SELECT MAX(at) FROM order_events WHERE order_id = 'ord_a'") == Int(start.millisecondsSinceEpoch) + 120_000)
        let hal = try ok(await harness.service.customer(email: "hal@example.com"))
        #expect(hal.orderCount == 3 && hal.openOrders == 2)
        #expect(hal.totals.map(\.owing) == [3000 + 5000])

        // An id already recorded refuses the whole batch.
        let again = [try Self.order("ord_d", paid: 0, at: start), try Self.order("ord_a", paid: 0, at: start)]
        #expect(code(await harness.service.recordHistory(again)) == .invalidRequest)
        #expect(try await harness.count("SELECT COUNT(*) FROM orders") == 3)
        #expect(try ok(await harness.service.order(id: "ord_a")).paid == 5000)
    }
}
