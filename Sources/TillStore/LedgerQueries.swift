public import TillCore

// The POS screens' reads. Each one is a keyset page or a lookup through an index or one of
// the aggregates of migration "v2-pos", so none of them grows with the number of orders.

/// Where a keyset page ended: the next page starts strictly after it, newest first by a time
/// (an order's creation, a gateway payment's authorization), then by id.
public struct PagePosition: Sendable, Hashable {
    public let at: Instant
    public let id: String

    public init(at: Instant, id: String) {
        self.at = at
        self.id = id
    }

    /// The keyset a page starts strictly before: after `position`, or before everything.
    static func start(after position: PagePosition?) -> (Int64, String) {
        position.map { ($0.at.millisecondsSinceEpoch, $0.id) } ?? (.max, "")
    }
}

/// An order as a list shows it: its totals without its installments.
public struct OrderSummary: Sendable, Hashable {
    public let id: String
    public let email: Email
    public let total: Money
    public let paid: Money
    public let refunded: Money
    public let status: OrderStatus
    public let createdAt: Instant
    public let paymentCount: Int

    public var currency: Currency { total.currency }
    /// `total - paid`; the table's CHECK keeps paid within the total.
    public var balanceDue: Money { Money(minorUnits: total.minorUnits - paid.minorUnits, currency: currency) }
    public var position: PagePosition { PagePosition(at: createdAt, id: id) }
}

/// One customer's orders in one currency, as `customer_totals` keeps them.
public struct CustomerTotals: Sendable, Hashable {
    /// As typed on the customer's latest order in this currency.
    public let email: Email
    public let orders: Int
    public let openOrders: Int
    public let ordered: Money
    public let paid: Money
    public let refunded: Money
    public let owing: Money
    public let firstOrderAt: Instant
    public let lastOrderAt: Instant

    public var currency: Currency { ordered.currency }
}

/// Installments and refunds of one tender and currency within one bucket of a window.
public struct TakingsBucket: Sendable, Hashable {
    /// 0 for the window's first bucket.
    public let bucket: Int
    public let tender: Tender.Kind
    public let amount: Money
    public let payments: Int
    public let refunded: Money
    public let refunds: Int
}

/// The newest history line of each kind: any write appends one, so a change of marks is a
/// change of the ledger.
public struct LedgerMarks: Sendable, Hashable {
    public let orders: Int64
    public let payments: Int64
    public let wallets: Int64
}

/// The statements, named so the query-plan test checks the very SQL the ledger runs.
enum ReadSQL {
    static let marks = """
        SELECT COALESCE((SELECT MAX(seq) FROM order_events), 0),
            COALESCE((SELECT MAX(seq) FROM payment_events), 0),
            COALESCE((SELECT MAX(seq) FROM wallet_events), 0)
        """
    static let orderColumns = """
        o.id, o.email, o.currency, o.total, o.paid, o.refunded, o.status, o.created_at,
        (SELECT COUNT(*) FROM order_payments p WHERE p.order_id = o.id) AS payment_count
        """
    static let recentOrders = """
        SELECT \(orderColumns) FROM orders o WHERE (o.created_at, o.id) < (?, ?)
        ORDER BY o.created_at DESC, o.id DESC LIMIT ?
        """
    static let customerOrders = """
        SELECT \(orderColumns) FROM orders o WHERE o.email_key = ? AND (o.created_at, o.id) < (?, ?)
        ORDER BY o.created_at DESC, o.id DESC LIMIT ?
        """
    static let ordersCreated = "SELECT COUNT(*) FROM orders WHERE created_at >= ? AND created_at < ?"
    static let takings = """
        SELECT (quarter - :start) / :size AS bucket, currency, tender, SUM(amount) AS amount,
            SUM(payments) AS payments, SUM(refunded) AS refunded, SUM(refunds) AS refunds
        FROM takings_by_quarter WHERE quarter >= :start AND quarter < :end
        GROUP BY bucket, currency, tender
        """
    /// Keys between a prefix and the prefix + U+10FFFF: exactly the keys that start with it,
    /// because no email contains that unassigned scalar (`Email.parse` refuses it).
    static let customersByPrefix = """
        SELECT * FROM customer_totals WHERE email_key IN (
            SELECT DISTINCT email_key FROM customer_totals WHERE email_key >= ? AND email_key < ?
            ORDER BY email_key LIMIT ?)
        ORDER BY email_key, currency
        """
    static let customer = "SELECT * FROM customer_totals WHERE email_key = ? ORDER BY currency"
    static let owing = "SELECT * FROM customer_totals WHERE owing > 0 ORDER BY owing DESC, email_key, currency LIMIT ?"
    static let payments = """
        SELECT * FROM payments WHERE (authorized_at, id) < (?, ?) ORDER BY authorized_at DESC, id DESC LIMIT ?
        """
    /// Customers whose key holds the term anywhere, or who own a wallet whose key holds the
    /// wallet term (Till keeps no names: a wallet named after its customer is the name). Those
    /// whose key starts with the term come first (through the primary key), then those holding
    /// it further in, then by wallet, each by key. The middle part walks `customer_totals` in
    /// key order and stops at `limit` matches: a common term answers at once, a term nobody
    /// has reads every customer once (about 20 ms for the 48,660 customers of a
    /// 1,000,000-order demo ledger; README, "Finding").
    static let customersContaining = """
        WITH found AS (
            SELECT email_key, MIN(rank) AS rank FROM (
                SELECT * FROM (SELECT DISTINCT email_key, 0 AS rank FROM customer_totals
                    WHERE email_key >= :term AND email_key < :end ORDER BY email_key LIMIT :limit) AS prefixed
                UNION ALL
                SELECT * FROM (SELECT DISTINCT email_key, 1 AS rank FROM customer_totals
                    WHERE instr(email_key, :term) > 1 ORDER BY email_key LIMIT :limit) AS inside
                UNION ALL
                SELECT * FROM (SELECT customer_key, 2 AS rank FROM wallets
                    WHERE customer_key IS NOT NULL AND instr(key, :name) > 0 ORDER BY customer_key LIMIT :limit) AS named
                ) AS matches
            GROUP BY email_key ORDER BY rank, email_key LIMIT :limit)
        SELECT c.* FROM found f JOIN customer_totals c ON c.email_key = f.email_key
        ORDER BY f.rank, c.email_key, c.currency
        """
    /// Orders whose id starts with a prefix (as printed on a receipt), by id.
    static let ordersByIdPrefix = """
        SELECT \(orderColumns) FROM orders o WHERE o.id >= ? AND o.id < ? ORDER BY o.id LIMIT ?
        """
    /// Authorizations that may still hold money, newest first, through `payments_open_holds`;
    /// the core has the last word (`Payment.isOpenHold`).
    static let openHolds = """
        SELECT * FROM payments WHERE voided = 0 AND captured < authorized
            AND expires_at >= ? AND (authorized_at, id) < (?, ?)
            AND NOT EXISTS (SELECT 1 FROM payment_events e WHERE e.payment_id = payments.id AND e.kind = 'released')
        ORDER BY authorized_at DESC, id DESC LIMIT ?
        """
    /// Refunds credited to wallets in `[from, to)`, by currency and the installment's tender.
    static let refundsToStoreCredit = """
        SELECT o.currency, p.tender, SUM(r.amount) AS amount, COUNT(*) AS refunds
        FROM order_refunds r JOIN orders o ON o.id = r.order_id JOIN order_payments p ON p.id = r.order_payment_id
        WHERE r.to_wallet IS NOT NULL AND r.created_at >= ? AND r.created_at < ?
        GROUP BY o.currency, p.tender
        """
    static let wallets = "SELECT * FROM wallets ORDER BY key LIMIT ?"
    static let customerWallets = "SELECT * FROM wallets WHERE customer_key = ? ORDER BY key"
}

extension Ledger {
    public func marks() throws -> LedgerMarks {
        guard let row = try SQLRow.fetchOne(db.cachedStatement(sql: ReadSQL.marks)) else {
            return LedgerMarks(orders: 0, payments: 0, wallets: 0)
        }
        return LedgerMarks(
            orders: try row.required(at: 0, "order_events.seq"), payments: try row.required(at: 1, "payment_events.seq"),
            wallets: try row.required(at: 2, "wallet_events.seq"))
    }

    // MARK: Orders

    /// Every customer's orders, newest first.
    public func orderSummaries(limit: Int, after: PagePosition?) throws -> [OrderSummary] {
        let (time, id) = PagePosition.start(after: after)
        return try summaries(ReadSQL.recentOrders, [time, id, limit])
    }

    /// One customer's orders, newest first, through `orders_by_customer`.
    public func orderSummaries(emailKey: String, limit: Int, after: PagePosition?) throws -> [OrderSummary] {
        let (time, id) = PagePosition.start(after: after)
        return try summaries(ReadSQL.customerOrders, [emailKey, time, id, limit])
    }


    /// Orders created in `[from, to)`.
    public func ordersCreated(from: Instant, to: Instant) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: ReadSQL.ordersCreated),
            arguments: [from.millisecondsSinceEpoch, to.millisecondsSinceEpoch]) ?? 0
    }

    private func summaries(_ sql: String, _ arguments: SQLArguments) throws -> [OrderSummary] {
        // The rows' columns are found once; a page (mostly one customer's, in one currency)
        // parses each address and currency once.
        var emails: [String: Email] = [:]
        var currencies: (code: String, currency: Currency)?
        var summaries: [OrderSummary] = []
        let rows = try SQLRow.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
        guard let columns = rows.first?.columnNames else { return [] }
        func column(_ name: String, _ table: String = "orders") throws -> Column { try Column(name, of: columns, table: table) }
        let idColumn = try column("id"), currencyColumn = try column("currency"), emailColumn = try column("email"),
            statusColumn = try column("status"), totalColumn = try column("total"), paidColumn = try column("paid"),
            refundedColumn = try column("refunded"), createdColumn = try column("created_at"),
            countColumn = try column("payment_count", "order_payments")
        for row in rows {
            let id = try idColumn.text(in: row)
            let code = try currencyColumn.text(in: row)
            let currency = try currencies.flatMap { $0.code == code ? $0.currency : nil } ?? Self.currency(code)
            currencies = (code, currency)
            let address = try emailColumn.text(in: row)
            let parsed = emails[address].map { Result<Email, Rejection>.success($0) } ?? Email.parse(address)
            guard case .success(let email) = parsed, let status = OrderStatus(rawValue: try statusColumn.text(in: row))
            else { throw LedgerCorruption("order \(LedgerCorruption.shown(id)): orders.email or status does not read back") }
            emails[address] = email
            summaries.append(OrderSummary(
                id: id, email: email, total: Money(minorUnits: try totalColumn.integer(in: row), currency: currency),
                paid: Money(minorUnits: try paidColumn.integer(in: row), currency: currency),
                refunded: Money(minorUnits: try refundedColumn.integer(in: row), currency: currency), status: status,
                createdAt: Instant(millisecondsSinceEpoch: try createdColumn.integer(in: row)),
                paymentCount: Int(try countColumn.integer(in: row))))
        }
        return summaries
    }

    // MARK: Takings

    /// The resolution of the takings aggregate: windows and buckets are whole multiples of it.
    public static let takingsResolution = TimeSpan(milliseconds: LedgerSchema.quarterHour)

    /// Installments and refunds in `count` consecutive buckets of `bucket` from `start`, by
    /// currency and tender (only those with any). `start` and `bucket` are rounded down to
    /// the resolution.
    public func takings(from start: Instant, bucket: TimeSpan, count: Int) throws -> [TakingsBucket] {
        let quarter = LedgerSchema.quarterHour
        let first = start.millisecondsSinceEpoch / quarter
        let size = max(1, bucket.milliseconds / quarter)
        let (end, overflow) = size.multipliedReportingOverflow(by: Int64(max(0, count)))
        guard !overflow else { return [] }
        let rows = try SQLRow.fetchAll(
            db.cachedStatement(sql: ReadSQL.takings),
            arguments: ["start": first, "size": size, "end": first &+ end])
        return try rows.map { row in
            let table = "takings_by_quarter"
            let currency = try Self.currency(row.required("currency", in: table))
            guard let tender = Tender.Kind(rawValue: try row.required("tender", in: table)) else {
                throw LedgerCorruption("takings_by_quarter.tender is not a tender")
            }
            return TakingsBucket(
                bucket: try row.required("bucket", in: table), tender: tender,
                amount: Money(minorUnits: try row.required("amount", in: table), currency: currency),
                payments: try row.required("payments", in: table),
                refunded: Money(minorUnits: try row.required("refunded", in: table), currency: currency),
                refunds: try row.required("refunds", in: table))
        }
    }

    // MARK: Customers

    /// Up to `limit` customers whose key starts with `prefix` (already lowercased), by key,
    /// each with their totals per currency.
    public func customers(prefix: String, limit: Int) throws -> [[CustomerTotals]] {
        try Self.customers(try SQLRow.fetchAll(
            db.cachedStatement(sql: ReadSQL.customersByPrefix), arguments: [prefix, prefix + "\u{10FFFF}", limit]))
    }

    /// One customer's totals per currency (empty if they never ordered).
    public func customerTotals(emailKey: String) throws -> [CustomerTotals] {
        try SQLRow.fetchAll(db.cachedStatement(sql: ReadSQL.customer), arguments: [emailKey]).map(Self.customerTotals)
    }

    /// Who owes the most, per customer and currency, largest first.
    public func owingCustomers(limit: Int) throws -> [CustomerTotals] {
        try SQLRow.fetchAll(db.cachedStatement(sql: ReadSQL.owing), arguments: [limit]).map(Self.customerTotals)
    }

    static func customerTotals(_ row: SQLRow) throws -> CustomerTotals {
        let table = "customer_totals"
        let currency = try Self.currency(row.required("currency", in: table))
        guard case .success(let email) = Email.parse(try row.required("email", in: table)) else {
            throw LedgerCorruption("customer \(LedgerCorruption.shown(try row.required("email_key", in: table))): customer_totals.email is not an email address")
        }
        return CustomerTotals(
            email: email, orders: try row.required("orders", in: table), openOrders: try row.required("open_orders", in: table),
            ordered: Money(minorUnits: try row.required("ordered", in: table), currency: currency),
            paid: Money(minorUnits: try row.required("paid", in: table), currency: currency),
            refunded: Money(minorUnits: try row.required("refunded", in: table), currency: currency),
            owing: Money(minorUnits: try row.required("owing", in: table), currency: currency),
            firstOrderAt: Instant(millisecondsSinceEpoch: try row.required("first_order_at", in: table)),
            lastOrderAt: Instant(millisecondsSinceEpoch: try row.required("last_order_at", in: table)))
    }

    /// Up to `limit` customers whose key holds `term` (already case-folded) anywhere, or who
    /// own a wallet whose key holds `walletTerm`; prefix matches first, then by key.
    public func customers(containing term: String, walletTerm: String, limit: Int) throws -> [[CustomerTotals]] {
        try Self.customers(try SQLRow.fetchAll(
            db.cachedStatement(sql: ReadSQL.customersContaining),
            arguments: ["term": term, "end": term + "\u{10FFFF}", "name": walletTerm, "limit": limit]))
    }

    /// Rows of `customer_totals`, one customer's currencies next to each other, as one list per customer.
    static func customers(_ rows: [SQLRow]) throws -> [[CustomerTotals]] {
        var customers: [[CustomerTotals]] = []
        var lastKey: String?
        for row in rows {
            let key: String = try row.required("email_key", in: "customer_totals")
            if key != lastKey { customers.append([]) }
            lastKey = key
            customers[customers.count - 1].append(try Self.customerTotals(row))
        }
        return customers
    }

    /// Orders whose id starts with `prefix`, by id.
    public func orderSummaries(idPrefix prefix: String, limit: Int) throws -> [OrderSummary] {
        try summaries(ReadSQL.ordersByIdPrefix, [prefix, prefix + "\u{10FFFF}", limit])
    }

    /// Refunds credited to wallets in `[from, to)` per currency and installment tender.
    public func refundsToStoreCredit(from: Instant, to: Instant) throws -> [(tender: Tender.Kind, amount: Money, refunds: Int)] {
        try SQLRow.fetchAll(
            db.cachedStatement(sql: ReadSQL.refundsToStoreCredit),
            arguments: [from.millisecondsSinceEpoch, to.millisecondsSinceEpoch]
        ).map { row in
            let table = "order_refunds"
            let currency = try Self.currency(row.required("currency", in: table))
            guard let tender = Tender.Kind(rawValue: try row.required("tender", in: table)) else {
                throw LedgerCorruption("order_payments.tender is not a tender")
            }
            return (tender, Money(minorUnits: try row.required("amount", in: table), currency: currency),
                    try row.required("refunds", in: table))
        }
    }

    // MARK: Gateway payments and wallets

    /// Authorizations that may still hold money at `now`, newest first (see `ReadSQL.openHolds`).
    public func openHolds(at now: Instant, limit: Int, after: PagePosition?) throws -> [StoredPayment] {
        let (time, id) = PagePosition.start(after: after)
        return try rebuildPayments(SQLRow.fetchAll(
            db.cachedStatement(sql: ReadSQL.openHolds), arguments: [now.millisecondsSinceEpoch, time, id, limit]))
    }

    /// The order and customer of each installment among `orderPaymentIds`.
    public func installmentOrders(_ orderPaymentIds: [String]) throws -> [String: (orderId: String, email: String)] {
        guard !orderPaymentIds.isEmpty else { return [:] }
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT p.id, p.order_id, o.email FROM order_payments p JOIN orders o ON o.id = p.order_id
            WHERE p.id IN (\(Self.questionMarks(count: orderPaymentIds.count)))
            """, arguments: SQLArguments(orderPaymentIds))
        var found: [String: (orderId: String, email: String)] = [:]
        for row in rows {
            found[try row.required("id", in: "order_payments")] = (
                try row.required("order_id", in: "order_payments"), try row.required("email", in: "orders"))
        }
        return found
    }

    /// Gateway payments newest first, with their events (order installments' included).
    public func payments(limit: Int, after: PagePosition?) throws -> [StoredPayment] {
        let (time, id) = PagePosition.start(after: after)
        return try rebuildPayments(SQLRow.fetchAll(db.cachedStatement(sql: ReadSQL.payments), arguments: [time, id, limit]))
    }

    /// Wallets by name (without regard to case).
    public func wallets(limit: Int) throws -> [Wallet] {
        try SQLRow.fetchAll(db.cachedStatement(sql: ReadSQL.wallets), arguments: [limit]).map(Self.wallet)
    }

    /// The wallets of one customer, by name.
    public func wallets(customerKey: String) throws -> [Wallet] {
        try SQLRow.fetchAll(db.cachedStatement(sql: ReadSQL.customerWallets), arguments: [customerKey]).map(Self.wallet)
    }
}
