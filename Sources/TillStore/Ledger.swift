public import GRDB
public import TillCore

/// Typed access to the ledger inside one transaction. Aggregates are rebuilt through the core
/// (orders by replaying their installments and refunds, payments by folding their events), so
/// a row that breaks a domain rule surfaces as `LedgerCorruption` instead of a wrong answer.
public struct Ledger {
    public let db: Database
    /// Who is acting: written on every event this ledger appends (DESIGN §3).
    public let operatorName: OperatorName

    public init(db: Database, operatorName: OperatorName = .till) {
        self.db = db
        self.operatorName = operatorName
    }
}

/// A stored row that the domain refuses: the ledger was edited behind Till's back.
public struct LedgerCorruption: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Orders

extension Ledger {
    public func order(id: String) throws -> Order? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM orders WHERE id = ?"), arguments: [id])
        else { return nil }
        return try rebuildOrders([row]).first
    }

    /// A customer's orders, newest first, one page at a time (`before` = the last order of the
    /// previous page), through the (email_key, created_at) index.
    public func orders(emailKey: String, limit: Int = 100, before: Order? = nil) throws -> [Order] {
        let rows: [Row]
        if let before {
            rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM orders WHERE email_key = ? AND (created_at, id) < (?, ?)
                ORDER BY created_at DESC, id DESC LIMIT ?
                """), arguments: [emailKey, before.createdAt.millisecondsSinceEpoch, before.id, limit])
        } else {
            rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM orders WHERE email_key = ? ORDER BY created_at DESC, id DESC LIMIT ?
                """), arguments: [emailKey, limit])
        }
        return try rebuildOrders(rows)
    }

    /// The most recent orders of all customers, newest first.
    public func recentOrders(limit: Int) throws -> [Order] {
        try rebuildOrders(Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM orders ORDER BY created_at DESC, id DESC LIMIT ?"),
            arguments: [limit]))
    }

    public func orderExists(id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?)"), arguments: [id]) ?? false
    }

    public func orderCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders") ?? 0
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
    private func rebuildOrders(_ rows: [Row]) throws -> [Order] {
        guard !rows.isEmpty else { return [] }
        let ids: [String] = try rows.map { try $0.required("id", in: "orders") }
        let placeholders = databaseQuestionMarks(count: ids.count)
        // An installment's operator is its `paid` event's (through the events' order index).
        let paymentRows = try Row.fetchAll(
            db, sql: """
                SELECT p.*, COALESCE((SELECT e.operator FROM order_events e
                    WHERE e.order_id = p.order_id AND e.kind = 'paid' AND e.reference = p.id), 'till') AS operator
                FROM order_payments p WHERE p.order_id IN (\(placeholders)) ORDER BY p.order_id, p.position
                """,
            arguments: StatementArguments(ids))
        let refundRows = try Row.fetchAll(
            db, sql: "SELECT * FROM order_refunds WHERE order_id IN (\(placeholders)) ORDER BY created_at, rowid",
            arguments: StatementArguments(ids))
        let paymentsByOrder = try Self.grouped(paymentRows, by: "order_id", in: "order_payments")
        let refundsByOrder = try Self.grouped(refundRows, by: "order_id", in: "order_refunds")
        return try zip(ids, rows).map { id, row in
            try rebuildOrder(row, id: id, payments: paymentsByOrder[id] ?? [], refunds: refundsByOrder[id] ?? [])
        }
    }

    private func rebuildOrder(_ row: Row, id: String, payments: [Row], refunds: [Row]) throws -> Order {
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
    static func grouped(_ rows: [Row], by column: String, in table: String) throws -> [String: [Row]] {
        var groups: [String: [Row]] = [:]
        for row in rows { groups[try row.required(column, in: table), default: []].append(row) }
        return groups
    }
}

// MARK: - Gateway payments

/// A gateway payment with what the ledger keeps beside the core value.
public struct StoredPayment: Sendable {
    public let payment: Payment
    /// The processor's reference for the authorization.
    public let processorReference: String
    /// The order installment this payment settled, when it was taken through an order.
    public let orderPaymentId: String?
}

extension Ledger {
    public func payment(id: String) throws -> StoredPayment? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM payments WHERE id = ?"), arguments: [id])
        else { return nil }
        return try rebuildPayments([row]).first
    }

    /// Folds each payment's events through the core, all events in one batched query.
    func rebuildPayments(_ rows: [Row]) throws -> [StoredPayment] {
        guard !rows.isEmpty else { return [] }
        let ids: [String] = try rows.map { try $0.required("id", in: "payments") }
        let eventRows = try Row.fetchAll(
            db, sql: """
                SELECT * FROM payment_events WHERE payment_id IN (\(databaseQuestionMarks(count: ids.count)))
                ORDER BY payment_id, seq
                """,
            arguments: StatementArguments(ids))
        let eventsByPayment = try Self.grouped(eventRows, by: "payment_id", in: "payment_events")
        return try zip(ids, rows).map { id, row in
            try rebuildPayment(row, id: id, events: eventsByPayment[id] ?? [])
        }
    }

    private func rebuildPayment(_ row: Row, id: String, events eventRows: [Row]) throws -> StoredPayment {
        let table = "payments"
        let shownId = LedgerCorruption.shown(id)
        let currency = try Self.currency(row.required("currency", in: table))
        guard let card = CardSummary(
            brand: CardBrand(rawValue: try row.required("card_brand", in: table)) ?? .unknown,
            first6: try row.required("card_first6", in: table), last4: try row.required("card_last4", in: table),
            expiry: try Self.expiry(row.required("card_expiry", in: table), in: table))
        else { throw LedgerCorruption("payment \(shownId): \(Self.cardColumns(table))") }
        let authorizedAt = Instant(millisecondsSinceEpoch: try row.required("authorized_at", in: table))
        let expiresAt: Int64 = try row.required("expires_at", in: table)
        let (holdWindow, overflow) = expiresAt.subtractingReportingOverflow(authorizedAt.millisecondsSinceEpoch)
        guard !overflow else { throw LedgerCorruption("payment \(shownId): payments.expires_at is out of range") }
        var payment = try Self.unwrap(Payment.authorize(
            id: id, card: card, amount: Money(minorUnits: row.required("authorized", in: table), currency: currency),
            at: authorizedAt, holdWindow: TimeSpan(milliseconds: holdWindow)), "payment \(shownId)")
        for event in eventRows.dropFirst() {
            let events = "payment_events"
            guard let kind = PaymentEvent.Kind(rawValue: try event.required("kind", in: events)) else {
                throw LedgerCorruption("payment \(shownId): payment_events.kind is not an event kind")
            }
            payment = try Self.unwrap(payment.applying(PaymentEvent(
                kind: kind, amount: Money(minorUnits: event.required("amount", in: events), currency: currency),
                at: Instant(millisecondsSinceEpoch: event.required("at", in: events)))), "payment \(shownId) event")
        }
        return StoredPayment(
            payment: payment, processorReference: try row.required("processor_ref", in: table),
            orderPaymentId: try row.optional("order_payment_id", in: table))
    }

    /// Records a new authorization: the read model and its first event.
    public func insert(
        _ payment: Payment, processorReference: String, orderPaymentId: String?, cardFingerprint: String
    ) throws {
        try db.execute(sql: """
            INSERT INTO payments (id, processor_ref, order_payment_id, currency, authorized, captured, refunded,
                voided, card_brand, card_first6, card_last4, card_expiry, card_fingerprint, authorized_at,
                expires_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                // The columns as the events leave them (a card installment arrives captured).
                payment.id, processorReference, orderPaymentId, payment.currency.code, payment.authorized.minorUnits,
                payment.captured.minorUnits, payment.refunded.minorUnits, payment.isVoided,
                payment.card.brand.rawValue, payment.card.first6, payment.card.last4, Self.expiryText(payment.card.expiry),
                cardFingerprint, payment.authorizedAt.millisecondsSinceEpoch, payment.expiresAt.millisecondsSinceEpoch,
                payment.authorizedAt.millisecondsSinceEpoch,
            ])
        for event in payment.events { try insertEventRow(payment, event) }
    }

    /// Appends an event the core accepted and brings the read model up to date with `payment`.
    public func append(_ event: PaymentEvent, to payment: Payment) throws {
        try insertEventRow(payment, event)
        try db.execute(sql: """
            UPDATE payments SET captured = ?, refunded = ?, voided = ?, updated_at = ? WHERE id = ?
            """, arguments: [payment.captured.minorUnits, payment.refunded.minorUnits, payment.isVoided,
                             event.at.millisecondsSinceEpoch, payment.id])
    }

    /// A payment's event, by this ledger's operator. In the drawer's journal too: a void (with
    /// the hold it released), and the captures and refunds of a gateway payment of its own (the
    /// Cards screen, the API) as card sales and refunds; an order's card installment is
    /// journalled through its order, once.
    private func insertEventRow(_ payment: Payment, _ event: PaymentEvent) throws {
        try db.execute(
            sql: "INSERT INTO payment_events (payment_id, kind, amount, at, operator) VALUES (?, ?, ?, ?, ?)",
            arguments: [payment.id, event.kind.rawValue, event.amount.minorUnits, event.at.millisecondsSinceEpoch, operatorName.text])
        switch event.kind {
        case .voided:
            try journal(DrawerEvent(kind: .void, amount: payment.authorized, operatorName: operatorName, at: event.at), reference: payment.id)
        case .captured, .refunded:
            let standalone = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT order_payment_id IS NULL FROM payments WHERE id = ?"), arguments: [payment.id]) ?? false
            guard standalone else { return }
            try journal(DrawerEvent(
                kind: event.kind == .captured ? .sale : .refund, tender: .card, amount: event.amount, operatorName: operatorName,
                at: event.at), reference: payment.id)
        case .authorized, .captureFailed, .refundFailed, .released:
            // No money moved: a hold taken, a failed call, or the uncaptured rest given back
            // after a partial capture (what was captured is the sale, journalled above).
            break
        }
    }

    /// The most recent gateway payments, newest first.
    public func recentPaymentIds(limit: Int) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM payments ORDER BY authorized_at DESC, id DESC LIMIT ?", arguments: [limit])
    }
}

// MARK: - Wallets

extension Ledger {
    public func wallet(key: String) throws -> Wallet? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM wallets WHERE key = ?"), arguments: [key])
            .map(Self.wallet)
    }

    static func wallet(_ row: Row) throws -> Wallet {
        let table = "wallets"
        let key: String = try row.required("key", in: table)
        let currency = try Self.currency(row.required("currency", in: table))
        var customer: Email?
        if let customerKey: String = try row.optional("customer_key", in: table) {
            guard case .success(let email) = Email.parse(customerKey) else {
                throw LedgerCorruption("wallet \(LedgerCorruption.shown(key)): wallets.customer_key is not an email address")
            }
            customer = email
        }
        guard let wallet = Wallet.restore(
            name: try row.required("name", in: table),
            balance: Money(minorUnits: try row.required("balance", in: table), currency: currency),
            overdraftLimit: Money(minorUnits: try row.required("overdraft_limit", in: table), currency: currency),
            customer: customer)
        else { throw LedgerCorruption("wallet \(LedgerCorruption.shown(key)): wallets.name, balance or overdraft_limit break the wallet rules") }
        // Writes address the wallet by the key its name gives: it must be the stored one.
        guard wallet.key.sameBytes(key) else { throw LedgerCorruption("wallet \(LedgerCorruption.shown(key)): key and name disagree") }
        return wallet
    }

    public func insert(_ wallet: Wallet, at now: Instant) throws {
        try db.execute(sql: """
            INSERT INTO wallets (key, name, currency, balance, overdraft_limit, customer_key, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [wallet.key, wallet.name, wallet.currency.code, wallet.balance.minorUnits,
                             wallet.overdraftLimit.minorUnits, wallet.customer?.key, now.millisecondsSinceEpoch,
                             now.millisecondsSinceEpoch])
        try appendWalletEvent(wallet, kind: "opened", amount: wallet.balance, reference: nil, at: now)
    }

    /// Stores a wallet's new balance with the event that moved it.
    public func update(_ wallet: Wallet, kind: String, amount: Money, reference: String?, at now: Instant) throws {
        try db.execute(
            sql: "UPDATE wallets SET balance = ?, updated_at = ? WHERE key = ?",
            arguments: [wallet.balance.minorUnits, now.millisecondsSinceEpoch, wallet.key])
        try appendWalletEvent(wallet, kind: kind, amount: amount, reference: reference, at: now)
    }

    private func appendWalletEvent(_ wallet: Wallet, kind: String, amount: Money, reference: String?, at now: Instant) throws {
        try db.execute(sql: """
            INSERT INTO wallet_events (wallet_key, kind, amount, balance_after, reference, at, operator) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                wallet.key, kind, amount.minorUnits, wallet.balance.minorUnits, reference, now.millisecondsSinceEpoch, operatorName.text,
            ])
    }

    /// A wallet's history, newest first.
    public func walletEvents(key: String, limit: Int) throws -> [WalletEventRecord] {
        try Row.fetchAll(db, sql: """
            SELECT kind, amount, balance_after, reference, at, operator FROM wallet_events WHERE wallet_key = ?
            ORDER BY seq DESC LIMIT ?
            """, arguments: [key, limit]).map { row in
            let table = "wallet_events"
            return WalletEventRecord(
                kind: try row.required("kind", in: table), amount: try row.required("amount", in: table),
                balanceAfter: try row.required("balance_after", in: table), reference: try row.optional("reference", in: table),
                at: Instant(millisecondsSinceEpoch: try row.required("at", in: table)),
                operatorName: try row.required("operator", in: table))
        }
    }
}

public struct WalletEventRecord: Sendable, Hashable {
    public let kind: String
    public let amount: Int64
    public let balanceAfter: Int64
    public let reference: String?
    public let at: Instant
    /// Who moved it.
    public let operatorName: String
}

// MARK: - Row helpers

extension Ledger {
    static func currency(_ code: String) throws -> Currency {
        guard case .success(let currency) = Currency.named(code) else { throw LedgerCorruption("unknown currency \(LedgerCorruption.shown(code))") }
        return currency
    }

    static func expiryText(_ expiry: CardExpiry) -> String {
        "\(expiry.month.year)-\(expiry.month.month < 10 ? "0" : "")\(expiry.month.month)"
    }

    /// The card columns, named in a message about a card that does not read back.
    static func cardColumns(_ table: String) -> String {
        "\(table).card_brand, card_first6, card_last4 and card_expiry do not make a card"
    }

    static func expiry(_ text: String, in table: String) throws -> CardExpiry {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month)
        else { throw LedgerCorruption("\(table).card_expiry holds \(LedgerCorruption.shown(text)), not a card expiry") }
        return CardExpiry(month: YearMonth(year: year, month: month))
    }

    static func unwrap<T>(_ result: Result<T, Rejection>, _ what: String) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let rejection): throw LedgerCorruption("\(what): \(rejection)")
        }
    }
}
