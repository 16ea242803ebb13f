import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor
@testable import TillService
import TillStore

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
    @Test(.sqliteOnly) func everyColumnOfEveryTableDamagedIsRefusedOrAnsweredNeverATrap() async throws {
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
    @Test(.sqliteOnly) func everyColumnOfGoblinPaysLedgerDamagedNeverTraps() async throws {
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
