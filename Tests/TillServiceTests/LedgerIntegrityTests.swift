import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor
import TillService
import TillStore

/// The ledger file itself: sound after a workload, history that cannot be rewritten, every
/// commit durable, and customer lookups through their index.
@Suite("Ledger integrity")
struct LedgerIntegrityTests {
    /// Some of everything: orders paid by every tender, refunds, gateway payments, wallets.
    static func workload(_ harness: Harness) async throws {
        let service = harness.service
        _ = try ok(await service.openWallet(name: "gift", balance: "100.00"))
        for index in 0..<5 {
            let email = "customer\(index % 2)@example.com"
            let orderId = try ok(await service.createOrder(email: email, amount: "60.00")).response.id
            let cash = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: .cash(tendered: "20.00"), key: "cash-\(index)"))
            let card = try ok(await service.pay(orderId: orderId, amount: "30.00", tender: Cards.card(), key: "card-\(index)"))
            _ = try ok(await service.pay(orderId: orderId, amount: "20.00", tender: .wallet(name: "gift"), key: "wallet-\(index)"))
            _ = try ok(await service.refund(orderId: orderId, paymentId: cash.response.payment.id, amount: "5.00", key: "r-cash-\(index)"))
            _ = try ok(await service.refund(orderId: orderId, paymentId: card.response.payment.id, amount: "7.00", key: "r-card-\(index)"))
            harness.clock.advance(milliseconds: 60_000)
        }
        let payment = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "EUR", key: "auth")).response
        _ = try ok(await service.capture(paymentId: payment.id, amount: "4.00", key: "cap"))
        _ = try ok(await service.refundPayment(paymentId: payment.id, amount: "1.00", key: "refund"))
        let voided = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "3.00", currency: "GBP")).response
        _ = try ok(await service.void(paymentId: voided.id))
        _ = try ok(await service.credit(name: "gift", amount: "2.50", key: "top-up"))
    }

    @Test func theLedgerIsSoundAfterAWorkload() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.workload(harness)
        #expect(try harness.database.integrityCheck() == "ok")
        // PostgreSQL enforces its foreign keys on every write: SQLite's are checked here.
        if !harness.database.isPostgres {
            let foreignKeys = try await harness.database.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count }
            #expect(foreignKeys == 0)
        }
        // Read models agree with the history they were written beside.
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events WHERE kind = 'created'") == 5)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events WHERE kind = 'paid'") == 15)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_events WHERE kind = 'refunded'") == 10)
        #expect(try await harness.count("SELECT SUM(paid) FROM orders") == 5 * 6000)
        #expect(try await harness.count("SELECT SUM(refunded) FROM orders") == 5 * 1200)
        #expect(try await harness.count("SELECT SUM(amount) FROM order_payments") == 5 * 6000)
        #expect(try ok(await harness.service.wallet(name: "gift")).balance == 10_000 - 5 * 2000 + 250)
        #expect(try await harness.count("SELECT balance_after FROM wallet_events ORDER BY seq DESC LIMIT 1") == 250)
        #expect(try await harness.count("SELECT COUNT(*) FROM idempotency WHERE state != 'completed'") == 0)
    }

    @Test(arguments: ["order_events", "payment_events", "wallet_events"])
    func historyIsAppendOnly(table: String) async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.workload(harness)
        let rows = try await harness.count("SELECT COUNT(*) FROM \(table)")
        let total = try await harness.count("SELECT SUM(amount) FROM \(table)")
        #expect(rows > 0)
        for sql in ["UPDATE \(table) SET amount = amount + 1", "DELETE FROM \(table)", "DELETE FROM \(table) WHERE seq = 1"] {
            let error = await #expect(throws: (any Error).self, "\(sql)") {
                try await harness.database.write { ledger in try ledger.db.execute(sql: sql) }
            }
            if harness.database.isPostgres {
                // The trigger refuses it as a constraint violation, with SQLite's message.
                let described = error.map(StorageFailure.describe) ?? ""
                #expect(described == "PostgreSQL error 23000: \(table) is append-only", "\(described)")
            } else {
                #expect((error as? DatabaseError)?.message?.contains("append-only") == true, "\(String(describing: error))")
            }
        }
        #expect(try await harness.count("SELECT COUNT(*) FROM \(table)") == rows)
        #expect(try await harness.count("SELECT SUM(amount) FROM \(table)") == total)
    }

    @Test(.sqliteOnly) func everyCommitIsDurableAndTheFileIsInWalMode() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let synchronous = try await harness.database.pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(synchronous == 2)
        let journal = try await harness.database.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        // Still FULL on a second pool opened on the same file (another process).
        let second = try TillDatabase.open(path: harness.databasePath, secretsDirectory: harness.directory.secrets)
        #expect(try await second.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    }

    @Test(.sqliteOnly) func ordersByEmailUseTheCustomerIndex() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.workload(harness)
        let plans = try await harness.database.pool.read { db -> [String] in
            let first = try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT * FROM orders WHERE email_key = ? ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: ["customer0@example.com", 100]).map { $0["detail"] as String }
            let page = try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT * FROM orders WHERE email_key = ? AND (created_at, id) < (?, ?)
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: ["customer0@example.com", 0, "x", 100]).map { $0["detail"] as String }
            return [first.joined(separator: "; "), page.joined(separator: "; ")]
        }
        for plan in plans {
            #expect(plan.contains("orders_by_customer"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "sorted without the index: \(plan)")
        }
    }

    /// The service answers through the index, newest first, matching the email in any case.
    @Test func ordersByEmailAreNewestFirstInAnyCase() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.workload(harness)
        let listed = try ok(await harness.service.orders(email: "CUSTOMER0@Example.com")).orders
        #expect(listed.count == 3)
        #expect(listed.map(\.createdAt) == listed.map(\.createdAt).sorted(by: >))
    }
}
