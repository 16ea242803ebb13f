import Foundation
import GRDB
import TillCore
import TillStore

/// Damaged ledger rows. Input: 1 to 3 damages, each a table, a column, a row and a value
/// (NULL, an integer, a real, text, text that is not UTF-8, a blob, or the same column's value
/// from another row), written with raw SQL into a fresh copy of the fuzz ledger (`FuzzLedger`)
/// with CHECK constraints ignored and triggers dropped for the write; then the ledger is opened
/// and read through every public read of TillStore: orders, payments, wallets and their
/// events, the request log, the running totals.
///
/// Property: no trap (issue 10: "every row read decodes or reports"). Any thrown error is
/// fine: a damaged row may fail the read that needs it.
enum LedgerRowsFuzz {
    static func run(_ input: [UInt8]) async throws {
        var bytes = FuzzBytes(input)
        let folder = try await FuzzLedger.shared.fresh()
        defer { FuzzLedger.shared.discard(folder) }
        let path = folder.appendingPathComponent("till.sqlite").path
        try damage(path, &bytes)
        let secrets = FuzzLedger.shared.environment(folder)["TILL_SECRETS_DIR"] ?? ""
        guard let database = try? TillDatabase.open(path: path, secretsDirectory: secrets) else { return }
        _ = try? database.integrityCheck()
        _ = try? await database.read { ledger in readEverything(ledger) }
    }

    /// Writes the damages the input describes; a write the schema still refuses (NOT NULL,
    /// UNIQUE) is skipped.
    private static func damage(_ path: String, _ bytes: inout FuzzBytes) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            let tables = try FuzzSQL.texts(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            let triggers = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                .compactMap { row -> (String, String)? in
                    guard let name = String.fromDatabaseValue(row[0]), let sql = String.fromDatabaseValue(row[1]) else { return nil }
                    return (name, sql)
                }
            for (name, _) in triggers { try db.execute(sql: "DROP TRIGGER \(quoted(name))") }
            for _ in 0...(Int(bytes.byte()) % 3) {
                guard let table = bytes.choose(tables),
                      let column = bytes.choose(try FuzzSQL.texts(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid", [table]))
                else { break }
                let row = Int(bytes.byte())
                let (valueSQL, arguments) = value(&bytes, table: table, column: column)
                let sql = """
                    UPDATE \(quoted(table)) SET \(quoted(column)) = \(valueSQL)
                    WHERE rowid = (SELECT rowid FROM \(quoted(table)) ORDER BY rowid LIMIT 1 OFFSET \(row % 16))
                    """
                try? db.execute(sql: sql, arguments: arguments)
            }
            for (_, sql) in triggers { try db.execute(sql: sql) }
        }
    }

    /// The SQL of a damaged value and its arguments.
    private static func value(_ bytes: inout FuzzBytes, table: String, column: String) -> (String, StatementArguments) {
        func text(_ bytes: inout FuzzBytes) -> [UInt8] {
            let count = Int(bytes.byte()) % 64
            return (0..<count).map { _ in bytes.byte() }
        }
        switch bytes.byte() % 8 {
        case 0: return ("NULL", [])
        case 1: return ("?", [Int64(bitPattern: bytes.uint64())])
        case 2: return ("?", [Int64(Int8(bitPattern: bytes.byte()))])
        case 3: return ("?", [Double(bitPattern: bytes.uint64())])
        case 4: return ("?", [String(decoding: text(&bytes), as: UTF8.self)])
        case 5: return ("CAST(? AS TEXT)", [Data(text(&bytes))])
        case 6: return ("?", [Data(text(&bytes))])
        default:
            let other = Int(bytes.byte()) % 16
            return ("(SELECT \(quoted(column)) FROM \(quoted(table)) ORDER BY rowid LIMIT 1 OFFSET \(other))", [])
        }
    }

    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Every public read, each on its own so one failing read does not hide the next.
    private static func readEverything(_ ledger: Ledger) {
        let db = ledger.db
        let orderIds = (try? FuzzSQL.texts(db, "SELECT id FROM orders ORDER BY rowid")) ?? []
        let emailKeys = (try? FuzzSQL.texts(db, "SELECT email_key FROM orders ORDER BY rowid")) ?? []
        let paymentIds = (try? FuzzSQL.texts(db, "SELECT id FROM payments ORDER BY rowid")) ?? []
        let walletKeys = (try? FuzzSQL.texts(db, "SELECT key FROM wallets ORDER BY rowid")) ?? []
        let requestKeys = (try? FuzzSQL.texts(db, "SELECT key FROM idempotency ORDER BY rowid")) ?? []
        let targets = (try? FuzzSQL.texts(db, "SELECT target FROM idempotency ORDER BY rowid")) ?? []
        let start = Instant(millisecondsSinceEpoch: 1_700_000_000_000)
        let end = Instant(millisecondsSinceEpoch: 1_900_000_000_000)

        _ = try? ledger.orderCount()
        _ = try? ledger.recentOrders(limit: 100)
        _ = try? ledger.marks()
        _ = try? ledger.orderSummaries(limit: 100, after: nil)
        _ = try? ledger.ordersCreated(from: start, to: end)
        _ = try? ledger.takings(from: start, bucket: .days(30), count: 100)
        for id in orderIds {
            _ = try? ledger.order(id: id)
            _ = try? ledger.orderExists(id: id)
        }
        for key in emailKeys {
            _ = try? ledger.orders(emailKey: key, limit: 100)
            _ = try? ledger.orderSummaries(emailKey: key, limit: 100, after: nil)
            for currency in [Currency.usd, .jpy, .kwd] { _ = try? ledger.customerOrdered(emailKey: key, currency: currency) }
        }
        for currency in [Currency.usd, .gbp, .eur, .jpy, .kwd] {
            for tender in Tender.Kind.allCases { _ = try? ledger.largestTakings(currency: currency, tender: tender, from: start) }
        }
        _ = try? ledger.recentPaymentIds(limit: 100)
        for id in paymentIds { _ = try? ledger.payment(id: id) }
        for key in walletKeys {
            _ = try? ledger.wallet(key: key)
            _ = try? ledger.walletEvents(key: key, limit: 100)
        }
        _ = try? ledger.openRequests()
        for key in requestKeys {
            _ = try? ledger.request(key: key)
            _ = try? ledger.processorAttempts(key: key)
        }
        for target in targets { _ = try? ledger.openRequests(target: target) }
    }
}
