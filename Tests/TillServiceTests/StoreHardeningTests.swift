import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor
@testable import TillService
import TillStore
import TillTestSupport

/// Issue 9, points 5 and 6: a damaged ledger cell is refused, never a trap; the card-fingerprint
/// secret is never silently replaced; the running totals never overflow after the processor
/// applied something; and a clock that steps back never dates an event before its entity's.
@Suite("Store hardening")
struct StoreHardeningTests {
    // MARK: Damaged cells

    /// An order paid in cash and by card, then one cell damaged behind Till's back.
    enum Damage: String, CaseIterable, Sendable {
        case orderTotalText, orderTotalReal, cashTenderedNull, paymentAuthorizedText, customerOrderedReal, takingsText

        var sql: String {
            switch self {
            case .orderTotalText: "DROP TRIGGER orders_identity_fixed; UPDATE orders SET total = 'x'"
            case .orderTotalReal: "DROP TRIGGER orders_identity_fixed; UPDATE orders SET total = 12345.5"
            case .cashTenderedNull: "UPDATE order_payments SET tendered = NULL WHERE tender = 'cash'"
            case .paymentAuthorizedText: "UPDATE payments SET authorized = 'lots'"
            case .customerOrderedReal: "PRAGMA ignore_check_constraints = ON; UPDATE customer_totals SET ordered = 2.5; PRAGMA ignore_check_constraints = OFF"
            case .takingsText: "PRAGMA ignore_check_constraints = ON; UPDATE takings_by_quarter SET amount = 'x'; PRAGMA ignore_check_constraints = OFF"
            }
        }

        /// The damage on PostgreSQL; nil where its typed columns cannot hold it.
        var postgresStatements: [String]? {
            switch self {
            case .orderTotalReal:
                [TestBackend.dropTrigger("orders_identity_fixed", on: "orders"), "ALTER TABLE orders ALTER COLUMN total TYPE NUMERIC",
                 "UPDATE orders SET total = 12345.5"]
            case .cashTenderedNull: [sql]
            case .orderTotalText, .paymentAuthorizedText, .customerOrderedReal, .takingsText: nil
            }
        }

        var column: String {
            switch self {
            case .orderTotalText, .orderTotalReal: "orders.total"
            case .cashTenderedNull: "order_payments.tendered"
            case .paymentAuthorizedText: "payments.authorized"
            case .customerOrderedReal: "customer_totals.ordered"
            case .takingsText: "takings_by_quarter.amount"
            }
        }
    }

    /// On PostgreSQL, the damages its typed columns can hold: a NULL, and a fraction once the
    /// column's type was changed behind Till's back.
    @Test(arguments: Damage.allCases.filter { !TestBackend.isPostgres || $0.postgresStatements != nil })
    func aDamagedCellIsAStorageErrorNeverATrap(damage: Damage) async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let order = try ok(await service.createOrder(email: "ann@example.com", amount: "50.00")).response
        _ = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: .cash(tendered: "20.00"), key: "cash"))
        let card = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: Cards.card(), key: "card")).response
        let paymentId = try #require(card.payment.paymentId)
        if let statements = damage.postgresStatements, harness.database.isPostgres {
            try await harness.database.write { ledger in
                for statement in statements { try ledger.db.execute(sql: statement) }
            }
        } else {
            try await harness.database.pool.writeWithoutTransaction { db in try db.execute(sql: damage.sql) }
        }

        var results: [(String, Rejection.Code?, String)] = []
        func note<T>(_ name: String, _ result: Result<T, Rejection>) {
            if case .failure(let rejection) = result { results.append((name, rejection.code, rejection.message)) }
            else { results.append((name, nil, "")) }
        }
        switch damage {
        case .orderTotalText, .orderTotalReal, .cashTenderedNull:
            note("order get", await service.order(id: order.id))
            note("order list", await service.orders(email: "ann@example.com"))
            if damage != .cashTenderedNull {
                note("recent orders", await service.recentOrders(limit: 10, after: nil))
                note("customer orders", await service.customerOrders(email: "ann@example.com", limit: 10, after: nil))
            }
            note("pay", await service.pay(orderId: order.id, amount: "1.00", tender: .cash(tendered: "1.00"), key: "more"))
        case .paymentAuthorizedText:
            note("payment get", await service.payment(id: paymentId))
            note("card payments", await service.cardPayments(limit: 10, after: nil))
        case .customerOrderedReal:
            note("customer", await service.customer(email: "ann@example.com"))
            note("customers", await service.customers(prefix: "a"))
        case .takingsText:
            note("dashboard", await service.dashboard(utcOffsetSeconds: 0))
        }
        #expect(!results.isEmpty)
        for (name, code, message) in results {
            #expect(code == .storageError, "\(name) answered \(String(describing: code))")
            #expect(message.contains(damage.column), "\(name): \(message)")
        }
    }

    @Test func corruptionMessagesQuoteCellText() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let order = try ok(await harness.service.createOrder(email: "ann@example.com", amount: "50.00")).response
        try await harness.execute(TestBackend.dropTrigger("orders_identity_fixed", on: "orders"))
        try await harness.execute("UPDATE orders SET currency = ? WHERE id = ?", ["\u{1b}[2J", order.id])
        let result = await harness.service.order(id: order.id)
        #expect(code(result) == .storageError)
        if case .failure(let rejection) = result { #expect(!rejection.message.contains("\u{1b}")) }
    }

    // MARK: The card-fingerprint secret

    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    static func checkValue(_ database: TillDatabase) throws -> String? {
        try database.readNow { ledger in try String.fetchOne(ledger.db, sql: "SELECT check_value FROM card_secret") }
    }

    /// Where the ledger's secret lives: `<secrets>/card-secret-<ledger id>.key`.
    static func keyPath(_ database: TillDatabase, _ secrets: String) throws -> String {
        let id = try #require(try database.readNow { ledger in try String.fetchOne(ledger.db, sql: "SELECT ledger_id FROM ledger_identity") })
        return secrets + "/card-secret-\(id).key"
    }

    @Test func aFirstOpenCreatesThePrivateSecretAndItsCheckValueAndReopensWithThem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let first = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        let keyPath = try Self.keyPath(first, directory.secrets)
        #expect(try Self.mode(keyPath) == 0o600)
        #expect(try Self.mode(directory.secrets) == 0o700)
        let check = try #require(try Self.checkValue(first))
        let keyText = try String(contentsOfFile: keyPath, encoding: .utf8)
        #expect(!check.isEmpty && !keyText.contains(check))
        // Only the key in the secrets directory (no temporary file left), none beside the ledger.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.secrets).map { directory.secrets + "/" + $0 } == [keyPath])
        #expect(try directory.files().filter { $0.contains(".key") }.isEmpty)
        let reopened = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        #expect(reopened.cardFingerprint(digits: "4242424242424242") == first.cardFingerprint(digits: "4242424242424242"))
        #expect(try Self.checkValue(reopened) == check)
    }

    @Test(arguments: ["", "\n", "abc\n", String(repeating: "0", count: 63)])
    func anEmptyOrDamagedKeyFileIsAnErrorAndIsKept(contents: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let keyPath = try Self.keyPath(try TillDatabase.open(path: path, secretsDirectory: directory.secrets), directory.secrets)
        try contents.write(toFile: keyPath, atomically: false, encoding: .utf8)
        #expect(throws: CardSecretError.self) { try TillDatabase.open(path: path, secretsDirectory: directory.secrets) }
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == contents)
        // A legacy key file beside no ledger is the trace of one: refused before the key is read.
        let legacy = directory.path("legacy.sqlite")
        try contents.write(toFile: legacy + ".key", atomically: false, encoding: .utf8)
        #expect(throws: LedgerOpenError.self) { try TillDatabase.open(path: legacy, secretsDirectory: directory.secrets) }
        #expect(try String(contentsOfFile: legacy + ".key", encoding: .utf8) == contents)
    }

    @Test func aMissingKeyFileOnALedgerThatHadOneIsAnErrorAndNoNewSecretIsMade() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let keyPath = try Self.keyPath(try TillDatabase.open(path: path, secretsDirectory: directory.secrets), directory.secrets)
        try FileManager.default.removeItem(atPath: keyPath)
        do {
            _ = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
            Issue.record("opened without its secret")
        } catch let error as CardSecretError {
            #expect(error.problem == .missing)
            // It says where the secret is expected.
            #expect(error.description.contains(keyPath) && error.description.contains("Restore"))
        }
        #expect(!FileManager.default.fileExists(atPath: keyPath))
    }

    @Test func anotherSecretIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let keyPath = try Self.keyPath(try TillDatabase.open(path: path, secretsDirectory: directory.secrets), directory.secrets)
        let other = String(repeating: "ab", count: 32) + "\n"
        try FileManager.default.removeItem(atPath: keyPath)
        try other.write(toFile: keyPath, atomically: false, encoding: .utf8)
        do {
            _ = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
            Issue.record("opened with another secret")
        } catch let error as CardSecretError {
            #expect(error.problem == .mismatch)
        }
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == other)
    }

    @Test func aLedgerFromBeforeTheCheckValueRecordsItOnOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let first = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        let check = try Self.checkValue(first)
        try first.pool.write { try $0.execute(sql: "DELETE FROM card_secret") }
        let reopened = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        #expect(try Self.checkValue(reopened) == check)
    }

    // MARK: Running totals

    static let largest = "92233720368547758.07"  // Int64.max cents: the largest amount Money.parse accepts

    @Test func aCardCreateAndPayThatWouldOverflowTheCustomersOrdersIsRefusedBeforeGoblinPay() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.createOrder(email: "ann@example.com", amount: Self.largest))
        let result = await service.createAndPay(email: "ANN@example.com", amount: "1.00", tender: Cards.card(), key: "k1")
        #expect(code(result) == .amountTooLarge)
        #expect(try await harness.goblin.ledger.entries().isEmpty)
        #expect(try await harness.count("SELECT COUNT(*) FROM orders") == 1)
        #expect(try await harness.requestState(key: "k1") == nil)
        // The same for an order created without paying: refused, not a storage error.
        #expect(code(await service.createOrder(email: "ann@example.com", amount: "1.00")) == .amountTooLarge)
        // Another customer is not affected.
        _ = try ok(await service.createAndPay(email: "bob@example.com", amount: "1.00", tender: Cards.card(), key: "k2"))
    }

    @Test func aCardInstallmentPastTheQuarterHoursTakingsIsRefusedBeforeGoblinPayAndOthersStillRecord() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let huge = try ok(await service.createOrder(email: "ann@example.com", amount: Self.largest)).response
        let refused = await service.pay(orderId: huge.id, amount: "90000000000000000.00", tender: Cards.card(), key: "huge")
        #expect(code(refused) == .amountTooLarge)
        #expect(try await harness.goblin.ledger.entries().isEmpty)
        #expect(try await harness.requestState(key: "huge") == nil)
        // An ordinary card payment in the same quarter hour is charged and recorded.
        let order = try ok(await service.createOrder(email: "bob@example.com", amount: "10.00")).response
        let paid = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: Cards.card(), key: "ok")).response
        #expect(paid.order.status == .paid)
        #expect(try await harness.requestState(key: "ok") == "completed")
        #expect(try await harness.count("SELECT COUNT(*) FROM order_payments") == 1)
    }

    @Test func aFullQuarterHourRefusesCashCleanlyUntilTheNextOne() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let limit = RunningTotals.quarterHourLimit
        let huge = try ok(await service.createOrder(email: "ann@example.com", amount: Self.largest)).response
        // A cash payment beyond what a quarter hour may hold is refused; nothing is recorded.
        #expect(code(await service.pay(orderId: huge.id, amount: Self.largest, tender: .cash(tendered: Self.largest), key: "c0")) == .amountTooLarge)
        // Filled to the limit exactly, it takes nothing more in this quarter hour...
        let fill = Money(minorUnits: limit, currency: .usd).plainText
        _ = try ok(await service.pay(orderId: huge.id, amount: fill, tender: .cash(tendered: fill), key: "c1"))
        let order = try ok(await service.createOrder(email: "bob@example.com", amount: "10.00")).response
        #expect(code(await service.pay(orderId: order.id, amount: "0.01", tender: .cash(tendered: "0.01"), key: "c2")) == .amountTooLarge)
        // ...while other tenders and the next quarter hour are unaffected, and every read still adds up.
        _ = try ok(await service.pay(orderId: order.id, amount: "1.00", tender: Cards.card(), key: "c3"))
        harness.clock.advance(milliseconds: 15 * 60_000)
        _ = try ok(await service.pay(orderId: order.id, amount: "1.00", tender: .cash(tendered: "1.00"), key: "c4"))
        _ = try ok(await service.dashboard(utcOffsetSeconds: 0))
        #expect(try await harness.count("SELECT COUNT(*) FROM order_payments") == 3)
    }

    @Test func aRunningTotalThatWouldOverflowIsAbortedByTheDatabaseNeverStoredAsAReal() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        _ = try ok(await harness.service.createOrder(email: "ann@example.com", amount: Self.largest))
        await #expect(throws: (any Error).self) {
            try await harness.execute("UPDATE customer_totals SET ordered = ordered + 1")
        }
        let notAnInteger = harness.database.isPostgres ? "pg_typeof(ordered)::text != 'bigint'" : "typeof(ordered) != 'integer'"
        #expect(try await harness.count("SELECT COUNT(*) FROM customer_totals WHERE \(notAnInteger)") == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM customer_totals WHERE ordered = ?", [Int64.max]) == 1)
    }

    // MARK: A clock that steps back

    @Test func eventsAreNeverDatedBeforeTheirOrderOrPaymentWhenTheClockStepsBack() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service, clock = harness.clock
        let hour: Int64 = 3_600_000
        let order = try ok(await service.createOrder(email: "ann@example.com", amount: "50.00")).response
        clock.advance(milliseconds: -hour)
        let cash = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: .cash(tendered: "10.00"), key: "p1")).response
        clock.advance(milliseconds: -hour)
        let card = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: Cards.card(), key: "p2")).response
        clock.advance(milliseconds: -hour)
        _ = try ok(await service.refund(orderId: order.id, paymentId: cash.payment.id, amount: "5.00", key: "r1"))
        clock.advance(milliseconds: -hour)
        _ = try ok(await service.refund(orderId: order.id, paymentId: card.payment.id, amount: "5.00", key: "r2"))

        #expect(try await harness.count(
            "SELECT COUNT(*) FROM order_payments p JOIN orders o ON o.id = p.order_id WHERE p.created_at < o.created_at") == 0)
        #expect(try await harness.count("""
            SELECT COUNT(*) FROM order_payments a JOIN order_payments b ON a.order_id = b.order_id
            WHERE a.position < b.position AND a.created_at > b.created_at
            """) == 0)
        #expect(try await harness.count("""
            SELECT COUNT(*) FROM order_refunds r JOIN order_payments p ON p.id = r.order_payment_id
            WHERE r.created_at < p.created_at
            """) == 0)
        #expect(try await harness.count("""
            SELECT COUNT(*) FROM order_refunds a JOIN order_refunds b ON a.order_id = b.order_id
            WHERE a.rowid < b.rowid AND a.created_at > b.created_at
            """) == 0)
        #expect(try await harness.count("""
            SELECT COUNT(*) FROM payment_events a JOIN payment_events b ON a.payment_id = b.payment_id
            WHERE a.seq < b.seq AND a.at > b.at
            """) == 0)
        // The order reads back, its history replayed in time order.
        let read = try ok(await service.order(id: order.id))
        #expect(read.refunded == 1000 && read.payments.count == 2)
    }

    @Test func theCashHistoryOfAnOrderStaysInTimeOrderWhenTheClockStepsBack() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service, clock = harness.clock
        let order = try ok(await service.createOrder(email: "ann@example.com", amount: "50.00")).response
        clock.advance(milliseconds: -60_000)
        let cash = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: .cash(tendered: "10.00"), key: "p1")).response
        clock.advance(milliseconds: -60_000)
        _ = try ok(await service.refund(orderId: order.id, paymentId: cash.payment.id, amount: "5.00", key: "r1"))
        #expect(try await harness.count("""
            SELECT COUNT(*) FROM order_events a JOIN order_events b ON a.order_id = b.order_id
            WHERE a.seq < b.seq AND a.at > b.at
            """) == 0)
    }
}
