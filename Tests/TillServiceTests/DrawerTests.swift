import Foundation
import Testing
import TillCore
import TillService
import TillStore

/// The cash drawer and the operator on every money event (issue 11). The end of day is
/// recomputed from the ledger's event rows with SQL, never from the read models or the core.
@Suite(.serialized) struct DrawerTests {
    /// One currency's end of day: amounts as typed, and what each figure must come to.
    struct Day: Sendable, CustomStringConvertible {
        let currency: String
        let float: String
        let cashOrder: String, cashTendered: String
        let cardOrder: String
        let creditOrder: String
        let cashRefund: String
        let payIn: String, payOut: String
        /// Minor units: float + cash taken (after change) − cash refund + paid in − paid out.
        let expected: Int64
        let takings: Int64
        let countedOver: String, over: Int64

        var description: String { currency }

        static let usd = Day(
            currency: "USD", float: "100.00", cashOrder: "30.00", cashTendered: "50.00", cardOrder: "40.00", creditOrder: "25.00",
            cashRefund: "5.00", payIn: "20.00", payOut: "7.50",
            expected: 10_000 + 3_000 - 500 + 2_000 - 750, takings: 4_000 + 3_000 - 500, countedOver: "138.00", over: 50)
        static let jpy = Day(
            currency: "JPY", float: "10000", cashOrder: "3000", cashTendered: "5000", cardOrder: "4000", creditOrder: "2500",
            cashRefund: "500", payIn: "2000", payOut: "750",
            expected: 10_000 + 3_000 - 500 + 2_000 - 750, takings: 4_000 + 3_000 - 500, countedOver: "13800", over: 50)
    }

    static func name(_ text: String) throws -> OperatorName {
        switch OperatorName.parse(text) {
        case .success(let name): return name
        case .failure(let rejection): throw rejection
        }
    }

    /// Runs the scripted day: Ana opens, sells for cash and store credit, pays in; Ben sells by
    /// card, refunds cash, pays out; Ana counts `counted` and closes. Answers the Z report.
    static func runDay(_ day: Day, harness: Harness, counted: String) async throws -> DrawerReportView {
        let ana = harness.service.acting(as: try name("Ana"))
        let ben = harness.service.acting(as: try name("Ben"))
        let opened = try ok(await ana.openDrawer(float: day.float, currency: day.currency, key: "open-\(day.currency)"))
        #expect(opened.response.state == "open")
        let cash = try ok(await ana.createAndPay(
            email: "cash@example.com", amount: day.cashOrder, currency: day.currency, tender: .cash(tendered: day.cashTendered),
            key: "cash-\(day.currency)")).response
        _ = try ok(await ben.createAndPay(
            email: "card@example.com", amount: day.cardOrder, currency: day.currency, tender: Cards.card(), key: "card-\(day.currency)"))
        _ = try ok(await harness.service.openWallet(
            name: "gift-\(day.currency)", currency: day.currency, balance: day.creditOrder, customer: "credit@example.com"))
        _ = try ok(await ana.createAndPay(
            email: "credit@example.com", amount: day.creditOrder, currency: day.currency, tender: .wallet(name: "gift-\(day.currency)"),
            key: "credit-\(day.currency)"))
        _ = try ok(await ben.refund(
            orderId: cash.order.id, paymentId: cash.payment.id, amount: day.cashRefund, key: "refund-\(day.currency)"))
        _ = try ok(await ana.payIn(amount: day.payIn, reason: "Change from the bank", currency: day.currency, key: "in-\(day.currency)"))
        _ = try ok(await ben.payOut(amount: day.payOut, reason: "Window cleaner", currency: day.currency, key: "out-\(day.currency)"))
        let x = try ok(await ana.xReport(currency: day.currency))
        #expect(x.report == .x && x.state == "open" && x.expected == day.expected)
        let z = try ok(await ana.closeDrawer(counted: counted, currency: day.currency, key: "close-\(day.currency)")).response
        #expect(z.report == .z && z.state == "closed")
        return z
    }

    @Test("A scripted end of day: every Z figure recomputed from the event rows", arguments: [Day.usd, Day.jpy])
    func endOfDay(day: Day) async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let z = try await Self.runDay(day, harness: harness, counted: day.countedOver)
        let session = try #require(z.session)

        // The figures by hand.
        #expect(z.expected == day.expected)
        #expect(z.takings == day.takings)
        #expect(z.difference == day.over)

        // The same figures from the event tables alone.
        let fromEvents = try await harness.database.read { ledger in try EventFigures(ledger.db, session: session, currency: day.currency) }
        #expect(z.float == fromEvents.float)
        #expect(z.cashSales == fromEvents.cashTendered)
        #expect(z.changeGiven == fromEvents.change)
        #expect(z.cashRefunds == fromEvents.cashRefunds)
        #expect(z.paidIn == fromEvents.paidIn)
        #expect(z.paidOut == fromEvents.paidOut)
        #expect(z.expected == fromEvents.float + fromEvents.cashTendered - fromEvents.change - fromEvents.cashRefunds
            + fromEvents.paidIn - fromEvents.paidOut)
        #expect(z.counted == fromEvents.counted)
        #expect(z.difference == fromEvents.counted - z.expected)
        #expect(z.byTender["card"]?.taken == fromEvents.cardCaptured)
        #expect(z.byTender["card"]?.refunded == 0)
        #expect(z.byTender["cash"]?.taken == fromEvents.cashTendered - fromEvents.change)
        #expect(z.storeCreditRedeemed == fromEvents.walletDebits)
        #expect(z.takings == fromEvents.cardCaptured + fromEvents.cashTendered - fromEvents.change - fromEvents.cashRefunds)
        // Every installment and refund of the day is in the report, whatever its tender.
        #expect(fromEvents.orderPaid == z.byTender.values.map(\.taken).reduce(0, +))
        #expect(fromEvents.orderRefunded == z.byTender.values.map(\.refunded).reduce(0, +))
        #expect(z.counts.sales == fromEvents.sales && z.counts.sales == 3)
        #expect(z.counts.refunds == 1 && z.counts.payIns == 1 && z.counts.payOuts == 1)
        #expect(z.voids.count == 0)

        // By operator: who took and gave back what, from the order events' operator column.
        #expect(Set(z.byOperator.keys) == ["ana", "ben"])
        for (key, figures) in z.byOperator {
            let paid = fromEvents.paidByOperator[figures.name ?? ""] ?? 0
            let refunded = fromEvents.refundedByOperator[figures.name ?? ""] ?? 0
            #expect(figures.card + figures.cash + figures.storeCredit == paid, "\(key)")
            #expect(figures.cardRefunds + figures.cashRefunds + figures.storeCreditRefunds == refunded, "\(key)")
        }
        #expect(z.byOperator["ana"]?.paidIn == fromEvents.paidIn && z.byOperator["ben"]?.paidOut == fromEvents.paidOut)
        #expect(z.byOperator["ben"]?.cashRefunds == fromEvents.cashRefunds)
        #expect(z.openedBy == "Ana" && z.closedBy == "Ana")

        // The read models agree with their events.
        #expect(try harness.database.check().isSound)
    }

    @Test("Over and short are recorded, never refused")
    func overAndShort() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let over = try await Self.runDay(.usd, harness: harness, counted: "140.00")
        #expect(over.difference == 250 && over.counted == 14_000)
        _ = try ok(await harness.service.openDrawer(float: "50.00", key: "second"))
        let short = try ok(await harness.service.closeDrawer(counted: "48.25", key: "second-close")).response
        #expect(short.difference == -175 && short.expected == 5_000)
        let stored = try await harness.database.read { ledger in
            try Int64.fetchAll(ledger.db, sql: "SELECT amount FROM drawer_events WHERE kind = 'closed' ORDER BY seq")
        }
        #expect(stored == [14_000, 4_825])
        // The Z of each session stays what it was.
        #expect(try ok(await harness.service.zReport(session: over.session)).difference == 250)
        #expect(try ok(await harness.service.zReport()).difference == -175)
    }

    @Test("Drawer commands replay by key, for any operator; another request under the key is refused")
    func replays() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let ana = harness.service.acting(as: try Self.name("ana"))
        let first = try ok(await ana.openDrawer(float: "100.00", key: "open"))
        let again = try ok(await harness.service.openDrawer(float: "100.00", key: "open"))
        #expect(again.replayed && again.response == first.response)
        let payIn = try ok(await ana.payIn(amount: "10.00", reason: "float top-up", key: "in"))
        // A colleague retrying the same pay-in replays it: the operator is not in the fingerprint.
        let retried = try ok(await harness.service.acting(as: try Self.name("ben")).payIn(amount: "10.00", reason: "float top-up", key: "in"))
        #expect(retried.replayed && retried.response == payIn.response && retried.response.operator == "ana")
        #expect(code(await ana.payIn(amount: "11.00", reason: "float top-up", key: "in")) == .idempotencyKeyReused)
        #expect(code(await ana.payOut(amount: "10.00", reason: "float top-up", key: "in")) == .idempotencyKeyReused)
        let closed = try ok(await ana.closeDrawer(counted: "110.00", key: "close"))
        // After the close, the replays still answer (the key says which drawer).
        let closedAgain = try ok(await ana.closeDrawer(counted: "110.00", key: "close"))
        #expect(closedAgain.replayed && closedAgain.response == closed.response)
        #expect(try ok(await ana.payIn(amount: "10.00", reason: "float top-up", key: "in")).replayed)
        #expect(try await harness.count("SELECT COUNT(*) FROM drawer_events WHERE kind = 'paid_in'") == 1)
        #expect(try await harness.count("SELECT COUNT(*) FROM drawer_events WHERE kind = 'closed'") == 1)
    }

    @Test("Refusals: drawer_not_open, drawer_already_open, invalid_reason, amounts; bad input changes nothing")
    func refusals() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        #expect(code(await service.payIn(amount: "5.00", reason: "x", key: "a")) == .drawerNotOpen)
        #expect(code(await service.closeDrawer(counted: "5.00")) == .drawerNotOpen)
        #expect(code(await service.openDrawer(float: "-1")) == .invalidAmount)
        #expect(code(await service.openDrawer(float: "1.5", currency: "JPY")) == .invalidAmount)
        #expect(code(await service.openDrawer(float: "99999999999999999999")) == .amountTooLarge)
        #expect(code(await service.openDrawer(float: "1", currency: "XXX")) == .unknownCurrency)
        _ = try ok(await service.openDrawer(float: "100.00"))
        #expect(code(await service.openDrawer(float: "100.00")) == .drawerAlreadyOpen)
        // One drawer per currency: a JPY drawer opens beside the USD one.
        _ = try ok(await service.openDrawer(float: "5000", currency: "JPY"))
        #expect(code(await service.payIn(amount: "5.00", reason: "x", key: "b")) == .invalidRequest)
        #expect(code(await service.payIn(amount: "5.00", reason: "  ", currency: "USD", key: "c")) == .invalidReason)
        #expect(code(await service.payIn(amount: "5.00", reason: "bell\u{7}", currency: "USD", key: "c")) == .invalidReason)
        #expect(code(await service.payIn(amount: "5.00", reason: String(repeating: "r", count: 201), currency: "USD", key: "c")) == .invalidReason)
        #expect(code(await service.payOut(amount: "0", reason: "x", currency: "USD", key: "d")) == .invalidAmount)
        #expect(code(await service.payOut(amount: "5.001", reason: "x", currency: "USD", key: "d")) == .invalidAmount)
        #expect(code(await service.payOut(amount: "5.00", reason: "x", currency: "EUR", key: "d")) == .drawerNotOpen)
        #expect(try await harness.count("SELECT COUNT(*) FROM drawer_events") == 2)
        #expect(try await harness.count("SELECT COUNT(*) FROM idempotency WHERE key IN ('a', 'b', 'c', 'd')") == 0)
        // A pay-out may leave the drawer below zero (the count will say so): it is recorded.
        let out = try ok(await service.payOut(amount: "150.00", reason: "bank drop", currency: "USD", key: "e"))
        #expect(out.response.expected == -5_000)
    }

    @Test("Cash that moves with no drawer open is shown apart, never in expected, never lost")
    func cashOutsideASession() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.createAndPay(email: "early@example.com", amount: "12.00", tender: .cash(tendered: "20.00"), key: "early"))
        let none = try ok(await service.xReport())
        #expect(none.session == nil && none.state == "no_session")
        #expect(none.outsideSession.sales == 1 && none.outsideSession.cash == 1_200 && none.outsideSession.cashMovement == 1_200)
        _ = try ok(await service.openDrawer(float: "100.00"))
        _ = try ok(await service.createAndPay(email: "in@example.com", amount: "3.00", tender: .cash(tendered: "3.00"), key: "inside"))
        let x = try ok(await service.xReport())
        #expect(x.expected == 10_300 && x.counts.sales == 1)
        #expect(x.outsideSession.cash == 1_200)
        let z = try ok(await service.closeDrawer(counted: "103.00")).response
        #expect(z.difference == 0 && z.outsideSession.cash == 1_200)
        // The next session starts clean: the early sale was reported with the session after it.
        _ = try ok(await service.openDrawer(float: "100.00"))
        #expect(try ok(await service.xReport()).outsideSession.sales == 0)
        #expect(try await harness.count("SELECT COUNT(*) FROM drawer_events WHERE session_id IS NULL AND kind = 'sale'") == 1)
    }

    @Test("The operator is on every money event and on the order payment's JSON; old rows say till")
    func operatorOnEvents() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let priya = harness.service.acting(as: try Self.name("Priya"))
        _ = try ok(await harness.service.openWallet(name: "house", balance: "50.00"))
        let paid = try ok(await priya.createAndPay(email: "p@example.com", amount: "10.00", tender: Cards.card(), key: "k1")).response
        #expect(paid.payment.operator == "Priya")
        let byCash = try ok(await priya.pay(orderId: try ok(await harness.service.createOrder(
            email: "q@example.com", amount: "9.00", key: "k2")).response.id, amount: "9.00", tender: .wallet(name: "house"), key: "k3"))
        #expect(byCash.response.payment.operator == "Priya")
        #expect(try ok(await harness.service.order(id: paid.order.id)).payments.first?.operator == "Priya")
        let rows = try await harness.database.read { ledger in
            try [
                String.fetchAll(ledger.db, sql: "SELECT DISTINCT operator FROM order_events WHERE kind != 'created'"),
                String.fetchAll(ledger.db, sql: "SELECT DISTINCT operator FROM payment_events"),
                String.fetchAll(ledger.db, sql: "SELECT DISTINCT operator FROM wallet_events WHERE kind = 'debited'"),
                String.fetchAll(ledger.db, sql: "SELECT operator FROM wallet_events WHERE kind = 'opened'"),
            ]
        }
        #expect(rows == [["Priya"], ["Priya"], ["Priya"], ["till"]])
        #expect(try ok(await harness.service.walletHistory(name: "house")).first?.operatorName == "Priya")
    }
}

/// The end of day's figures straight from the event tables: `drawer_events` for the drawer's
/// own lines, and the order, payment and wallet events for what was sold and given back.
struct EventFigures {
    var float: Int64 = 0, counted: Int64 = 0, cashTendered: Int64 = 0, change: Int64 = 0, cashRefunds: Int64 = 0
    var paidIn: Int64 = 0, paidOut: Int64 = 0, cardCaptured: Int64 = 0, walletDebits: Int64 = 0
    var orderPaid: Int64 = 0, orderRefunded: Int64 = 0, sales = 0
    var paidByOperator: [String: Int64] = [:], refundedByOperator: [String: Int64] = [:]

    init(_ db: any SQLConnection, session: String, currency: String) throws {
        func sum(_ sql: String, _ arguments: SQLArguments = [session]) throws -> Int64 {
            try Int64.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
        float = try sum("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'opened'")
        counted = try sum("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'closed'")
        paidIn = try sum("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'paid_in'")
        paidOut = try sum("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'paid_out'")
        // Cash sales: the installments whose order events were journalled as cash in this session.
        cashTendered = try sum("""
            SELECT SUM(e.amount + d.change) FROM order_events e JOIN drawer_events d ON d.reference = e.reference
            WHERE d.session_id = ? AND d.kind = 'sale' AND d.tender = 'cash' AND e.kind = 'paid'
            """)
        change = try sum("SELECT SUM(change) FROM drawer_events WHERE session_id = ? AND kind = 'sale'")
        cashRefunds = try sum("""
            SELECT SUM(e.amount) FROM order_events e JOIN drawer_events d ON d.reference = e.reference
            WHERE d.session_id = ? AND d.kind = 'refund' AND d.tender = 'cash' AND e.kind = 'refunded'
            """)
        // Card takings: what GoblinPay captured, per the payment events of the day.
        cardCaptured = try sum("SELECT SUM(amount) FROM payment_events WHERE kind = 'captured'", [])
        walletDebits = try sum("SELECT SUM(amount) FROM wallet_events WHERE kind = 'debited'", [])
        orderPaid = try sum("SELECT SUM(amount) FROM order_events WHERE kind = 'paid' AND currency = ?", [currency])
        orderRefunded = try sum("SELECT SUM(amount) FROM order_events WHERE kind = 'refunded' AND currency = ?", [currency])
        sales = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_events WHERE kind = 'paid' AND currency = ?", arguments: [currency]) ?? 0
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT operator, kind, SUM(amount) AS total FROM order_events WHERE kind IN ('paid', 'refunded') GROUP BY operator, kind
            """) {
            let name = row["operator"].flatMap(String.decoded) ?? "", kind = row["kind"].flatMap(String.decoded) ?? ""
            let total = row["total"].flatMap(Int64.decoded) ?? 0
            if kind == "paid" { paidByOperator[name] = total } else { refundedByOperator[name] = total }
        }
    }
}

/// The Cards screen's own authorizations (not order installments) count at the counter too.
@Suite struct DrawerGatewayTests {
    @Test("A standalone capture and refund are card takings; a void is counted with the hold it released")
    func gatewayPaymentsInTheReport() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        _ = try ok(await service.openDrawer(float: "0.00"))
        let held = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "30.00", currency: "USD", key: "a1")).response
        _ = try ok(await service.capture(paymentId: held.id, amount: "20.00", key: "c1"))
        _ = try ok(await service.refundPayment(paymentId: held.id, amount: "5.00", key: "r1"))
        let other = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "12.00", currency: "USD", key: "a2")).response
        _ = try ok(await service.void(paymentId: other.id, key: "v1"))
        // An order's card installment is one sale, not two (its capture is journalled through the order).
        _ = try ok(await service.createAndPay(email: "o@example.com", amount: "8.00", tender: Cards.card(), key: "o1"))
        let x = try ok(await service.xReport())
        #expect(x.byTender["card"]?.taken == 2_800 && x.byTender["card"]?.refunded == 500 && x.byTender["card"]?.sales == 2)
        #expect(x.takings == 2_300 && x.expected == 0)
        #expect(x.voids.count == 1 && x.voids.amount == 1_200)
        #expect(try harness.database.check().isSound)
    }
}
