import TillCore

/// The ledger's raw facts, read-only, for a checker that must not take the service's word for
/// anything (`till sim`): request rows, the payments', orders', wallets' and drawer's rows and
/// events as they are stored, and what SQLite and the read-model audit say of the file. It
/// answers in plain values and decides nothing; the checker compares them itself. Cells are
/// read with the throwing accessors (`RowDecoding`): a damaged one is an error, never a trap.
public struct LedgerInspection: Sendable {
    private let database: TillDatabase

    public init(_ database: TillDatabase) { self.database = database }

    /// Reads through one consistent snapshot, synchronously (a simulator runs one request at a
    /// time: nothing waits).
    public func read<T>(_ work: (Snapshot) throws -> T) throws -> T {
        try database.readNow { ledger in try work(Snapshot(db: ledger.db)) }
    }

    /// `PRAGMA integrity_check`'s answer ("ok" when the file is sound).
    public func integrityCheck() throws -> String { try database.integrityCheck() }

    /// The ledger as one snapshot sees it.
    public struct Snapshot {
        let db: any SQLConnection
    }

    /// An `idempotency` row: a keyed request.
    public struct RequestRow: Sendable, Hashable {
        public let key: String
        public let operation: String
        /// "in_progress", "outcome_unknown", "needs_attention" or "completed", as stored.
        public let state: String
        /// What a request to the processor needs to be resolved (JSON); its `id` is
        /// "<key>#<attempt>", the stem of the processor keys.
        public let intent: String?
        /// Why a request needs attention.
        public let attention: String?
    }

    /// A history and the read model it feeds, named by what they record.
    public enum Stream: Sendable, CaseIterable {
        case payments, orders, wallets, drawerSessions

        /// The read model, its key, the history and the column naming the row it belongs to.
        var tables: (model: String, key: String, events: String, owner: String) {
            switch self {
            case .payments: ("payments", "id", "payment_events", "payment_id")
            case .orders: ("orders", "id", "order_events", "order_id")
            case .wallets: ("wallets", "key", "wallet_events", "wallet_key")
            case .drawerSessions: ("drawer_sessions", "id", "drawer_events", "session_id")
            }
        }
    }

    /// The rows a history touched after a point, and where it ends now.
    public struct Touched: Sendable, Hashable {
        /// The keys of the rows with events after the point, sorted.
        public let keys: [String]
        /// The history's last sequence number (0 when empty): the next point to read from.
        public let lastSeq: Int64
    }

    /// A `payments` row: a gateway payment's read model.
    public struct PaymentRow: Sendable, Hashable {
        public let id: String
        public let processorRef: String
        public let currency: String
        public let authorized: Int64
        public let captured: Int64
        public let refunded: Int64
        public let voided: Bool
    }

    /// A gateway payment's events, summed by kind.
    public struct PaymentEventTotals: Sendable, Hashable {
        public var authorized: Int64 = 0
        public var captured: Int64 = 0
        public var refunded: Int64 = 0
        public var released: Int64 = 0
        public var voided = false
        /// A capture was written after a release.
        public var capturedAfterRelease = false
    }

    /// An `orders` row, with the sums of its installments and refund rows.
    public struct OrderRow: Sendable, Hashable {
        public let id: String
        public let currency: String
        public let emailKey: String
        public let total: Int64
        public let paid: Int64
        public let refunded: Int64
        /// The sums over `order_payments` (amount, refunded) and over `order_refunds`.
        public let installments: Int64
        public let installmentRefunds: Int64
        public let refundRows: Int64
    }

    /// An `order_payments` row, as far as a refund of it needs.
    public struct InstallmentRow: Sendable, Hashable {
        public let id: String
        /// Its amount less what was refunded of it.
        public let refundable: Int64
    }

    /// A card installment beside its gateway payment's events.
    public struct CardInstallment: Sendable, Hashable {
        public let id: String
        public let amount: Int64
        /// Refunded to the card (not as store credit), by the order's refund rows.
        public let refundedToCard: Int64
        /// The gateway payment, with its captured and refunded events summed (nil: no such payment).
        public let payment: String?
        public let captured: Int64?
        public let refunded: Int64?
    }

    /// An installment or refund of an order whose drawer journal lines are not exactly one of
    /// its amount, tender (a refund's: where the money went) and change.
    public struct JournalMismatch: Sendable, Hashable {
        /// "paid" or "refunded", as in `order_events`.
        public let kind: String
        public let reference: String
        public let amount: Int64
        public let lines: Int64
        public let journalled: Int64
    }

    /// A drawer session's expected cash three ways.
    public struct DrawerExpected: Sendable, Hashable {
        /// As the read model keeps it.
        public let stored: Int64?
        /// Summed by SQL from its journal lines.
        public let summed: Int64?
        /// Folded by the core (`DrawerSession.fold`) from its journal.
        public let folded: Int64?
    }

    /// A `wallets` row.
    public struct WalletRow: Sendable, Hashable {
        public let key: String
        public let balance: Int64
        public let overdraftLimit: Int64
    }

    /// A `wallet_events` row.
    public struct WalletEventRow: Sendable, Hashable {
        public let seq: Int64
        public let kind: String
        public let amount: Int64
        public let balanceAfter: Int64
    }
}

// MARK: - Requests

extension LedgerInspection.Snapshot {
    public func request(key: String) throws -> LedgerInspection.RequestRow? {
        try SQLRow.fetchOne(db, sql: "SELECT * FROM idempotency WHERE key = ?", arguments: [key]).map(Self.requestRow)
    }

    /// The keys of the requests that have not completed.
    public func openRequestKeys() throws -> Set<String> {
        Set(try SQLRow.fetchAll(db, sql: "SELECT key FROM idempotency WHERE state != 'completed'").map { row in
            try row.required("key", in: "idempotency") as String
        })
    }

    /// The requests in flight or whose outcome is unknown, by key.
    public func unresolvedRequests() throws -> [LedgerInspection.RequestRow] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM idempotency WHERE state IN ('in_progress', 'outcome_unknown') ORDER BY key")
            .map(Self.requestRow)
    }

    /// The requests that could not be recorded after resolution, by key.
    public func requestsNeedingAttention() throws -> [LedgerInspection.RequestRow] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM idempotency WHERE state = 'needs_attention' ORDER BY key").map(Self.requestRow)
    }

    /// How many attempts under `key` were refused or never applied: the number of the next.
    public func processorAttempts(key: String) throws -> Int64 {
        try SQLRow.fetchOne(db, sql: "SELECT used FROM processor_attempts WHERE key = ?", arguments: [key])?
            .required("used", in: "processor_attempts") ?? 0
    }

    private static func requestRow(_ row: SQLRow) throws -> LedgerInspection.RequestRow {
        LedgerInspection.RequestRow(
            key: try row.required("key", in: "idempotency"), operation: try row.required("operation", in: "idempotency"),
            state: try row.required("state", in: "idempotency"), intent: try row.optional("intent", in: "idempotency"),
            attention: try row.optional("attention", in: "idempotency"))
    }
}

// MARK: - Histories

extension LedgerInspection.Snapshot {
    /// The rows `stream`'s history touched after `seq`.
    public func touched(_ stream: LedgerInspection.Stream, after seq: Int64) throws -> LedgerInspection.Touched {
        let (_, _, events, owner) = stream.tables
        let keys = try SQLRow.fetchAll(
            db, sql: "SELECT DISTINCT \(owner) FROM \(events) WHERE seq > ? AND \(owner) IS NOT NULL", arguments: [seq]
        ).map { row -> String in try row.required(at: 0, "\(events).\(owner)") }
        let last = try SQLRow.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM \(events)")
        return LedgerInspection.Touched(keys: keys.sorted(), lastSeq: try last?.required(at: 0, "\(events).seq") ?? seq)
    }

    /// The keys of every row of `stream`'s read model, sorted.
    public func keys(_ stream: LedgerInspection.Stream) throws -> [String] {
        let (model, key, _, _) = stream.tables
        return try SQLRow.fetchAll(db, sql: "SELECT \(key) FROM \(model) ORDER BY \(key)")
            .map { row in try row.required(key, in: model) }
    }

    /// Every read model recomputed from its history, cell by cell (`till check`).
    public func readModelDifferences() throws -> [ReadModelDifference] { try ReadModelAudit.differences(in: db) }
}

// MARK: - Gateway payments

extension LedgerInspection.Snapshot {
    public func payment(id: String) throws -> LedgerInspection.PaymentRow? {
        try SQLRow.fetchOne(db, sql: "SELECT * FROM payments WHERE id = ?", arguments: [id]).map(Self.paymentRow)
    }

    /// The payment standing on the processor's authorization `reference`.
    public func payment(processorRef reference: String) throws -> LedgerInspection.PaymentRow? {
        try SQLRow.fetchOne(db, sql: "SELECT * FROM payments WHERE processor_ref = ?", arguments: [reference]).map(Self.paymentRow)
    }

    public func paymentEventTotals(paymentId id: String) throws -> LedgerInspection.PaymentEventTotals {
        var totals = LedgerInspection.PaymentEventTotals()
        for row in try SQLRow.fetchAll(
            db, sql: "SELECT kind, SUM(amount) AS amount FROM payment_events WHERE payment_id = ? GROUP BY kind", arguments: [id]) {
            let kind: String = try row.required("kind", in: "payment_events")
            let amount: Int64 = try row.required("amount", in: "payment_events")
            switch kind {
            case "authorized": totals.authorized = amount
            case "captured": totals.captured = amount
            case "refunded": totals.refunded = amount
            case "voided": totals.voided = true
            case "released": totals.released = amount
            default: break
            }
        }
        totals.capturedAfterRelease = try SQLRow.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM payment_events c JOIN payment_events r ON r.payment_id = c.payment_id
                WHERE c.payment_id = ? AND c.kind = 'captured' AND r.kind = 'released' AND c.seq > r.seq)
            """, arguments: [id])?.required(at: 0, "captured after release") ?? false
        return totals
    }

    private static func paymentRow(_ row: SQLRow) throws -> LedgerInspection.PaymentRow {
        func required<T: SQLReadable>(_ column: String) throws -> T { try row.required(column, in: "payments") }
        return LedgerInspection.PaymentRow(
            id: try required("id"), processorRef: try required("processor_ref"), currency: try required("currency"),
            authorized: try required("authorized"), captured: try required("captured"), refunded: try required("refunded"),
            voided: try required("voided"))
    }
}

// MARK: - Orders and the drawer

extension LedgerInspection.Snapshot {
    public func order(id: String) throws -> LedgerInspection.OrderRow? {
        guard let row = try SQLRow.fetchOne(db, sql: """
            SELECT id, currency, email_key, total, paid, refunded,
                (SELECT COALESCE(SUM(amount), 0) FROM order_payments WHERE order_id = o.id) AS installments,
                (SELECT COALESCE(SUM(refunded), 0) FROM order_payments WHERE order_id = o.id) AS installment_refunds,
                (SELECT COALESCE(SUM(amount), 0) FROM order_refunds WHERE order_id = o.id) AS refund_rows
            FROM orders o WHERE id = ?
            """, arguments: [id])
        else { return nil }
        func required<T: SQLReadable>(_ column: String) throws -> T { try row.required(column, in: "orders") }
        return LedgerInspection.OrderRow(
            id: try required("id"), currency: try required("currency"), emailKey: try required("email_key"),
            total: try required("total"), paid: try required("paid"), refunded: try required("refunded"),
            installments: try required("installments"), installmentRefunds: try required("installment_refunds"),
            refundRows: try required("refund_rows"))
    }

    /// The order's installments, in the order they were taken.
    public func installments(orderId: String) throws -> [LedgerInspection.InstallmentRow] {
        try SQLRow.fetchAll(
            db, sql: "SELECT id, amount - refunded AS refundable FROM order_payments WHERE order_id = ? ORDER BY position",
            arguments: [orderId]
        ).map { row in
            LedgerInspection.InstallmentRow(
                id: try row.required("id", in: "order_payments"), refundable: try row.required("refundable", in: "order_payments"))
        }
    }

    public func cardInstallments(orderId: String) throws -> [LedgerInspection.CardInstallment] {
        try SQLRow.fetchAll(db, sql: """
            SELECT op.id AS id, op.amount AS amount, p.id AS payment,
                (SELECT COALESCE(SUM(amount), 0) FROM order_refunds WHERE order_payment_id = op.id AND to_wallet IS NULL) AS refunded,
                (SELECT COALESCE(SUM(amount), 0) FROM payment_events WHERE payment_id = p.id AND kind = 'captured') AS captured,
                (SELECT COALESCE(SUM(amount), 0) FROM payment_events WHERE payment_id = p.id AND kind = 'refunded') AS payment_refunded
            FROM order_payments op LEFT JOIN payments p ON p.id = op.payment_id
            WHERE op.order_id = ? AND op.tender = 'card'
            """, arguments: [orderId]
        ).map { row in
            func required<T: SQLReadable>(_ column: String) throws -> T { try row.required(column, in: "order_payments") }
            func optional<T: SQLReadable>(_ column: String) throws -> T? { try row.optional(column, in: "order_payments") }
            return LedgerInspection.CardInstallment(
                id: try required("id"), amount: try required("amount"), refundedToCard: try required("refunded"),
                payment: try optional("payment"), captured: try optional("captured"), refunded: try optional("payment_refunded"))
        }
    }

    /// The first of the order's installments and refunds whose journal lines are wrong, if any.
    public func journalMismatch(orderId: String) throws -> LedgerInspection.JournalMismatch? {
        guard let row = try SQLRow.fetchOne(db, sql: """
            SELECT * FROM (
            SELECT e.kind, e.reference, e.amount, COUNT(d.seq) AS lines, COALESCE(SUM(d.amount), 0) AS journalled,
                MAX(d.tender) AS tender, MAX(d.change) AS change,
                CASE e.kind WHEN 'paid' THEN (SELECT tender FROM order_payments WHERE id = e.reference)
                    ELSE (SELECT CASE WHEN r.to_wallet IS NOT NULL THEN 'store_credit' ELSE p.tender END
                          FROM order_refunds r JOIN order_payments p ON p.id = r.order_payment_id WHERE r.id = e.reference) END AS expected_tender,
                CASE e.kind WHEN 'paid' THEN (SELECT change FROM order_payments WHERE id = e.reference) ELSE 0 END AS expected_change
            FROM order_events e LEFT JOIN drawer_events d
                ON d.reference = e.reference AND d.kind = CASE e.kind WHEN 'paid' THEN 'sale' ELSE 'refund' END
            WHERE e.order_id = ? AND e.kind IN ('paid', 'refunded')
            GROUP BY e.seq) AS lines_of_each
            WHERE lines != 1 OR journalled != amount OR tender IS DISTINCT FROM expected_tender
                OR change IS DISTINCT FROM expected_change
            LIMIT 1
            """, arguments: [orderId])
        else { return nil }
        func required<T: SQLReadable>(_ column: String) throws -> T { try row.required(column, in: "drawer_events") }
        return LedgerInspection.JournalMismatch(
            kind: try required("kind"), reference: try required("reference"), amount: try required("amount"),
            lines: try required("lines"), journalled: try required("journalled"))
    }

    /// The expected cash of the session open in `currency` (nil: none is open).
    public func openDrawerExpected(currency: String) throws -> Int64? {
        try SQLRow.fetchOne(db, sql: "SELECT expected FROM drawer_sessions WHERE currency = ? AND state = 'open'", arguments: [currency])?
            .required("expected", in: "drawer_sessions")
    }

    public func drawerExpected(sessionId id: String) throws -> LedgerInspection.DrawerExpected {
        let stored: Int64? = try SQLRow.fetchOne(db, sql: "SELECT expected FROM drawer_sessions WHERE id = ?", arguments: [id])?
            .required("expected", in: "drawer_sessions")
        let summed: Int64? = try SQLRow.fetchOne(db, sql: """
            SELECT SUM(CASE WHEN kind IN ('opened', 'paid_in') OR (kind = 'sale' AND tender = 'cash') THEN amount
                WHEN kind = 'paid_out' OR (kind = 'refund' AND tender = 'cash') THEN -amount ELSE 0 END) AS summed
            FROM drawer_events WHERE session_id = ?
            """, arguments: [id])?.optional("summed", in: "drawer_events")
        return LedgerInspection.DrawerExpected(stored: stored, summed: summed, 
            folded: try Ledger(connection: db).drawerSession(id: id)?.expected.minorUnits)
    }

    /// The most sessions open at once in any one currency (more than one is a broken drawer).
    public func mostOpenDrawerSessions() throws -> Int {
        try SQLRow.fetchOne(db, sql: """
            SELECT COUNT(*) FROM drawer_sessions WHERE state = 'open' GROUP BY currency ORDER BY 1 DESC LIMIT 1
            """)?.required(at: 0, "open drawer sessions") ?? 0
    }
}

// MARK: - Wallets

extension LedgerInspection.Snapshot {
    public func wallet(key: String) throws -> LedgerInspection.WalletRow? {
        try SQLRow.fetchOne(db, sql: "SELECT key, balance, overdraft_limit FROM wallets WHERE key = ?", arguments: [key]).map { row in
            LedgerInspection.WalletRow(
                key: try row.required("key", in: "wallets"), balance: try row.required("balance", in: "wallets"),
                overdraftLimit: try row.required("overdraft_limit", in: "wallets"))
        }
    }

    /// The wallet's whole history, oldest first.
    public func walletEvents(key: String) throws -> [LedgerInspection.WalletEventRow] {
        try SQLRow.fetchAll(
            db, sql: "SELECT seq, kind, amount, balance_after FROM wallet_events WHERE wallet_key = ? ORDER BY seq", arguments: [key]
        ).map { row in
            func required<T: SQLReadable>(_ column: String) throws -> T { try row.required(column, in: "wallet_events") }
            return LedgerInspection.WalletEventRow(
                seq: try required("seq"), kind: try required("kind"), amount: try required("amount"), balanceAfter: try required("balance_after"))
        }
    }
}
