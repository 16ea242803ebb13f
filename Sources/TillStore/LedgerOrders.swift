public import TillCore

// Orders: saved with their installments and refunds, read back through the core (`Order`
// replays them), so a row that breaks a rule is `LedgerCorruption`, not a wrong answer.

extension Ledger {
    public func order(id: String) throws -> Order? {
        try row("orders", id: id).flatMap { try rebuildOrders([$0]).first }
    }

    /// A customer's orders, newest first, one page at a time (`before` = the last order of the
    /// previous page), through the (email_key, created_at) index.
    public func orders(emailKey: String, limit: Int = 100, before: Order? = nil) throws -> [Order] {
        let rows: [SQLRow]
        if let before {
            rows = try SQLRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM orders WHERE email_key = ? AND (created_at, id) < (?, ?)
                ORDER BY created_at DESC, id DESC LIMIT ?
                """), arguments: [emailKey, before.createdAt.millisecondsSinceEpoch, before.id, limit])
        } else {
            rows = try SQLRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM orders WHERE email_key = ? ORDER BY created_at DESC, id DESC LIMIT ?
                """), arguments: [emailKey, limit])
        }
        return try rebuildOrders(rows)
    }

    /// The most recent orders of all customers, newest first.
    public func recentOrders(limit: Int) throws -> [Order] {
        try rebuildOrders(SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM orders ORDER BY created_at DESC, id DESC LIMIT ?"),
            arguments: [limit]))
    }

    public func orderExists(id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?)"), arguments: [id]) ?? false
    }

    public func orderCount() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM orders")) ?? 0
    }

    /// Writes an order's read model from the core value: the order row, any new installments
    /// and refunds, and the refunded totals of existing installments. `cardFingerprints` maps
    /// new card installments to their keyed fingerprint.
    public func save(_ order: Order, cardFingerprints: [String: String] = [:], at now: Instant) throws {
        try db.cachedStatement(sql: """
            INSERT INTO orders (id, email, email_key, currency, total, paid, refunded, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET paid = excluded.paid, refunded = excluded.refunded,
                status = excluded.status, updated_at = excluded.updated_at
            """).execute(arguments: [
                order.id, order.email.address, order.email.key, order.currency.code, order.total.minorUnits,
                order.paid.minorUnits, order.refunded.minorUnits, order.status.rawValue,
                order.createdAt.millisecondsSinceEpoch, now.millisecondsSinceEpoch,
            ])
        for (position, payment) in order.payments.enumerated() {
            var card: CardSummary?
            var tendered: Int64?
            var wallet: String?
            switch payment.tender {
            case .card(let summary): card = summary
            case .cash(let cash): tendered = cash.minorUnits
            case .storeCredit(let name): wallet = name
            }
            try db.cachedStatement(sql: """
                INSERT INTO order_payments (id, order_id, position, amount, change, tendered, tender,
                    card_brand, card_first6, card_last4, card_expiry, card_fingerprint, wallet, payment_id,
                    refunded, state, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET refunded = excluded.refunded, state = excluded.state
                """).execute(arguments: [
                    payment.id, order.id, position, payment.amount.minorUnits, payment.change.minorUnits, tendered,
                    payment.tender.kind.rawValue, card?.brand.rawValue, card?.first6, card?.last4,
                    card.map { Self.expiryText($0.expiry) }, cardFingerprints[payment.id], wallet,
                    payment.gatewayPaymentId, payment.refunded.minorUnits, payment.state.rawValue,
                    payment.createdAt.millisecondsSinceEpoch,
                ])
            for refund in payment.refunds {
                try db.cachedStatement(sql: """
                    INSERT INTO order_refunds (id, order_id, order_payment_id, amount, to_wallet, created_at)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """).execute(arguments: [refund.id, order.id, payment.id, refund.amount.minorUnits, refund.toWallet,
                                     refund.at.millisecondsSinceEpoch])
            }
        }
    }

    /// Appends one line to an order's history (created, paid, refunded), by this ledger's
    /// operator. An installment or a refund is money moving at the counter: its line goes in
    /// the drawer's journal too, in this transaction (`journalOrderMoney`), after `save`.
    public func appendOrderEvent(orderId: String, kind: String, reference: String?, amount: Money, at: Instant) throws {
        try insertOrderEvent(orderId: orderId, kind: kind, reference: reference, amount: amount, at: at)
        if let reference, kind == "paid" || kind == "refunded" {
            try journalOrderMoney(kind: kind, reference: reference, at: at)
        }
    }

    private func insertOrderEvent(orderId: String, kind: String, reference: String?, amount: Money, at: Instant) throws {
        try db.cachedStatement(
            sql: "INSERT INTO order_events (order_id, kind, reference, amount, currency, at, operator) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [
            orderId, kind, reference, amount.minorUnits, amount.currency.code, at.millisecondsSinceEpoch, operatorName.text,
        ])
    }

    /// Writes an order whose whole life is already decided (backfilled or imported history):
    /// the read model as `save` writes it, then one history line per step at its own time.
    /// History is not counter activity: it never enters the drawer's journal.
    public func saveWithHistory(_ order: Order) throws {
        let refunds = order.payments.flatMap(\.refunds).sorted { $0.at < $1.at }
        let last = ([order.createdAt] + order.payments.map(\.createdAt) + refunds.map(\.at)).max() ?? order.createdAt
        try save(order, at: last)
        try insertOrderEvent(orderId: order.id, kind: "created", reference: nil, amount: order.total, at: order.createdAt)
        for payment in order.payments {
            try insertOrderEvent(orderId: order.id, kind: "paid", reference: payment.id, amount: payment.amount, at: payment.createdAt)
        }
        for refund in refunds {
            try insertOrderEvent(orderId: order.id, kind: "refunded", reference: refund.id, amount: refund.amount, at: refund.at)
        }
    }

    /// Replays each order's installments and refunds through the core, in two batched queries.
    private func rebuildOrders(_ rows: [SQLRow]) throws -> [Order] {
        guard !rows.isEmpty else { return [] }
        let ids: [String] = try rows.map { try $0.required("id", in: "orders") }
        let placeholders = Self.questionMarks(count: ids.count)
        // An installment's operator is its `paid` event's (through the events' order index).
        let paymentRows = try SQLRow.fetchAll(
            batched("""
                SELECT p.*, COALESCE((SELECT e.operator FROM order_events e
                    WHERE e.order_id = p.order_id AND e.kind = 'paid' AND e.reference = p.id), 'till') AS operator
                FROM order_payments p WHERE p.order_id IN (\(placeholders)) ORDER BY p.order_id, p.position
                """, count: ids.count),
            arguments: SQLArguments(ids))
        let refundRows = try SQLRow.fetchAll(
            batched("SELECT * FROM order_refunds WHERE order_id IN (\(placeholders)) ORDER BY created_at, rowid", count: ids.count),
            arguments: SQLArguments(ids))
        let paymentsByOrder = try Self.grouped(paymentRows, by: "order_id", in: "order_payments")
        let refundsByOrder = try Self.grouped(refundRows, by: "order_id", in: "order_refunds")
        return try zip(ids, rows).map { id, row in
            try rebuildOrder(row, id: id, payments: paymentsByOrder[id] ?? [], refunds: refundsByOrder[id] ?? [])
        }
    }

    private func rebuildOrder(_ row: SQLRow, id: String, payments: [SQLRow], refunds: [SQLRow]) throws -> Order {
        let currency = try Self.currency(row.required("currency", in: "orders"))
        guard case .success(let email) = Email.parse(try row.required("email", in: "orders")) else {
            throw LedgerCorruption("order \(LedgerCorruption.shown(id)): orders.email is not an email address")
        }
        var order = try Self.unwrap(Order.create(
            id: id, email: email, total: Money(minorUnits: row.required("total", in: "orders"), currency: currency),
            at: Instant(millisecondsSinceEpoch: row.required("created_at", in: "orders"))), "order \(LedgerCorruption.shown(id))")
        for payment in payments {
            let table = "order_payments"
            let paymentId: String = try payment.required("id", in: table)
            let tender: Tender
            switch try payment.required("tender", in: table) as String {
            case Tender.Kind.card.rawValue:
                guard let card = CardSummary(
                    brand: CardBrand(rawValue: try payment.required("card_brand", in: table)) ?? .unknown,
                    first6: try payment.required("card_first6", in: table),
                    last4: try payment.required("card_last4", in: table),
                    expiry: try Self.expiry(payment.required("card_expiry", in: table), in: table))
                else { throw LedgerCorruption("order payment \(LedgerCorruption.shown(paymentId)): \(Self.cardColumns(table))") }
                tender = .card(card)
            case Tender.Kind.cash.rawValue:
                tender = .cash(tendered: Money(minorUnits: try payment.required("tendered", in: table), currency: currency))
            case Tender.Kind.storeCredit.rawValue:
                tender = .storeCredit(wallet: try payment.required("wallet", in: table))
            default:
                throw LedgerCorruption("order payment \(LedgerCorruption.shown(paymentId)): order_payments.tender is not a tender")
            }
            guard let taker = OperatorName.restore(try payment.required("operator", in: table)) else {
                throw LedgerCorruption("order payment \(LedgerCorruption.shown(paymentId)): its order_events.operator is not an operator name")
            }
            order = try Self.unwrap(order.recordingPayment(
                id: paymentId, amount: Money(minorUnits: payment.required("amount", in: table), currency: currency),
                tender: tender, gatewayPaymentId: payment.optional("payment_id", in: table), by: taker,
                at: Instant(millisecondsSinceEpoch: payment.required("created_at", in: table))),
                "order payment \(LedgerCorruption.shown(paymentId))").0
        }
        for refund in refunds {
            let table = "order_refunds"
            order = try Self.unwrap(order.recordingRefund(
                id: refund.required("id", in: table), ofPayment: refund.required("order_payment_id", in: table),
                amount: Money(minorUnits: refund.required("amount", in: table), currency: currency),
                toWallet: refund.optional("to_wallet", in: table),
                at: Instant(millisecondsSinceEpoch: refund.required("created_at", in: table))),
                "order refund (order_refunds.order_id, order_payment_id, amount)").0
        }
        return order
    }

    /// Rows grouped by the text of one column (an order's or a payment's id).
    static func grouped(_ rows: [SQLRow], by column: String, in table: String) throws -> [String: [SQLRow]] {
        var groups: [String: [SQLRow]] = [:]
        for row in rows { groups[try row.required(column, in: table), default: []].append(row) }
        return groups
    }
}
