import Foundation
import Testing
import TillCore
@testable import TillService
import TillStore

/// The drawer's running figures are kept as read models (an open session's on its row, the
/// lines moved with no drawer open in `drawer_outside`), so a sale is checked against them and
/// not against the whole day again. They must always be the fold of the journal: `till check`
/// compares them, and a ledger from before them gets them on its first open.
@Suite(.serialized) struct DrawerFiguresModelTests {
    /// Cash and card with no drawer open, a session with every kind of line and a close, then
    /// cash outside again.
    static func aDay(_ harness: Harness) async throws {
        let service = harness.service
        for n in 0..<3 {
            let order = try ok(await service.createOrder(email: "out\(n)@example.com", amount: "12.00", key: "o\(n)")).response
            _ = try ok(await service.pay(orderId: order.id, amount: "12.00", tender: .cash(tendered: "20.00"), key: "p\(n)"))
        }
        _ = try ok(await service.openDrawer(float: "100.00", key: "open"))
        for n in 3..<8 {
            let order = try ok(await service.createOrder(email: "in\(n)@example.com", amount: "30.00", key: "o\(n)")).response
            let tender: TenderInput = n % 2 == 0 ? .cash(tendered: "50.00") : Cards.card()
            let paid = try ok(await service.pay(orderId: order.id, amount: "30.00", tender: tender, key: "p\(n)")).response
            _ = try ok(await service.refund(orderId: order.id, paymentId: paid.payment.id, amount: "5.00", key: "r\(n)"))
        }
        _ = try ok(await service.payIn(amount: "20.00", reason: "change", key: "in"))
        _ = try ok(await service.payOut(amount: "7.50", reason: "milk", key: "out"))
        _ = try ok(await service.closeDrawer(counted: "200.00", key: "close"))
        let order = try ok(await service.createOrder(email: "late@example.com", amount: "9.00", key: "late")).response
        _ = try ok(await service.pay(orderId: order.id, amount: "9.00", tender: .cash(tendered: "10.00"), key: "late-pay"))
    }

    @Test("the stored figures are the journal's fold, and a changed one is named by till check")
    func storedFiguresAreTheFold() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.aDay(harness)
        #expect(try harness.database.check().isSound)
        #expect(try await harness.count("SELECT COUNT(*) FROM drawer_outside WHERE currency = 'USD'") == 1)

        try await harness.database.write { ledger in
            try ledger.db.execute(sql: "UPDATE drawer_sessions SET figures = replace(figures, '\"paidIn\":2000', '\"paidIn\":2001')")
            try ledger.db.execute(sql: "UPDATE drawer_outside SET figures = replace(figures, '\"cashSales\":1', '\"cashSales\":2')")
        }
        let found = try harness.database.check().differences.map { "\($0.table).\($0.column)" }
        #expect(found.contains("drawer_sessions.figures"), "\(found)")
        #expect(found.contains("drawer_outside.figures"), "\(found)")
    }

    /// The migration of an old SQLite ledger (a PostgreSQL ledger is made at the latest schema).
    @Test("a ledger from before the stored figures gets them on its first open, and goes on from them", .sqliteOnly)
    func aLedgerFromBeforeGetsThemOnOpen() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.aDay(harness)
        _ = try ok(await harness.service.openDrawer(float: "10.00", key: "open-2"))
        let order = try ok(await harness.service.createOrder(email: "next@example.com", amount: "4.00", key: "next")).response
        _ = try ok(await harness.service.pay(orderId: order.id, amount: "4.00", tender: .cash(tendered: "5.00"), key: "next-pay"))
        // Back to the schema before "v6-drawer-figures".
        try await harness.database.write { ledger in
            try ledger.db.execute(sql: """
                ALTER TABLE drawer_sessions DROP COLUMN figures;
                DROP TABLE drawer_outside;
                DELETE FROM grdb_migrations WHERE identifier = 'v6-drawer-figures';
                """)
        }
        let reopened = try TillDatabase.open(path: harness.databasePath, secretsDirectory: harness.directory.secrets)
        #expect(try reopened.check().isSound)
        let service = TillService(database: reopened, processor: harness.goblin, clock: harness.clock.function, ids: .random)
        let more = try ok(await service.createOrder(email: "after@example.com", amount: "6.00", key: "after")).response
        _ = try ok(await service.pay(orderId: more.id, amount: "6.00", tender: .cash(tendered: "6.00"), key: "after-pay"))
        let report = try ok(await service.closeDrawer(counted: "20.00", key: "close-2")).response
        // 10.00 float + 4.00 + 6.00 cash kept.
        #expect(report.expected == 2000)
        #expect(try reopened.check().isSound)
    }
}
