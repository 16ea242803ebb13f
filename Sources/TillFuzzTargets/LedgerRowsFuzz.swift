import Foundation
import TillCore
import TillStore

/// Damaged ledger rows. Input: 1 to 3 damages, each a table, a column, a row and a value
/// (NULL, an integer, a real, text, text that is not UTF-8, a blob, or the same column's value
/// from another row), written through TillStore's `LedgerRows` into a fresh copy of the fuzz ledger (`FuzzLedger`)
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
        try LedgerRows.damage(ledgerAt: path) { ledger in
            for _ in 0...(Int(bytes.byte()) % 3) {
                guard let table = bytes.choose(ledger.tables), let column = bytes.choose(try ledger.columns(of: table)) else { break }
                let row = Int(bytes.byte())
                ledger.set(table, column, rowOffset: row % 16, to: value(&bytes))
            }
        }
    }

    /// A damaged value.
    private static func value(_ bytes: inout FuzzBytes) -> LedgerRows.Value {
        func text(_ bytes: inout FuzzBytes) -> [UInt8] {
            let count = Int(bytes.byte()) % 64
            return (0..<count).map { _ in bytes.byte() }
        }
        switch bytes.byte() % 8 {
        case 0: return .null
        case 1: return .integer(Int64(bitPattern: bytes.uint64()))
        case 2: return .integer(Int64(Int8(bitPattern: bytes.byte())))
        case 3: return .real(Double(bitPattern: bytes.uint64()))
        case 4: return .text(String(decoding: text(&bytes), as: UTF8.self))
        case 5: return .textBytes(text(&bytes))
        case 6: return .blob(text(&bytes))
        default: return .fromRow(Int(bytes.byte()) % 16)
        }
    }

    /// Every public read, each on its own so one failing read does not hide the next.
    private static func readEverything(_ ledger: Ledger) {
        func texts(_ column: String, of table: String) -> [String] {
            (try? LedgerRows.texts(column, of: table, in: ledger)) ?? []
        }
        let orderIds = texts("id", of: "orders")
        let emailKeys = texts("email_key", of: "orders")
        let paymentIds = texts("id", of: "payments")
        let walletKeys = texts("key", of: "wallets")
        let requestKeys = texts("key", of: "idempotency")
        let targets = texts("target", of: "idempotency")
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
