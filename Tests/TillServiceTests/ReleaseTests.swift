import GRDB
import Testing
import TillCore
import TillProcessor
import TillService
import Foundation

/// Releasing the rest of an authorization through the service: the same record-intent ->
/// call -> record-outcome path as a void, with its key derived from the request.
@Suite("Releasing the rest")
struct ReleaseTests {
    /// A $10.00 authorization with $6.00 captured.
    func partlyCaptured(_ service: TillService) async throws -> String {
        let id = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD", key: "auth")).response.id
        _ = try ok(await service.capture(paymentId: id, amount: "6.00", key: "cap-1"))
        return id
    }

    @Test func theRestIsReleasedOnceAndReplayedByItsKey() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let id = try await partlyCaptured(service)

        let released = try ok(await service.release(paymentId: id, key: "rel-1"))
        #expect(!released.replayed)
        #expect(released.response.status == .captured)
        #expect(released.response.released == 400)
        #expect(released.response.capturable == 0)
        #expect(released.response.releasable == 0)
        #expect(try await harness.entries(.release).map(\.amount.minorUnits) == [400])
        #expect(try await harness.entries(.release).map(\.key) == harness.keyed(["rel-1#0:release"]))

        let again = try ok(await service.release(paymentId: id, key: "rel-1"))
        #expect(again.replayed)
        #expect(again.response == released.response)
        #expect(code(await service.release(paymentId: id, key: "rel-2")) == .nothingToRelease)
        #expect(code(await service.capture(paymentId: id, amount: "1.00", key: "cap-2")) == .exceedsAuthorized)
        #expect(try ok(await service.refundPayment(paymentId: id, amount: "6.00", key: "ref-1")).response.status == .refunded)
        #expect(try await harness.entries(.release).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func aLostReleaseIsResolvedByLookupAndCapturesWaitForIt() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let id = try await partlyCaptured(service)
        harness.goblin.inject(.errorAfterApplying, on: .release)

        #expect(code(await service.release(paymentId: id, key: "rel-1")) == .paymentPending)
        #expect(try await harness.requestState(key: "rel-1") == "outcome_unknown")
        // Nothing may start beside a release whose outcome is unknown (it commutes with nothing).
        #expect(code(await service.capture(paymentId: id, amount: "1.00", key: "cap-2")) == .paymentPending)
        #expect(code(await service.refundPayment(paymentId: id, amount: "1.00", key: "ref-1")) == .paymentPending)
        #expect(try ok(await service.payment(id: id)).released == 0)

        let fresh = try harness.anotherService()
        #expect(counts(await fresh.resolveOpenRequests()) == Counts(recorded: 1, released: 0, open: 0))
        let payment = try ok(await service.payment(id: id))
        #expect(payment.released == 400)
        #expect(payment.capturable == 0)
        #expect(try ok(await service.release(paymentId: id, key: "rel-1")).replayed)
        #expect(try await harness.entries(.release).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }

    @Test func aDeclinedReleaseRecordsNothingAndFreesItsKey() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let id = try await partlyCaptured(service)
        harness.goblin.inject(.decline(reason: "test"), on: .release)
        #expect(code(await service.release(paymentId: id, key: "rel-1")) == .processorDeclined)
        #expect(try ok(await service.payment(id: id)).releasable == 400)
        #expect(try ok(await service.release(paymentId: id, key: "rel-1")).response.released == 400)
    }

    @Test func beforeAnyCaptureAReleaseIsRefusedWithoutCallingGoblinPay() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let id = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD", key: "auth")).response.id
        #expect(code(await service.release(paymentId: id, key: "rel-1")) == .releaseBeforeCapture)
        #expect(try await harness.entries(.release).isEmpty)
    }

    func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }

    /// GoblinPay's ledger file from before releases existed (its CHECK named four kinds) is
    /// migrated on open and takes a release.
    @Test func aLedgerFileFromBeforeReleasesTakesThemAfterItsMigration() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("goblinpay.sqlite")
        let reference: String
        do {
            let first = try GoblinPay(ledgerPath: path, configuration: Harness.noChance)
            let card = CardCredentials(number: Cards.visa.replacingOccurrences(of: " ", with: ""),
                                       expiry: CardExpiry(month: YearMonth(year: 2030, month: 12)), cvv: "123")
            guard case .approved(let authorized) = await first.authorize(key: "a1", card: card, amount: usd(1000)) else {
                Issue.record("not authorized")
                return
            }
            reference = authorized
            #expect(await first.capture(key: "c1", authorization: reference, amount: usd(300))
                == .approved(reference: reference))
        }
        // Put the file back as the first version left it: the old CHECK, no "v2-release" mark.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                CREATE TABLE operation_v1 (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    processor_key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('authorize', 'capture', 'refund', 'void')),
                    reference TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    currency TEXT NOT NULL,
                    card_brand TEXT,
                    card_last4 TEXT CHECK (card_last4 IS NULL OR length(card_last4) = 4),
                    card_profile TEXT
                );
                INSERT INTO operation_v1 SELECT sequence, processor_key, kind, reference, amount_minor, currency,
                    card_brand, card_last4, card_profile FROM operation;
                DROP TABLE operation;
                DROP TABLE payout_entry;
                DROP TABLE payout;
                DELETE FROM grdb_migrations WHERE identifier = 'v3-payouts';
                ALTER TABLE operation_v1 RENAME TO operation;
                CREATE INDEX operation_by_reference ON operation (reference, sequence);
                CREATE UNIQUE INDEX one_authorization_per_reference ON operation (reference) WHERE kind = 'authorize';
                DELETE FROM grdb_migrations WHERE identifier = 'v2-release';
                """)
        }
        try queue.close()
        let second = try GoblinPay(ledgerPath: path, configuration: Harness.noChance)
        #expect(await second.release(key: "r1", authorization: reference) == .approved(reference: reference))
        #expect(try await second.ledger.entries().map(\.operation) == [.authorize, .capture, .release])
        #expect(try await second.ledger.entries().map(\.sequence) == [1, 2, 3])
    }
}

/// The POS's finding reads (issue 11): customers by any part of the email or their store
/// credit's name, orders by id prefix, open holds, and net takings without store credit.
@Suite("Finding")
struct FindingQueryTests {
    @Test func customersAreFoundByAnyPartOfTheFoldedEmailPrefixMatchesFirst() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        for email in ["zed.shah@example.com", "Shah.Priya@Example.com", "bob@example.org", "STRASSE@x.de"] {
            _ = try ok(await service.createOrder(email: email, amount: "10.00"))
        }
        _ = try ok(await service.openWallet(name: "Gardening Club", customer: "bob@example.org"))
        #expect(try ok(await service.findCustomers("SHAH")).map(\.email) == ["Shah.Priya@Example.com", "zed.shah@example.com"])
        #expect(try ok(await service.findCustomers("straße")).map(\.email) == ["STRASSE@x.de"])
        #expect(try ok(await service.findCustomers("ening cl")).map(\.email) == ["bob@example.org"])
        #expect(try ok(await service.findCustomers("nobody")).isEmpty)
        #expect(try ok(await service.findCustomers("")).count == 4)
    }

    @Test func ordersAreFoundByTheStartOfTheirId() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let id = try ok(await service.createOrder(email: "ann@example.com", amount: "10.00")).response.id
        _ = try ok(await service.createOrder(email: "ann@example.com", amount: "20.00"))
        #expect(try ok(await service.findOrders(idPrefix: " \(id.uppercased()) ")).map(\.id) == [id])
        #expect(try ok(await service.findOrders(idPrefix: String(id.prefix(10)))).map(\.id) == [id])
        #expect(try ok(await service.findOrders(idPrefix: "ord_", limit: 2)).count == 2)
        #expect(try ok(await service.findOrders(idPrefix: "nope")).isEmpty)
    }

    @Test func openHoldsAreWhatMayStillBeCaptured() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        func authorize(_ amount: String, _ key: String) async throws -> String {
            try ok(await service.authorize(
                number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: amount, currency: "USD", key: key)).response.id
        }
        let fresh = try await authorize("10.00", "a1")
        let partly = try await authorize("10.00", "a2")
        _ = try ok(await service.capture(paymentId: partly, amount: "4.00", key: "c2"))
        let released = try await authorize("10.00", "a3")
        _ = try ok(await service.capture(paymentId: released, amount: "4.00", key: "c3"))
        _ = try ok(await service.release(paymentId: released, key: "r3"))
        let voided = try await authorize("10.00", "a4")
        _ = try ok(await service.void(paymentId: voided, key: "v4"))
        let full = try await authorize("10.00", "a5")
        _ = try ok(await service.capture(paymentId: full, amount: "10.00", key: "c5"))
        let orderId = try ok(await service.createOrder(email: "ann@example.com", amount: "10.00")).response.id
        _ = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "p1"))

        #expect(Set(try ok(await service.openHolds(limit: 50, after: nil)).payments.map(\.id)) == [fresh, partly])
        let all = try ok(await service.cardPayments(limit: 50, after: nil)).payments
        let installment = try #require(all.first { $0.orderPaymentId != nil })
        #expect(installment.orderId == orderId)
        #expect(installment.customer == "ann@example.com")
        // Past the hold window nothing is open.
        harness.clock.advance(milliseconds: 8 * 86_400_000)
        #expect(try ok(await service.openHolds(limit: 50, after: nil)).payments.isEmpty)
    }

    @Test func netTakingsCountCardAndCashLessRefundsPaidOutNeverStoreCredit() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "ann-credit", balance: "100.00", customer: "ann@example.com"))
        let card = try ok(await service.createOrder(email: "ann@example.com", amount: "50.00")).response.id
        let paid = try ok(await service.pay(orderId: card, amount: "50.00", tender: Cards.card(), key: "p1")).response.payment.id
        let cash = try ok(await service.createOrder(email: "ann@example.com", amount: "20.00")).response.id
        let cashPaid = try ok(await service.pay(orderId: cash, amount: "20.00", tender: .cash(tendered: "25.00"), key: "p2")).response.payment.id
        let credit = try ok(await service.createOrder(email: "ann@example.com", amount: "30.00")).response.id
        _ = try ok(await service.pay(orderId: credit, amount: "30.00", tender: .wallet(name: "ann-credit"), key: "p3"))
        _ = try ok(await service.refund(orderId: card, paymentId: paid, amount: "5.00", key: "r1"))
        _ = try ok(await service.refund(orderId: card, paymentId: paid, amount: "7.00", key: "r2", toWallet: "ann-credit"))
        _ = try ok(await service.refund(orderId: cash, paymentId: cashPaid, amount: "2.00", key: "r3"))

        let dashboard = try ok(await service.dashboard(utcOffsetSeconds: 0))
        let net = try #require(dashboard.net.first { $0.currency == "USD" })
        #expect(net.net == 5000 + 2000 - 500 - 200)
        #expect(net.storeCreditRedeemed == 3000)
        #expect(net.refundedToStoreCredit == 700)
    }
}
