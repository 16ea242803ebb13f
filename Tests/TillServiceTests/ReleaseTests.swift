import GRDB
import Testing
import TillCore
import TillProcessor
import TillService

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
        #expect(released.response.status == "captured")
        #expect(released.response.released == 400)
        #expect(released.response.capturable == 0)
        #expect(released.response.releasable == 0)
        #expect(try await harness.entries(.release).map(\.amount.minorUnits) == [400])
        #expect(try await harness.entries(.release).map(\.key) == ["rel-1#0:release"])

        let again = try ok(await service.release(paymentId: id, key: "rel-1"))
        #expect(again.replayed)
        #expect(again.response == released.response)
        #expect(code(await service.release(paymentId: id, key: "rel-2")) == .nothingToRelease)
        #expect(code(await service.capture(paymentId: id, amount: "1.00", key: "cap-2")) == .exceedsAuthorized)
        #expect(try ok(await service.refundPayment(paymentId: id, amount: "6.00", key: "ref-1")).response.status == "refunded")
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
                INSERT INTO operation_v1 SELECT * FROM operation;
                DROP TABLE operation;
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
