import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor
@testable import TillService
@testable import TillStore

/// The POS screens' reads against a real ledger: the dashboard's days in a local time zone,
/// customers found as they are typed, pages that neither repeat nor skip, wallets by owner,
/// and the indexes and aggregates that keep all of it instant on a long history.
@Suite("POS queries")
struct ReadQueryTests {
    static func at(_ text: String) throws -> Instant { try #require(Timestamp.parse(text)) }

    /// Yesterday and today around 2026-03-15T10:00Z (12:00 in UTC+2, whose day began at
    /// 2026-03-14T22:00Z): four sales yesterday, one of them after midnight in UTC+2 only;
    /// today card, store credit, euros, a refund of yesterday's card sale and two open orders.
    static func twoDays(_ harness: Harness) async throws {
        let service = harness.service, clock = harness.clock
        clock.set(try at("2026-03-14T12:00:00Z"))
        let ann = try ok(await service.createAndPay(email: "ann@example.com", amount: "30.00", tender: Cards.card(), key: "ann")).response
        _ = try ok(await service.createAndPay(email: "bob@example.com", amount: "20.00", tender: .cash(tendered: "20.00"), key: "bob"))
        clock.set(try at("2026-03-14T21:30:00Z"))
        _ = try ok(await service.createAndPay(email: "cara@example.com", amount: "12.00", tender: .cash(tendered: "12.00"), key: "cara"))
        clock.set(try at("2026-03-14T23:00:00Z"))
        let dan = try ok(await service.createAndPay(email: "dan@example.com", amount: "15.00", tender: .cash(tendered: "20.00"), key: "dan"))
        #expect(dan.response.payment.change == 500)

        clock.set(try at("2026-03-15T09:00:00Z"))
        _ = try ok(await service.openWallet(name: "Erin credit", balance: "50.00", customer: "erin@example.com"))
        let erin = try ok(await service.createOrder(email: "erin@example.com", amount: "100.00")).response.id
        clock.advance(milliseconds: 60_000)
        _ = try ok(await service.createAndPay(
            email: "fay@example.com", amount: "8.00", currency: "EUR", tender: .cash(tendered: "8.00"), key: "fay"))
        clock.advance(milliseconds: 60_000)
        _ = try ok(await service.createOrder(email: "dave@example.com", amount: "50.00"))
        clock.advance(milliseconds: 60_000)
        _ = try ok(await service.createOrder(email: "Dave@Example.com", amount: "25.00"))
        clock.advance(milliseconds: 60_000)
        _ = try ok(await service.refund(orderId: ann.order.id, paymentId: ann.payment.id, amount: "5.00", key: "ann-back"))
        clock.advance(milliseconds: 60_000)
        _ = try ok(await service.pay(orderId: erin, amount: "40.00", tender: Cards.card(), key: "erin-card"))
        clock.advance(milliseconds: 60_000)
        _ = try ok(await service.pay(orderId: erin, amount: "10.00", tender: .wallet(name: "erin credit"), key: "erin-credit"))
        clock.set(try at("2026-03-15T10:00:00Z"))
    }

    @Test func theDashboardAddsUpLocalDays() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.twoDays(harness)

        let board = try ok(await harness.service.dashboard(utcOffsetSeconds: 2 * 3600, recent: 3))
        #expect(board.day == "2026-03-15")
        #expect(board.currency == "USD")
        #expect(board.takings == [
            TakingsLine(tender: .cash, currency: "EUR", amount: 800, count: 1),
            TakingsLine(tender: .card, currency: "USD", amount: 4000, count: 1),
            TakingsLine(tender: .cash, currency: "USD", amount: 1500, count: 1),
            TakingsLine(tender: .storeCredit, currency: "USD", amount: 1000, count: 1),
        ])
        #expect(board.refunds == [RefundTotal(currency: "USD", amount: 500, count: 1)])
        #expect(board.ordersCreated == 5)
        #expect(board.paymentsTaken == 4)

        // Fourteen days, oldest first, every one present.
        #expect(board.daily.count == 14)
        #expect(board.daily.first?.day == "2026-03-02")
        #expect(board.daily.map(\.day) == (2...15).map { "2026-03-" + ($0 < 10 ? "0" : "") + "\($0)" })
        #expect(board.daily.allSatisfy { $0.currency == "USD" })
        #expect(board.daily[12] == DailySales(day: "2026-03-14", currency: "USD", amount: 6200, refunded: 0, count: 3))
        #expect(board.daily[13] == DailySales(day: "2026-03-15", currency: "USD", amount: 6500, refunded: 500, count: 3))
        #expect(board.daily[0..<12].allSatisfy { $0.amount == 0 && $0.refunded == 0 && $0.count == 0 })

        #expect(board.recentOrders.map(\.email) == ["Dave@Example.com", "dave@example.com", "fay@example.com"])
        let newest = try #require(board.recentOrders.first)
        #expect(newest.balanceDue == 2500 && newest.paid == 0 && newest.status == .open && newest.paymentCount == 0)
        #expect(newest.createdAt == "2026-03-15T09:03:00.000Z")
        #expect(board.owing == [
            CustomerBalance(email: "Dave@Example.com", currency: "USD", owing: 7500, openOrders: 2),
            CustomerBalance(email: "erin@example.com", currency: "USD", owing: 5000, openOrders: 1),
        ])

        // In UTC, Dan's sale at 23:00 belongs to yesterday.
        let utc = try ok(await harness.service.dashboard(utcOffsetSeconds: 0, days: 2, recent: 0, owing: 0))
        #expect(utc.takings.filter { $0.currency == "USD" }.map(\.tender) == [.card, .storeCredit])
        #expect(utc.daily == [
            DailySales(day: "2026-03-14", currency: "USD", amount: 7700, refunded: 0, count: 4),
            DailySales(day: "2026-03-15", currency: "USD", amount: 5000, refunded: 500, count: 2),
        ])
        #expect(utc.ordersCreated == 4)
        #expect(utc.recentOrders.isEmpty && utc.owing.isEmpty)

        // West of Greenwich it is still the 15th, and the window ends there.
        let newYork = try ok(await harness.service.dashboard(utcOffsetSeconds: -4 * 3600, days: 1))
        #expect(newYork.day == "2026-03-15")
        #expect(newYork.daily.map(\.day) == ["2026-03-15"])
        #expect(code(await harness.service.dashboard(utcOffsetSeconds: 100)) == .invalidRequest)
        #expect(code(await harness.service.dashboard(utcOffsetSeconds: 0, days: 0)) == .invalidRequest)
    }

    @Test func anEmptyLedgerHasAZeroDashboardInDollars() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let board = try ok(await harness.service.dashboard(utcOffsetSeconds: 5 * 3600 + 45 * 60))
        #expect(board.currency == "USD")
        #expect(board.day == "2026-03-15")
        #expect(board.takings.isEmpty && board.refunds.isEmpty && board.recentOrders.isEmpty && board.owing.isEmpty)
        #expect(board.daily.count == 14 && board.daily.allSatisfy { $0.count == 0 && $0.amount == 0 })
        #expect(try ok(await harness.service.ledgerVersion()) == LedgerVersion(orders: 0, payments: 0, wallets: 0))
    }

    @Test func customersAreFoundByPrefixWithoutRegardToCase() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let sale = try ok(await service.createAndPay(
            email: "Ann@Example.com", amount: "10.00", tender: .cash(tendered: "10.00"), key: "ann-1")).response
        _ = try ok(await service.refund(orderId: sale.order.id, paymentId: sale.payment.id, amount: "3.00", key: "ann-back"))
        harness.clock.advance(milliseconds: 60_000)
        _ = try ok(await service.createOrder(email: "ANN@example.com", amount: "20.00", currency: "EUR"))
        for email in ["anna@example.com", "andy@example.org", "bob@example.com", "ANNE@x.io", "Zoë@Example.com"] {
            _ = try ok(await service.createOrder(email: email, amount: "5.00"))
        }

        let an = try ok(await service.customers(prefix: "AN"))
        #expect(an.map(\.email) == ["andy@example.org", "ANN@example.com", "anna@example.com", "ANNE@x.io"])
        #expect(try ok(await service.customers(prefix: "  ann")).map(\.email) == ["ANN@example.com", "anna@example.com", "ANNE@x.io"])
        #expect(try ok(await service.customers(prefix: "an", limit: 2)).map(\.email) == ["andy@example.org", "ANN@example.com"])
        #expect(try ok(await service.customers(prefix: "ZOË")).map(\.email) == ["Zoë@Example.com"])
        #expect(try ok(await service.customers(prefix: "")).count == 6)
        #expect(try ok(await service.customers(prefix: "nobody")).isEmpty)
        #expect(code(await service.customers(prefix: "a", limit: 0)) == .invalidRequest)

        // Ann, as typed on her latest order: both currencies, one order still open.
        let ann = try ok(await service.customer(email: "ann@EXAMPLE.com"))
        #expect(an[1] == ann)
        #expect(ann.email == "ANN@example.com")
        #expect(ann.orderCount == 2 && ann.openOrders == 1)
        #expect(ann.firstOrderAt == "2026-03-15T10:00:00.000Z" && ann.lastOrderAt == "2026-03-15T10:01:00.000Z")
        #expect(ann.totals == [
            CustomerTotal(currency: "EUR", orders: 1, lifetime: 0, ordered: 2000, paid: 0, refunded: 0, owing: 2000),
            CustomerTotal(currency: "USD", orders: 1, lifetime: 700, ordered: 1000, paid: 1000, refunded: 300, owing: 0),
        ])
        #expect(ann.storeCredit.isEmpty)
        #expect(code(await service.customer(email: "nobody@example.com")) == .notFound)
        #expect(code(await service.customer(email: "not an email")) == .invalidEmail)
    }

    @Test func pagesNeitherRepeatNorSkip() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        // Ten of Pat's orders share one millisecond (the page boundary must split ties by id),
        // thirteen follow a minute apart, between other customers' orders; some are paid.
        for index in 0..<23 {
            if index >= 10 { harness.clock.advance(milliseconds: 60_000) }
            let id = try ok(await service.createOrder(email: "pat@example.com", amount: "10.00")).response.id
            if index % 3 == 0 {
                _ = try ok(await service.pay(orderId: id, amount: "10.00", tender: .cash(tendered: "10.00"), key: "pat-\(index)"))
            }
            if index % 5 == 0 { _ = try ok(await service.createOrder(email: "other\(index)@example.com", amount: "3.00")) }
        }
        for _ in 0..<21 { _ = try ok(await service.createOrder(email: "quinn@example.com", amount: "1.00")) }

        func all(_ next: (OrderCursor?) async throws -> OrderPage) async throws -> ([OrderSummaryView], [Int]) {
            var rows: [OrderSummaryView] = [], sizes: [Int] = [], cursor: OrderCursor?
            repeat {
                let page = try await next(cursor)
                rows += page.orders
                sizes.append(page.orders.count)
                cursor = page.next
            } while cursor != nil && sizes.count < 100
            return (rows, sizes)
        }
        let expected = try await harness.database.read { ledger in
            try ledger.orders(emailKey: "pat@example.com").map(\.id)
        }
        let (pat, patSizes) = try await all { try ok(await service.customerOrders(email: "PAT@example.com", limit: 7, after: $0)) }
        #expect(patSizes == [7, 7, 7, 2])
        #expect(pat.map(\.id) == expected)
        let (quinn, quinnSizes) = try await all { try ok(await service.customerOrders(email: "quinn@example.com", limit: 7, after: $0)) }
        #expect(quinnSizes == [7, 7, 7], "an exact multiple ends without an empty page")
        #expect(Set(quinn.map(\.id)).count == 21)

        let (recent, _) = try await all { try ok(await service.recentOrders(limit: 5, after: $0)) }
        let everyOrder = try await harness.count("SELECT COUNT(*) FROM orders")
        #expect(recent.count == everyOrder && Set(recent.map(\.id)).count == everyOrder)
        let keys = recent.map { ($0.createdAt, $0.id) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 }, "newest first, ties by id")

        #expect(try ok(await service.customerOrders(email: "nobody@example.com", limit: 5, after: nil)) == OrderPage(orders: [], next: nil))
        #expect(code(await service.recentOrders(limit: 0, after: nil)) == .invalidRequest)
        #expect(code(await service.recentOrders(limit: TillService.maximumPage + 1, after: nil)) == .invalidRequest)
        #expect(code(await service.customerOrders(email: "nope", limit: 5, after: nil)) == .invalidEmail)
    }

    @Test func cardPaymentsPageNewestFirstWithOrderInstallments() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        var ids: [String] = []
        for index in 0..<4 {
            ids.append(try ok(await service.authorize(
                number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "\(index + 1).00", currency: "GBP")).response.id)
            if index == 1 { harness.clock.advance(milliseconds: 1000) }
        }
        for index in 0..<3 {
            let sale = try ok(await service.createAndPay(
                email: "card\(index)@example.com", amount: "9.00", tender: Cards.card(), key: "sale-\(index)")).response
            ids.append(try #require(sale.payment.paymentId))
        }
        var seen: [PaymentView] = [], cursor: PaymentCursor?, pages = 0
        repeat {
            let page = try ok(await service.cardPayments(limit: 3, after: cursor))
            seen += page.payments
            cursor = page.next
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(Set(seen.map(\.id)) == Set(ids) && seen.count == ids.count)
        #expect(seen.filter { $0.orderPaymentId != nil }.count == 3)
        let keys = seen.map { ($0.authorizedAt, $0.id) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 })
        #expect(seen.last?.status == .authorized && seen.last?.currency == "GBP")
    }

    @Test func walletsBelongToCustomers() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let opened = try ok(await service.openWallet(name: "gift", customer: " Ann@Example.com "))
        #expect(opened.customer == "ann@example.com")
        _ = try ok(await service.openWallet(name: "Ann house account", overdraft: "50.00", customer: "ann@example.com"))
        _ = try ok(await service.openWallet(name: "bob", customer: "bob@example.com"))
        _ = try ok(await service.openWallet(name: "Counter float"))
        #expect(code(await service.openWallet(name: "x", customer: "not-an-email")) == .invalidEmail)

        #expect(try ok(await service.wallets(customer: "ANN@example.com")).map(\.name) == ["Ann house account", "gift"])
        #expect(try ok(await service.wallets(customer: "nobody@example.com")).isEmpty)
        let all = try ok(await service.wallets())
        #expect(all.map(\.name) == ["Ann house account", "bob", "Counter float", "gift"])
        #expect(all.map(\.customer) == ["ann@example.com", "bob@example.com", nil, "ann@example.com"])
        #expect(try ok(await service.wallets(limit: 2)).count == 2)
        // The owner survives a credit, and the customer screen lists it.
        #expect(try ok(await service.credit(name: "GIFT", amount: "5.00", key: "top-up")).response.customer == "ann@example.com")
        _ = try ok(await service.createOrder(email: "ann@example.com", amount: "1.00"))
        #expect(try ok(await service.customer(email: "ann@example.com")).storeCredit.map(\.name) == ["Ann house account", "gift"])
        // JSON leaves the field out for a wallet nobody owns.
        let json = String(decoding: try JSONEncoder().encode(try ok(await service.wallet(name: "counter float"))), as: UTF8.self)
        #expect(!json.contains("customer"))
    }

    @Test func theVersionMovesWithEveryKindOfWrite() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let start = try ok(await service.ledgerVersion())
        let orderId = try ok(await service.createOrder(email: "v@example.com", amount: "5.00")).response.id
        let afterOrder = try ok(await service.ledgerVersion())
        #expect(afterOrder.orders > start.orders && afterOrder.payments == start.payments && afterOrder.wallets == start.wallets)
        _ = try ok(await service.openWallet(name: "v"))
        let afterWallet = try ok(await service.ledgerVersion())
        #expect(afterWallet.wallets > afterOrder.wallets && afterWallet.orders == afterOrder.orders)
        _ = try ok(await service.pay(orderId: orderId, amount: "5.00", tender: Cards.card(), key: "v-card"))
        let afterCard = try ok(await service.ledgerVersion())
        #expect(afterCard.payments > afterWallet.payments && afterCard.orders > afterWallet.orders)
        // Reads change nothing; another process's write is seen.
        _ = try ok(await service.dashboard(utcOffsetSeconds: 0))
        #expect(try ok(await service.ledgerVersion()) == afterCard)
        _ = try ok(await harness.anotherService().createOrder(email: "w@example.com", amount: "1.00"))
        #expect(try ok(await service.ledgerVersion()).orders > afterCard.orders)
    }

    // MARK: The aggregates and the indexes

    /// `customer_totals` and `takings_by_quarter` hold exactly what the orders say.
    static func expectAggregatesMatchOrders(_ db: any SQLConnection, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let customers = """
            SELECT email_key, currency, orders, open_orders, ordered, paid, refunded, owing, first_order_at, last_order_at
            FROM customer_totals
            """
        let customersFromOrders = """
            SELECT email_key, currency, COUNT(*), SUM(CASE WHEN paid < total THEN 1 ELSE 0 END), SUM(total), SUM(paid), SUM(refunded),
                SUM(total - paid), MIN(created_at), MAX(created_at)
            FROM orders GROUP BY email_key, currency
            """
        let takings = "SELECT quarter, currency, tender, amount, payments, refunded, refunds FROM takings_by_quarter"
        let takingsFromOrders = """
            SELECT quarter, currency, tender, SUM(amount), SUM(payments), SUM(refunded), SUM(refunds) FROM (
                SELECT p.created_at / 900000 AS quarter, o.currency, p.tender, p.amount, 1 AS payments, 0 AS refunded, 0 AS refunds
                FROM order_payments p JOIN orders o ON o.id = p.order_id
                UNION ALL
                SELECT r.created_at / 900000, o.currency, p.tender, 0, 0, r.amount, 1
                FROM order_refunds r JOIN orders o ON o.id = r.order_id JOIN order_payments p ON p.id = r.order_payment_id
            ) AS lines GROUP BY quarter, currency, tender
            """
        for (kept, derived) in [(customers, customersFromOrders), (takings, takingsFromOrders)] {
            let extra = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(kept) EXCEPT \(derived)) AS extra")
            let missing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(derived) EXCEPT \(kept)) AS missing")
            #expect(extra == 0 && missing == 0, "\(kept)", sourceLocation: sourceLocation)
        }
        #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_totals") ?? 0 > 0, sourceLocation: sourceLocation)
    }

    @Test func theAggregatesFollowEveryWrite() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await Self.twoDays(harness)
        try await LedgerIntegrityTests.workload(harness)
        try await harness.database.read { ledger in try Self.expectAggregatesMatchOrders(ledger.db) }
        // An order keeps what the aggregates were built from: its trigger refuses the change.
        let error = await #expect(throws: (any Error).self) {
            try await harness.execute("UPDATE orders SET total = total + 1")
        }
        if harness.database.isPostgres {
            #expect(error.map(StorageFailure.describe)?.hasPrefix("PostgreSQL error 23000: ") == true, "\(String(describing: error))")
        } else {
            #expect(error is DatabaseError, "\(String(describing: error))")
        }
    }

    @Test func migratingALedgerBuildsTheAggregatesFromItsOrders() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let queue = try DatabaseQueue(path: directory.path("v1.sqlite"))
        try LedgerSchema.migrator.migrate(queue, upTo: "v1-ledger")
        let start = TestClock.start
        func orders(_ count: Int, from first: Int) throws -> [Order] {
            try (first..<first + count).map { index in
                let time = start.adding(TimeSpan(milliseconds: Int64(index) * 700_000))
                let email = try Email.parse(index % 3 == 0 ? "Ann@Example.com" : "bob\(index % 4)@example.com").get()
                var order = try Order.create(
                    id: "ord_\(index)", email: email,
                    total: Money(minorUnits: 1000 + Int64(index), currency: index % 5 == 0 ? .eur : .usd), at: time).get()
                if index % 2 == 0 {
                    order = try order.recordingPayment(
                        id: "opay_\(index)", amount: Money(minorUnits: 600, currency: order.currency),
                        tender: .cash(tendered: Money(minorUnits: 1000, currency: order.currency)), at: time).get().0
                }
                if index % 4 == 0 {
                    order = try order.recordingRefund(
                        id: "ref_\(index)", ofPayment: "opay_\(index)", amount: Money(minorUnits: 100, currency: order.currency),
                        at: time.adding(TimeSpan(milliseconds: 3_600_000))).get().0
                }
                return order
            }
        }
        let before = try orders(40, from: 0), after = try orders(20, from: 40)
        try await queue.write { db in
            for order in before { try Ledger(db: db).save(order, at: start) }
        }
        try LedgerSchema.migrator.migrate(queue)
        try await queue.read { try Self.expectAggregatesMatchOrders(Ledger(db: $0).db) }
        // And they follow the writes after it.
        try await queue.write { db in
            for order in after { try Ledger(db: db).save(order, at: start) }
        }
        try await queue.read { try Self.expectAggregatesMatchOrders(Ledger(db: $0).db) }
    }

    /// Each POS statement, as the ledger runs it, reads through an index: no table scan and
    /// no sort of a whole table, whatever the table's size.
    @Test(.sqliteOnly, arguments: [
        ("customer prefix", ReadSQL.customersByPrefix, "customer_totals USING PRIMARY KEY (email_key>? AND email_key<?)"),
        ("customer", ReadSQL.customer, "customer_totals USING PRIMARY KEY (email_key=?)"),
        ("customer orders", ReadSQL.customerOrders, "orders_by_customer"),
        ("customer wallets", ReadSQL.customerWallets, "wallets_by_customer"),
        ("owing", ReadSQL.owing, "customer_totals_owing"),
        ("takings", ReadSQL.takings, "takings_by_quarter USING PRIMARY KEY (quarter>? AND quarter<?)"),
        ("orders created", ReadSQL.ordersCreated, "COVERING INDEX orders_by_time"),
        ("recent orders", ReadSQL.recentOrders, "orders_by_time"),
        ("card payments", ReadSQL.payments, "payments_by_time"),
        ("version", ReadSQL.marks, "SEARCH wallet_events"),
        ("order by id prefix", ReadSQL.ordersByIdPrefix, "sqlite_autoindex_orders_1 (id>? AND id<?)"),
        ("open holds", ReadSQL.openHolds, "payments_open_holds"),
        ("refunds to store credit", ReadSQL.refundsToStoreCredit, "order_refunds_to_wallet"),
    ])
    func everyPOSQueryUsesAnIndex(name: String, sql: String, index: String) async throws {
        let harness = try Harness()
        defer { harness.remove() }
        try await LedgerIntegrityTests.workload(harness)
        let plan = try await harness.database.pool.read { db -> [String] in
            let arguments: StatementArguments = sql.contains(":start")
                ? ["start": 1, "size": 96, "end": 1345]
                : StatementArguments(Array(repeating: 1, count: sql.filter { $0 == "?" }.count))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
        let text = plan.joined(separator: "; ")
        #expect(text.contains(index), "\(name): \(text)")
        for line in plan where line.hasPrefix("SCAN ") {
            #expect(line == "SCAN CONSTANT ROW" || line.contains(" USING "), "\(name) scans a table: \(text)")
        }
        #expect(!text.contains("TEMP B-TREE FOR ORDER BY"), "\(name) sorts without an index: \(text)")
    }
}
