import Foundation
import GRDB
import Testing
import TillCore
import TillService
import TillStore

/// Issue 10, point 4, on a real ledger: one key, one email, one wallet however the text was
/// typed; the cash rule; and storage errors that carry no SQL.
@Suite("Canonical text and input edges on the ledger")
struct CanonicalTextTests {
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"

    @Test func aCreditRetriedWithTheKeyTypedDecomposedIsReplayedNotCreditedTwice() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: Self.nfc))
        let first = try ok(await service.credit(name: Self.nfc, amount: "1.00", key: Self.nfc))
        let second = try ok(await service.credit(name: Self.nfd, amount: "1.00", key: Self.nfd))
        #expect(!first.replayed)
        #expect(second.replayed)
        #expect(try ok(await service.wallet(name: Self.nfd)).balance == 100)
        #expect(try await harness.count("SELECT COUNT(*) FROM wallet_events") == 2)  // opened + one credit
    }

    @Test func aCustomerIsFoundHoweverTheirEmailIsTypedOrCased() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let jose = try ok(await service.createOrder(email: "jos\u{E9}@example.com", amount: "10.00"))
        let inci = try ok(await service.createOrder(email: "\u{130}nci@example.com", amount: "20.00"))
        #expect(try ok(await service.orders(email: "jose\u{301}@example.com")).orders.map(\.id) == [jose.response.id])
        #expect(try ok(await service.orders(email: "inci@example.com")).orders.map(\.id) == [inci.response.id])
        #expect(try ok(await service.orders(email: "INCI@EXAMPLE.COM")).orders.map(\.id) == [inci.response.id])
        #expect(try ok(await service.customer(email: "inci@example.com")).email == "\u{130}nci@example.com")
        #expect(try ok(await service.customers(prefix: "inc")).map(\.email) == ["\u{130}nci@example.com"])
        #expect(try ok(await service.customers(prefix: "JOSE\u{301}")).map(\.email) == ["jos\u{E9}@example.com"])
    }

    /// A ledger written before v4 holds keys as the old rules made them: `lowercased()` of the
    /// email as typed (decomposed accents stay decomposed, "İ" becomes "i" + U+0307), wallet
    /// keys and request keys as typed. Opening it re-keys them, byte for byte.
    /// The v4 migration of an old SQLite ledger (a PostgreSQL ledger is made at the latest schema).
    @Test(.sqliteOnly) func aLedgerKeyedBeforeCanonicalTextIsReKeyedOnOpen() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.createOrder(email: "\u{130}nci@example.com", amount: "20.00"))
        _ = try ok(await service.createOrder(email: "inci@example.com", amount: "5.00"))
        _ = try ok(await service.createOrder(email: "jos\u{E9}@example.com", amount: "7.00"))
        let decomposed = try ok(await service.createOrder(email: "jos\u{E9}@example.com", amount: "3.00")).response
        _ = try ok(await service.openWallet(name: Self.nfc, customer: "inci@example.com"))
        _ = try ok(await service.credit(name: Self.nfc, amount: "4.00", key: "k-" + Self.nfc))
        let oldInci = "\u{130}nci@example.com".lowercased()
        let oldJose = "jose\u{301}@example.com"
        try await harness.database.pool.write { db in
            func lifting(_ trigger: String, _ work: () throws -> Void) throws {
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [trigger]) ?? ""
                try db.execute(sql: "DROP TRIGGER \(trigger)")
                try work()
                try db.execute(sql: sql)
            }
            try lifting("orders_identity_fixed") {
                try db.execute(sql: "UPDATE orders SET email_key = ? WHERE email = ?", arguments: [oldInci, "\u{130}nci@example.com"])
                try db.execute(sql: "UPDATE orders SET email = ?, email_key = ? WHERE id = ?", arguments: [oldJose, oldJose, decomposed.id])
            }
            try lifting("wallet_events_no_update") {
                try db.execute(sql: "UPDATE wallets SET key = ?, name = ?, customer_key = ?", arguments: [Self.nfd, Self.nfd, oldInci])
                try db.execute(sql: "UPDATE wallet_events SET wallet_key = ?", arguments: [Self.nfd])
            }
            try db.execute(sql: "UPDATE idempotency SET key = ? WHERE key = ?", arguments: ["k-" + Self.nfd, "k-" + Self.nfc])
            try db.execute(sql: "DELETE FROM customer_totals")
            try db.execute(sql: """
                INSERT INTO customer_totals (email_key, currency, email, orders, open_orders, ordered, paid, refunded,
                    owing, first_order_at, last_order_at)
                SELECT email_key, currency, MAX(email), COUNT(*), SUM(paid < total), SUM(total), SUM(paid), SUM(refunded),
                    SUM(total - paid), MIN(created_at), MAX(created_at) FROM orders GROUP BY email_key, currency
                """)
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4-canonical-keys'")
        }
        #expect(try await harness.count("SELECT COUNT(*) FROM customer_totals") == 4)

        let reopened = try harness.anotherService()
        #expect(try ok(await reopened.orders(email: "inci@example.com")).orders.count == 2)
        #expect(try ok(await reopened.orders(email: "jos\u{E9}@example.com")).orders.count == 2)
        #expect(try ok(await reopened.customer(email: "\u{130}NCI@example.com")).totals.map(\.ordered) == [2500])
        #expect(try ok(await reopened.customer(email: "JOSE\u{301}@example.com")).totals.map(\.ordered) == [1000])
        #expect(try await harness.count("SELECT COUNT(*) FROM customer_totals") == 2)
        // The wallet answers to its name typed either way, with its history, and is still hers.
        #expect(try ok(await reopened.wallet(name: Self.nfc)).balance == 400)
        #expect(try ok(await reopened.walletHistory(name: Self.nfc)).count == 2)
        #expect(try ok(await reopened.customer(email: "inci@example.com")).storeCredit.map(\.balance) == [400])
        // The completed credit replays under its key typed precomposed: no second credit.
        #expect(try ok(await reopened.credit(name: Self.nfc, amount: "4.00", key: "k-" + Self.nfc)).replayed)
        #expect(try ok(await reopened.wallet(name: Self.nfd)).balance == 400)
        // The lifted triggers are back in force.
        await #expect(throws: (any Error).self) {
            try await harness.database.pool.write { db in try db.execute(sql: "UPDATE orders SET email_key = 'x'") }
        }
        await #expect(throws: (any Error).self) {
            try await harness.database.pool.write { db in try db.execute(sql: "UPDATE wallet_events SET amount = 1") }
        }
    }

    @Test func aCashInstallmentAboveTheBalanceDueIsRefusedAndChangesNothing() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let order = try ok(await service.createOrder(email: "max@example.com", amount: "1000000.00")).response
        let refused = await service.pay(orderId: order.id, amount: "1000000.01", tender: .cash(tendered: "1000000.01"), key: "c1")
        #expect(code(refused) == .exceedsBalanceDue)
        #expect(try await harness.count("SELECT COUNT(*) FROM order_payments") == 0)
        let paid = try ok(await service.pay(orderId: order.id, amount: "1000000.00", tender: .cash(tendered: "1000000.01"), key: "c2"))
        #expect(paid.response.payment.change == 1)
        #expect(paid.response.order.status == .paid)
    }

    @Test func aStorageErrorNamesTheDatabasesReasonButNoStatementOrArgument() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openWallet(name: "house"))
        try await harness.execute("DROP TABLE wallet_events")
        let result = await service.credit(name: "house", amount: "1.00", key: "secret-key-123")
        #expect(code(result) == .storageError)
        if case .failure(let rejection) = result {
            #expect(rejection.message.contains(harness.database.isPostgres ? "PostgreSQL error" : "SQLite error"), "\(rejection.message)")
            for leaked in ["SELECT", "INSERT", "UPDATE", "secret-key-123", "arguments"] {
                #expect(!rejection.message.contains(leaked), "\(rejection.message)")
            }
        }
    }
}
