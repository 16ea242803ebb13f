import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor
@testable import TillService
import TillStore

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

    @Test(arguments: Damage.allCases)
    func aDamagedCellIsAStorageErrorNeverATrap(damage: Damage) async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let order = try ok(await service.createOrder(email: "ann@example.com", amount: "50.00")).response
        _ = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: .cash(tendered: "20.00"), key: "cash"))
        let card = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: Cards.card(), key: "card")).response
        let paymentId = try #require(card.payment.paymentId)
        try await harness.database.pool.writeWithoutTransaction { db in try db.execute(sql: damage.sql) }

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
        try await harness.database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER orders_identity_fixed")
            try db.execute(sql: "UPDATE orders SET currency = ? WHERE id = ?", arguments: ["\u{1b}[2J", order.id])
        }
        let result = await harness.service.order(id: order.id)
        #expect(code(result) == .storageError)
        if case .failure(let rejection) = result { #expect(!rejection.message.contains("\u{1b}")) }
    }

    // MARK: The card-fingerprint secret

    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    static func checkValue(_ database: TillDatabase) throws -> String? {
        try database.pool.read { try String.fetchOne($0, sql: "SELECT check_value FROM card_secret") }
    }

    /// Where the ledger's secret lives: `<secrets>/card-secret-<ledger id>.key`.
    static func keyPath(_ database: TillDatabase, _ secrets: String) throws -> String {
        let id = try #require(try database.pool.read { try String.fetchOne($0, sql: "SELECT ledger_id FROM ledger_identity") })
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
            try await harness.database.pool.write { db in
                try db.execute(sql: "UPDATE customer_totals SET ordered = ordered + 1")
            }
        }
        #expect(try await harness.count("SELECT COUNT(*) FROM customer_totals WHERE typeof(ordered) != 'integer'") == 0)
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

// MARK: - Issue 10, finding 2: every cell of every table, damaged one at a time

/// What `fillRealistically` made, for the reads and writes that follow.
struct RealisticLedger: Sendable {
    let orderIds: [String]
    let installmentIds: [String]
    let paymentIds: [String]
    let emails = ["ann@example.com", "bob@example.com", "cat@example.com"]
    let wallet = "ann-credit"
}

extension Harness {
    /// Orders paid by cash, card and wallet, refunds to the card and to the wallet, a card
    /// payment on its own, and one request whose outcome is unknown (a lost answer).
    func fillRealistically() async throws -> RealisticLedger {
        let service = self.service
        _ = try ok(await service.openWallet(name: "ann-credit", balance: "100.00", customer: "ann@example.com"))
        let order = try ok(await service.createOrder(email: "ann@example.com", amount: "50.00")).response
        let cash = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: .cash(tendered: "20.00"), key: "f-cash")).response
        let card = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: Cards.card(), key: "f-card")).response
        let wallet = try ok(await service.pay(orderId: order.id, amount: "10.00", tender: .wallet(name: "ann-credit"), key: "f-wallet")).response
        _ = try ok(await service.refund(orderId: order.id, paymentId: cash.payment.id, amount: "5.00", key: "f-r1", toWallet: "ann-credit"))
        _ = try ok(await service.refund(orderId: order.id, paymentId: card.payment.id, amount: "4.00", key: "f-r2"))
        let bob = try ok(await service.createAndPay(email: "bob@example.com", amount: "20.00", tender: Cards.card(), key: "f-bob")).response
        let standalone = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "30.00", currency: nil, key: "f-auth")).response
        _ = try ok(await service.capture(paymentId: standalone.id, amount: "20.00", key: "f-capture"))
        let cat = try ok(await service.createOrder(email: "cat@example.com", amount: "30.00")).response
        let lost = await service.pay(orderId: cat.id, amount: "30.00", tender: Cards.card(GoblinPay.TestCard.lostResponse), key: "f-lost")
        #expect(code(lost) == .paymentPending)
        return RealisticLedger(
            orderIds: [order.id, bob.order.id, cat.id],
            installmentIds: [cash.payment.id, card.payment.id, wallet.payment.id, bob.payment.id],
            paymentIds: [card.payment.paymentId, bob.payment.paymentId, standalone.id].compactMap { $0 })
    }

    /// The ledger's files as they stand, with the WAL folded into the main file.
    func snapshot() async throws -> [String: Data] {
        _ = try await database.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        var files: [String: Data] = [:]
        for suffix in ["", ".key"] where FileManager.default.fileExists(atPath: databasePath + suffix) {
            files[suffix] = try Data(contentsOf: URL(fileURLWithPath: databasePath + suffix))
        }
        return files
    }
}

/// A copy of a snapshot in a new directory: `till.sqlite` (and its key).
func restore(_ files: [String: Data], into directory: TemporaryDirectory) throws -> String {
    let path = directory.path("till.sqlite")
    for (suffix, data) in files { try data.write(to: URL(fileURLWithPath: path + suffix)) }
    return path
}

/// Every read and write a till does, named; each result is a success or a rejection.
func battery(_ service: TillService, _ data: RealisticLedger) async -> [(String, Result<Void, Rejection>)] {
    func outcome<T>(_ result: Result<T, Rejection>) -> Result<Void, Rejection> { result.map { _ in () } }
    var results: [(String, Result<Void, Rejection>)] = []
    for id in data.orderIds { results.append(("order get", outcome(await service.order(id: id)))) }
    for id in data.paymentIds { results.append(("payment get", outcome(await service.payment(id: id)))) }
    for email in data.emails {
        results.append(("order list", outcome(await service.orders(email: email))))
        results.append(("customer", outcome(await service.customer(email: email))))
        results.append(("customer orders", outcome(await service.customerOrders(email: email, limit: 10, after: nil))))
    }
    results.append(("customers", outcome(await service.customers(prefix: "a"))))
    results.append(("recent orders", outcome(await service.recentOrders(limit: 10, after: nil))))
    results.append(("card payments", outcome(await service.cardPayments(limit: 10, after: nil))))
    results.append(("wallets", outcome(await service.wallets())))
    results.append(("wallet get", outcome(await service.wallet(name: data.wallet))))
    results.append(("wallet history", outcome(await service.walletHistory(name: data.wallet))))
    results.append(("dashboard", outcome(await service.dashboard(utcOffsetSeconds: 0))))
    results.append(("pending", outcome(await service.pendingRequests())))
    results.append(("ledger version", outcome(await service.ledgerVersion())))
    results.append(("order create", outcome(await service.createOrder(email: "dan@example.com", amount: "5.00"))))
    results.append(("pay cash", outcome(await service.pay(
        orderId: data.orderIds[0], amount: "1.00", tender: .cash(tendered: "1.00"), key: "b-cash"))))
    results.append(("pay wallet", outcome(await service.pay(
        orderId: data.orderIds[0], amount: "1.00", tender: .wallet(name: data.wallet), key: "b-wallet"))))
    results.append(("refund cash", outcome(await service.refund(
        orderId: data.orderIds[0], paymentId: data.installmentIds[0], amount: "1.00", key: "b-refund"))))
    results.append(("wallet credit", outcome(await service.credit(name: data.wallet, amount: "1.00", key: "b-credit"))))
    results.append(("replay", outcome(await service.pay(
        orderId: data.orderIds[0], amount: "10.00", tender: .cash(tendered: "20.00"), key: "f-cash"))))
    return results
}

@Suite("Damaged cells, every column")
struct DamagedCellTests {
    enum Damage: String, CaseIterable, Sendable {
        case null, text, real, blob
        var sql: String {
            switch self {
            case .null: "NULL"
            case .text: "'x'"
            case .real: "1.5"
            case .blob: "X'00ff'"
            }
        }
    }

    /// Every table and column of the ledger (read from the file itself, so a new column is
    /// covered without editing this test), each damage in every row, in a copy of a ledger with
    /// realistic data; then the resolver at open and a battery of reads and writes. A trap would
    /// kill the test run; a refusal must be a clear one that names what is damaged.
    @Test func everyColumnOfEveryTableDamagedIsRefusedOrAnsweredNeverATrap() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let data = try await harness.fillRealistically()
        let files = try await harness.snapshot()
        let columns = try await harness.database.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                ORDER BY name
                """).flatMap { table in
                try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map { row in
                    (table, try row.decode(String.self, forColumn: "name"))
                }
            }
        }
        #expect(columns.count > 80)
        var cases = 0, impossible = 0, refusedAtOpen = 0, refusals = 0, answers = 0
        for (table, column) in columns {
            for damage in Damage.allCases {
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let path = try restore(files, into: directory)
                do {
                    try Self.damage(path: path, table: table, column: column, with: damage)
                } catch {
                    // SQLite itself cannot store it (a real or text in an INTEGER PRIMARY KEY).
                    impossible += 1
                    continue
                }
                cases += 1
                let database: TillDatabase
                do {
                    database = try TillDatabase.open(path: path, secretsDirectory: harness.directory.secrets)
                } catch let error as LedgerOpenError {
                    // The quick check at open saw it (a CHECK or NOT NULL constraint): a clear refusal.
                    #expect(error.kind == .damaged && error.description.contains(table), "\(table).\(column) \(damage): \(error)")
                    refusedAtOpen += 1
                    continue
                } catch let error as CardSecretError {
                    // The secret's check value no longer recognizes the key: refused, never replaced.
                    #expect(["card_secret", "ledger_identity"].contains(table), "\(table).\(column) \(damage): \(error)")
                    refusedAtOpen += 1
                    continue
                }
                let service = await TillService.open(ledger: LedgerFile(database: database), processor: harness.goblin, clock: harness.clock.function)
                for (name, result) in await battery(service, data) {
                    guard case .failure(let rejection) = result else { answers += 1; continue }
                    refusals += 1
                    if rejection.code == .storageError {
                        #expect(rejection.message.contains(column), "\(table).\(column) \(damage), \(name): \(rejection.message)")
                    }
                }
            }
        }
        print("damaged cells: \(cases) cases (\(columns.count) columns x \(Damage.allCases.count) damages, \(impossible) not storable); refused at open \(refusedAtOpen); battery answers \(answers), refusals \(refusals)")
    }

    /// Writes `damage` into every row's `column`, getting past what the schema would refuse:
    /// triggers dropped, CHECK constraints ignored, NOT NULL taken out of the table's definition.
    static func damage(path: String, table: String, column: String, with damage: Damage) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA writable_schema = ON")
            try db.execute(sql: """
                UPDATE sqlite_master SET sql = replace(replace(replace(sql, 'IS NOT NULL', 'IS_NOT_NULL'), 'NOT NULL', ''),
                    'IS_NOT_NULL', 'IS NOT NULL') WHERE type = 'table' AND name = ?
                """, arguments: [table])
            try db.execute(sql: "PRAGMA writable_schema = OFF")
        }
        try queue.close()
        let again = try DatabaseQueue(path: path)
        try again.writeWithoutTransaction { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            do {
                try db.execute(sql: "UPDATE \(table) SET \(column) = \(damage.sql)")
            } catch {
                // A key column cannot take one value in every row: damage the first row only.
                let keys = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) WHERE pk > 0", arguments: [table])
                let row = keys.isEmpty ? "rowid" : "(\(keys.joined(separator: ", ")))"
                try db.execute(sql: "UPDATE \(table) SET \(column) = \(damage.sql) WHERE \(row) IN (SELECT \(row) FROM \(table) LIMIT 1)")
            }
        }
        try again.close()
    }
}

extension DamagedCellTests {
    /// The same for GoblinPay's ledger (it stands for the remote side, but lives in a file
    /// beside the till's): the resolver's lookups at open, card payments, captures and refunds
    /// on a copy with one column damaged never trap; a damaged entry is an error of the processor.
    @Test func everyColumnOfGoblinPaysLedgerDamagedNeverTraps() async throws {
        let harness = try Harness(goblinOnFile: true)
        defer { harness.remove() }
        let data = try await harness.fillRealistically()
        let till = try await harness.snapshot()
        let goblinPath = harness.directory.path("goblinpay.sqlite")
        var goblin: [String: Data] = [:]
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: goblinPath + suffix) {
            goblin[suffix] = try Data(contentsOf: URL(fileURLWithPath: goblinPath + suffix))
        }
        let columns = try await DatabaseQueue(path: goblinPath).read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                """).flatMap { table in
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map { (table, $0) }
            }
        }
        #expect(columns.count >= 10)
        var cases = 0, answers = 0, refusals = 0
        for (table, column) in columns {
            for damage in Damage.allCases {
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let path = try restore(till, into: directory)
                for (suffix, bytes) in goblin { try bytes.write(to: URL(fileURLWithPath: path + ".goblinpay" + suffix)) }
                do { try Self.damage(path: path + ".goblinpay", table: table, column: column, with: damage) } catch { continue }
                cases += 1
                guard let processor = try? GoblinPay(ledgerPath: path + ".goblinpay", configuration: Harness.noChance) else {
                    refusals += 1
                    continue
                }
                let service = await TillService.open(
                    ledger: LedgerFile(database: try TillDatabase.open(path: path, secretsDirectory: harness.directory.secrets)), processor: processor,
                    clock: harness.clock.function)
                var results = await battery(service, data).map(\.1)
                results.append(await service.pay(orderId: data.orderIds[0], amount: "1.00", tender: Cards.card(), key: "g-card").map { _ in () })
                results.append(await service.refund(
                    orderId: data.orderIds[0], paymentId: data.installmentIds[1], amount: "1.00", key: "g-refund").map { _ in () })
                results.append(await service.capture(paymentId: data.paymentIds[2], amount: "1.00", key: "g-capture").map { _ in () })
                for result in results {
                    if case .failure = result { refusals += 1 } else { answers += 1 }
                }
            }
        }
        print("GoblinPay damaged cells: \(cases) cases over \(columns.count) columns; answers \(answers), refusals \(refusals)")
    }
}
