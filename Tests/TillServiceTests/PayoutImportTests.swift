import Foundation
import Testing
import TillCore
import TillProcessor
@testable import TillService

/// The import: each payout recorded once however often it is listed or by how many tills,
/// acknowledged only after its commit, and never acknowledged again once GoblinPay has it
/// processing; then reconciliation over a realistic day.
@Suite("Payout import")
struct PayoutImportTests {
    static func goblin(ack: GoblinPayFailureRate, path: String? = nil, seed: UInt64 = 15) throws -> GoblinPay {
        var configuration = GoblinPayConfiguration(seed: seed, captureFailureRate: .never)
        configuration.ackFailureRate = ack
        return try path.map { try GoblinPay(ledgerPath: $0, configuration: configuration) } ?? GoblinPay(configuration: configuration)
    }

    /// No waiting between tries: the test runs many cycles.
    static let quick = AcknowledgementRetry(attempts: 3, phase: .seconds(3600), pause: { _ in })

    @Test func eachPayoutIsRecordedOnceByTwoTillsRacingWithFlakyAcknowledgements() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let goblin = try Self.goblin(ack: GoblinPayFailureRate(partsPerMillion: 500_000) ?? .always)
        for _ in 0..<60 { _ = try await goblin.produce(amount: Money(minorUnits: 100, currency: .usd), now: TestClock.start) }
        let tills = [try harness.anotherService(processor: goblin), try harness.anotherService(processor: goblin)]
        var rounds = 0
        while try await goblin.payoutCount().processing < 60, rounds < 20 {
            rounds += 1
            await withTaskGroup(of: Void.self) { group in
                for till in tills { group.addTask { _ = await till.importPayouts(from: goblin, retry: Self.quick) } }
            }
        }
        // Faults stop; one more cycle settles Till's own marks.
        _ = try ok(await tills[0].importPayouts(from: goblin, retry: Self.quick))
        let count = try await goblin.payoutCount()
        #expect(count.total == 60 && count.processing == 60)
        #expect(count.maxUpdateCount == 1)  // two tills, but one claim per payout
        #expect(try await harness.count("SELECT COUNT(*) FROM payouts") == 60)
        #expect(try await harness.count("SELECT COUNT(*) FROM payout_entries") == 60)
        #expect(try await harness.count("SELECT payouts FROM payout_totals WHERE currency = 'USD'") == 60)
        #expect(try await harness.count("SELECT amount FROM payout_totals WHERE currency = 'USD'") == 6000)
        #expect(try await harness.count("SELECT COUNT(*) FROM payouts WHERE acknowledged_at IS NULL") == 0)
        let again = try ok(await tills[1].importPayouts(from: goblin, retry: Self.quick))
        #expect(again.listed == 0 && again.recorded == 0 && again.acknowledgementCalls == 0)
    }

    /// GoblinPay applies the acknowledgement but the answer never arrives.
    struct AnswerLost: PayoutSource {
        let goblin: GoblinPay
        func payouts(in state: String) async throws -> PayoutListing { try await goblin.payouts(in: state) }
        func acknowledge(id: String) async -> Bool {
            _ = await goblin.acknowledge(id: id)
            return false
        }
    }

    @Test func anAcknowledgementWhoseAnswerWasLostIsNotSentAgain() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let goblin = try Self.goblin(ack: .never)
        let payout = try await goblin.produce(amount: Money(minorUnits: 250, currency: .usd), now: TestClock.start)
        let service = try harness.anotherService(processor: goblin)
        let first = try ok(await service.importPayouts(from: AnswerLost(goblin: goblin), retry: AcknowledgementRetry(attempts: 1, phase: .seconds(3600), pause: { _ in })))
        #expect(first.recorded == 1 && first.unacknowledged == 1)
        let second = try ok(await service.importPayouts(from: goblin, retry: Self.quick))
        #expect(second.listed == 0 && second.acknowledged == 1 && second.acknowledgementCalls == 0)
        #expect(try await goblin.payouts(state: nil).first { $0.id == payout.id }?.updateCount == 1)
        #expect(try await harness.count("SELECT COUNT(*) FROM payouts WHERE acknowledged_at IS NOT NULL") == 1)
    }

    @Test func aPayoutRecordedBeforeACrashIsAcknowledgedByTheNextTillOnce() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let path = harness.directory.path("goblinpay.sqlite")
        // The first till's acknowledgements all fail, then it "crashes" (is dropped).
        do {
            let failing = try Self.goblin(ack: .always, path: path)
            _ = try await failing.produce(amount: Money(minorUnits: 999, currency: .usd), now: TestClock.start)
            let report = try ok(await harness.anotherService(processor: failing).importPayouts(from: failing, retry: Self.quick))
            #expect(report.recorded == 1 && report.unacknowledged == 1 && report.acknowledgementCalls == 3)
        }
        let goblin = try Self.goblin(ack: .never, path: path)
        let restarted = try harness.anotherService(processor: goblin)
        let report = try ok(await restarted.importPayouts(from: goblin, retry: Self.quick))
        #expect(report.listed == 1 && report.recorded == 0 && report.alreadyRecorded == 1 && report.acknowledged == 1)
        #expect(try await goblin.payoutCount() == GoblinPayPayoutCount(total: 1, processing: 1, maxUpdateCount: 1))
        #expect(try await harness.count("SELECT COUNT(*) FROM payouts") == 1)
    }

    @Test func aRealisticDayReconcilesEveryCaptureAndRefund() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let goblin = try Self.goblin(ack: GoblinPayFailureRate(partsPerMillion: 200_000) ?? .always)
        let till = try harness.anotherService(processor: goblin)
        // Orders paid by card in installments, one refunded in part.
        var refundable: (order: String, payment: String)?
        for index in 0..<4 {
            let order = try ok(await till.createOrder(email: "c\(index)@example.com", amount: "50.00")).response.id
            let paid = try ok(await till.pay(orderId: order, amount: "20.00", tender: Cards.card(), key: "pay-\(index)-1"))
            _ = try ok(await till.pay(orderId: order, amount: "30.00", tender: Cards.card(), key: "pay-\(index)-2"))
            refundable = refundable ?? (order, paid.response.payment.id)
        }
        if let refundable {
            _ = try ok(await till.refund(orderId: refundable.order, paymentId: refundable.payment, amount: "5.00", key: "refund-1"))
        }
        // The gateway: partial captures, a refund, a refund that fails at GoblinPay.
        let gateway = try ok(await till.authorize(number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "80.00", currency: "USD", key: "g-auth")).response.id
        _ = try ok(await till.capture(paymentId: gateway, amount: "30.00", key: "g-cap-1"))
        _ = try ok(await till.capture(paymentId: gateway, amount: "30.00", key: "g-cap-2"))
        _ = try ok(await till.refundPayment(paymentId: gateway, amount: "12.50", key: "g-ref-1"))
        let failing = try ok(await till.authorize(number: GoblinPay.TestCard.refundFails, expiry: Cards.expiry, cvv: Cards.cvv, amount: "9.00", currency: "USD", key: "f-auth")).response.id
        _ = try ok(await till.capture(paymentId: failing, amount: "9.00", key: "f-cap"))
        #expect(code(await till.refundPayment(paymentId: failing, amount: "9.00", key: "f-ref")) == .processorError)

        let settled = try await goblin.settle(now: TestClock.start)
        #expect(settled.count == 1)
        // Sold after the settlement: in transit.
        let late = try ok(await till.createOrder(email: "late@example.com", amount: "17.25")).response.id
        _ = try ok(await till.pay(orderId: late, amount: "17.25", tender: Cards.card(), key: "late-1"))

        while try await goblin.payoutCount().processing < 1 { _ = try ok(await till.importPayouts(from: goblin, retry: Self.quick)) }
        let view = try ok(await till.reconciliationView())
        // 8 installment captures + 1 order refund + 2 gateway captures + 1 gateway refund + 1 capture.
        #expect(view.matched.count == 13)
        #expect(view.mismatched.isEmpty && view.unexpected.isEmpty && view.clean)
        #expect(view.inTransit.map(\.amount) == [1725])
        #expect(view.inTransitTotals == ["USD": 1725])
        // 4 × 50.00 − 5.00 + 60.00 − 12.50 + 9.00
        #expect(view.paidOutTotals == ["USD": 25150])
        #expect(settled.first?.amount.minorUnits == 25150)
        let listed = try ok(await till.payoutViews())
        #expect(listed.count == 1 && listed.first?.reconciliation.matched == 13 && listed.first?.state == "processing")
        #expect(listed.first?.entries.allSatisfy { $0.bucket == "matched" } == true)
        #expect(listed.first?.entries.contains { $0.orderId == refundable?.order } == true)
    }
}

/// The reviewer's findings (issue 15), each a test that failed before its fix.
@Suite("Payout import under a hostile partner")
struct PayoutImportReviewTests {
    /// A partner that lists what it is told to and records every acknowledgement: GoblinPay's
    /// API shape with contents no real GoblinPay would send.
    final class Partner: PayoutSource, @unchecked Sendable {
        private let lock = NSLock()
        private var listed: PayoutListing
        private var processing: [PayoutWire.Payout] = []
        private(set) var acknowledgements: [String] = []

        init(_ payouts: [PayoutWire.Payout], unreadable: [String?] = []) { listed = PayoutListing(payouts: payouts, unreadable: unreadable) }

        func list(_ payouts: [PayoutWire.Payout]) { lock.withLock { listed = PayoutListing(payouts: payouts) } }

        func payouts(in state: String) async throws -> PayoutListing {
            lock.withLock { state == "notifying" ? listed : PayoutListing(payouts: processing) }
        }

        func acknowledge(id: String) async -> Bool {
            lock.withLock {
                acknowledgements.append(id)
                for payout in listed.payouts where payout.id == id {
                    processing.append(PayoutWire.Payout(
                        id: id, amount: payout.amount, currency: payout.currency, createTime: payout.createTime,
                        recipientAccountIdentifier: payout.recipientAccountIdentifier, state: "processing", entries: payout.entries))
                }
                listed.payouts.removeAll { $0.id == id }
            }
            return true
        }
    }

    static func wire(_ id: String, _ amount: String, currency: String = "USD") -> PayoutWire.Payout {
        PayoutWire.Payout(
            id: id, amount: amount, currency: currency, createTime: "2026-11-30T10:00:00.000Z", recipientAccountIdentifier: "bank",
            state: "notifying", entries: [PayoutWire.Entry(kind: "adjustment", reference: "x", amount: amount)])
    }

    static let quick = AcknowledgementRetry(attempts: 3, phase: .seconds(3600), pause: { _ in })

    @Test func aPayoutListedAgainUnderAKnownIdWithOtherContentsIsRefusedAndNotAcknowledged() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let partner = Partner([Self.wire("p1", "10.00")])
        _ = try ok(await harness.service.importPayouts(from: partner, retry: Self.quick))
        partner.list([Self.wire("p1", "99.00", currency: "EUR")])
        let report = try ok(await harness.service.importPayouts(from: partner, retry: Self.quick))
        #expect(report.recorded == 0 && report.refused["p1"] != nil)
        #expect(partner.acknowledgements == ["p1"])  // the first one only
        #expect(try await harness.count("SELECT amount FROM payouts WHERE id = 'p1'") == 1000)
    }

    @Test func twoGoblinPayLedgersWithOneSeedNameTheirPayoutsApart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try GoblinPay(ledgerPath: directory.path("a.sqlite"), configuration: GoblinPayConfiguration(seed: 0))
        let second = try GoblinPay(ledgerPath: directory.path("b.sqlite"), configuration: GoblinPayConfiguration(seed: 0))
        let a = try await first.produce(amount: Money(minorUnits: 1, currency: .usd), now: TestClock.start)
        let b = try await second.produce(amount: Money(minorUnits: 1, currency: .usd), now: TestClock.start)
        #expect(a.id != b.id)
    }

    @Test func onePayoutBeyondTheTotalsIsRefusedAloneAndTheRestImported() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let partner = Partner([Self.wire("small", "1.00"), Self.wire("also", "2.00"), Self.wire("big", "92233720368547758.07")])
        let report = try ok(await harness.service.importPayouts(from: partner, retry: Self.quick))
        #expect(report.recorded == 2 && report.refused.keys.sorted() == ["big"])
        #expect(Set(partner.acknowledgements).count == 2)
    }

    @Test func anUnreadableElementIsRefusedAloneAndBlocksNoInference() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let partner = Partner([Self.wire("good", "3.00")], unreadable: [nil, "odd"])
        let report = try ok(await harness.service.importPayouts(from: partner, retry: Self.quick))
        #expect(report.recorded == 1 && report.refused.count == 2 && report.listed == 3)
    }

    @Test func theNotifyingListIsReadElementByElement() throws {
        let good = #"{"id":"p","amount":"1.00","currency":"USD","create_time":"2026-11-30T10:00:00Z","recipient_account_identifier":"b","state":"notifying","entries":[]}"#
        let text = "[\(good), null, {\"id\": 7}, {\"id\": \"bad\", \"amount\": 1}, 5]"
        let listing = try PayoutListing.decode(Array(text.utf8))
        #expect(listing.payouts.map(\.id) == ["p"])
        #expect(listing.unreadable == [nil, nil, "bad", nil])
    }

    @Test func anAcknowledgementWhoseAnswerIsLostIsNotResentInTheSameCycle() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        var configuration = GoblinPayConfiguration(captureFailureRate: .never)
        configuration.ackFailureRate = .never
        let goblin = GoblinPay(configuration: configuration)
        _ = try await goblin.produce(amount: Money(minorUnits: 5, currency: .usd), now: TestClock.start)
        let report = try ok(await harness.service.importPayouts(from: PayoutImportTests.AnswerLost(goblin: goblin), retry: Self.quick))
        #expect(report.acknowledgementCalls == 1 && report.acknowledged == 1 && report.unacknowledged == 0)
        #expect(try await goblin.payoutCount().maxUpdateCount == 1)
    }

    /// Second review: a cycle whose list is old by the time it claims must not acknowledge a
    /// payout another till acknowledged meanwhile.
    struct StaleFirstList: PayoutSource {
        let goblin: GoblinPay
        let stale: PayoutListing
        let served = NSLock()
        final class Flag: @unchecked Sendable { var used = false }
        let flag = Flag()

        func payouts(in state: String) async throws -> PayoutListing {
            let first = served.withLock { () -> Bool in
                defer { flag.used = true }
                return !flag.used && state == "notifying"
            }
            return first ? stale : try await goblin.payouts(in: state)
        }

        func acknowledge(id: String) async -> Bool { await goblin.acknowledge(id: id) }
    }

    @Test func aStaleListDoesNotMakeASecondAcknowledgement() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        var configuration = GoblinPayConfiguration(captureFailureRate: .never)
        configuration.ackFailureRate = .never
        let goblin = GoblinPay(configuration: configuration)
        _ = try await goblin.produce(amount: Money(minorUnits: 5, currency: .usd), now: TestClock.start)
        let stale = try await goblin.notifyingPayouts()
        // Another till acknowledged it after this one listed.
        #expect(await goblin.acknowledge(id: stale.payouts[0].id))
        let report = try ok(await harness.service.importPayouts(from: StaleFirstList(goblin: goblin, stale: stale), retry: Self.quick))
        #expect(report.recorded == 1 && report.acknowledgementCalls == 0 && report.acknowledged == 1)
        #expect(try await goblin.payoutCount().maxUpdateCount == 1)
    }

    @Test func anEmptyListDoesNotStrandARecordedPayout() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        /// The partner as it misbehaves: lists but refuses acknowledgements, or answers empty lists.
        struct Misbehaving: PayoutSource {
            let partner: Partner
            let emptyLists: Bool
            func payouts(in state: String) async throws -> PayoutListing {
                emptyLists ? PayoutListing(payouts: []) : try await partner.payouts(in: state)
            }
            func acknowledge(id: String) async -> Bool { false }
        }
        let partner = Partner([Self.wire("b1", "4.00")])
        _ = try ok(await harness.service.importPayouts(from: Misbehaving(partner: partner, emptyLists: false), retry: Self.quick))
        #expect(try await harness.count("SELECT COUNT(*) FROM payouts WHERE acknowledged_at IS NULL") == 1)
        // An empty list (and nothing processing): Till may not conclude it was acknowledged.
        let empty = try ok(await harness.service.importPayouts(from: Misbehaving(partner: partner, emptyLists: true), retry: Self.quick))
        #expect(empty.acknowledged == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM payouts WHERE acknowledged_at IS NULL") == 1)
        let back = try ok(await harness.service.importPayouts(from: partner, retry: Self.quick))
        #expect(back.acknowledged == 1 && partner.acknowledgements == ["b1"])
    }

    @Test func oneIdListedTwiceWithOtherContentsOrNotNotifyingIsRefused() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        var processing = Self.wire("s1", "1.00")
        processing = PayoutWire.Payout(
            id: "s1", amount: "1.00", currency: "USD", createTime: processing.createTime, recipientAccountIdentifier: "bank",
            state: "processing", entries: processing.entries)
        let partner = Partner([Self.wire("d1", "10.00"), Self.wire("d1", "99.00"), processing, Self.wire("ok", "2.00"), Self.wire("ok", "2.00")])
        let report = try ok(await harness.service.importPayouts(from: partner, retry: Self.quick))
        #expect(report.recorded == 1 && report.refused.keys.sorted() == ["d1", "s1"])
        #expect(partner.acknowledgements == ["ok"])
    }
}

